"""VAT on tax-inclusive amounts: each invoice line's net and tax come from what was paid."""

RATE_SCALE = 10_000  # rates are basis points: 1300 = 13%


def split(amount: int, rate_bp: int) -> tuple[int, int]:
    """(net, tax) of a tax-inclusive ``amount`` in fen at ``rate_bp``.

    net = round-half-up(amount × 10000 / (10000 + rate)) in integers (no float ever rounds
    a fen away), tax = amount − net, so net + tax is the amount. A negative amount (a
    red-letter line) splits as the mirror of its positive.
    """
    if rate_bp < 0:
        raise ValueError("A VAT rate is not negative")
    if amount < 0:
        net, tax = split(-amount, rate_bp)
        return -net, -tax
    numerator = amount * RATE_SCALE
    denominator = RATE_SCALE + rate_bp
    net = (2 * numerator + denominator) // (2 * denominator)
    return net, amount - net


def rate_label(rate_bp: int) -> str:
    """1300 -> "13%", 650 -> "6.5%"."""
    whole, part = divmod(rate_bp, 100)
    return f"{whole}%" if not part else f"{whole}.{part:02d}".rstrip("0") + "%"
