"""Money is an integer number of minor units (fen) with an ISO currency code, never a float."""

from django.utils.translation import gettext_lazy as _

CURRENCY_SYMBOLS = {"CNY": "¥", "USD": "$", "EUR": "€", "HKD": "HK$"}
DEFAULT_CURRENCY = "CNY"


def format_money(amount_minor: int | None, currency: str = DEFAULT_CURRENCY) -> str:
    """12345 fen -> '¥123.45'; negative amounts keep the sign before the symbol."""
    if amount_minor is None:
        return ""
    amount_minor = int(amount_minor)
    sign = "-" if amount_minor < 0 else ""
    whole, fen = divmod(abs(amount_minor), 100)
    symbol = CURRENCY_SYMBOLS.get(currency, currency + " ")
    return f"{sign}{symbol}{whole:,}.{fen:02d}"


def plain_amount(amount_minor: int) -> str:
    """12345 fen -> '123.45', -5 -> '-0.05': a number as a spreadsheet, a form field or an
    invoice's figures take it (no symbol, no grouping; parse_money reads it back)."""
    sign = "-" if amount_minor < 0 else ""
    whole, fen = divmod(abs(amount_minor), 100)
    return f"{sign}{whole}.{fen:02d}"


def parse_money(text: str) -> int:
    """'12.34' or '¥12.34' -> 1234. Raises ValueError on anything else."""
    cleaned = text.strip().lstrip("¥").replace(",", "")
    if not cleaned or cleaned.count(".") > 1 or cleaned.startswith("-"):
        raise ValueError(_("Enter an amount like 12.34."))
    whole, _sep, frac = cleaned.partition(".")
    if not whole.isdigit() and whole != "":
        raise ValueError(_("Enter an amount like 12.34."))
    if len(frac) > 2 or (frac and not frac.isdigit()):
        raise ValueError(_("Enter an amount like 12.34."))
    return int(whole or "0") * 100 + int(frac.ljust(2, "0") or "0")
