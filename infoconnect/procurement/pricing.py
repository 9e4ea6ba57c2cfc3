"""What a company pays for a SKU: its merchant's price lists for the company, applied.

Per list that is active and valid today: the entry's best tier for the quantity (the highest
"from quantity" at or below it), else the entry's fixed price, else the list's percentage off
the retail price (rounded half up to the fen); a list with neither an entry for the SKU nor a
percentage does not apply. Across lists the lowest price wins, never above the retail price.
The winning list's entry gives the quantity rule. A whole cart is priced in two queries.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from infoconnect.invoicing import vat
from infoconnect.procurement.models import PriceList, PriceListEntry
from infoconnect.shop.models import Sku


@dataclass(frozen=True)
class QuantityRule:
    """How many units of one SKU a company may order at once."""

    title: str
    minimum: int | None
    maximum: int | None
    increment: int

    def allows(self, quantity: int) -> bool:
        if self.minimum is not None and quantity < self.minimum:
            return False
        if self.maximum is not None and quantity > self.maximum:
            return False
        return quantity % self.increment == 0

    def describe(self) -> str:
        bounds = _bounds(self.minimum, self.maximum)
        values = {"title": self.title, "increment": self.increment, "bounds": bounds}
        if self.increment > 1 and bounds:
            return _("Order %(title)s in multiples of %(increment)s (%(bounds)s).") % values
        if self.increment > 1:
            return _("Order %(title)s in multiples of %(increment)s.") % values
        return _("Order %(title)s (%(bounds)s).") % values


def _bounds(minimum: int | None, maximum: int | None) -> str:
    if minimum is not None and maximum is not None:
        return _("min %(min)s, max %(max)s") % {"min": minimum, "max": maximum}
    if minimum is not None:
        return _("min %(min)s") % {"min": minimum}
    if maximum is not None:
        return _("max %(max)s") % {"max": maximum}
    return ""


@dataclass(frozen=True)
class Price:
    unit_price: int
    list_price: int
    reason: str
    price_list_id: int | None
    rule: QuantityRule | None

    @property
    def is_contract(self) -> bool:
        return self.unit_price < self.list_price


def percent_price(retail: int, percent_off: int) -> int:
    """``retail`` less ``percent_off`` basis points, rounded half up to the fen."""
    return (retail * (10000 - percent_off) + 5000) // 10000


def percent_words(percent_off: int) -> str:
    """Basis points as a percentage a person reads: 800 → "8", 1250 → "12.5"."""
    whole, rest = divmod(percent_off, 100)
    return f"{whole}" if not rest else f"{whole}.{rest:02d}".rstrip("0")


def entry_rule(entry: PriceListEntry | dict, title: str) -> QuantityRule | None:
    get = entry.get if isinstance(entry, dict) else lambda name: getattr(entry, name)
    minimum, maximum, increment = get("min_quantity"), get("max_quantity"), get("increment")
    if minimum is None and maximum is None and increment <= 1:
        return None
    return QuantityRule(title=title, minimum=minimum, maximum=maximum, increment=increment)


_LISTS_SQL = """
SELECT id, merchant_id, name, percent_off FROM procurement_pricelist
WHERE company_id = %s AND merchant_id IN ({merchants}) AND active
  AND (starts_on IS NULL OR starts_on <= %s) AND (ends_on IS NULL OR ends_on >= %s)
ORDER BY id
"""
_LIST_FIELDS = ["id", "merchant_id", "name", "percent_off"]


def valid_lists(*, company_id: int, merchant_ids: set[int], on: date) -> list[PriceList]:
    """The company's lists from these merchants that hold on ``on`` (only the fields pricing
    reads; written by hand: every cart, submit and approval asks it)."""
    if not merchant_ids:
        return []
    day = connection.ops.adapt_datefield_value(on)
    with connection.cursor() as cursor:
        cursor.execute(
            _LISTS_SQL.format(merchants=", ".join(["%s"] * len(merchant_ids))),
            [company_id, *sorted(merchant_ids), day, day],
        )
        rows = cursor.fetchall()
    return [PriceList.from_db(connection.alias, _LIST_FIELDS, row) for row in rows]


def _entries(list_ids: list[int], sku_ids: set[int]) -> dict[tuple[int, int], dict]:
    """(list id, SKU id) → the entry with its tiers, from one query (entries left-joined to
    their tiers)."""
    rows = (
        PriceListEntry.objects.filter(price_list_id__in=list_ids, sku_id__in=sku_ids)
        .values_list(
            "price_list_id",
            "sku_id",
            "fixed_price",
            "min_quantity",
            "max_quantity",
            "increment",
            "tiers__min_quantity",
            "tiers__price",
        )
        .order_by()
    )
    entries: dict[tuple[int, int], dict] = {}
    for list_id, sku_id, fixed, minimum, maximum, increment, tier_from, tier_price in rows:
        entry = entries.setdefault(
            (list_id, sku_id),
            {
                "fixed_price": fixed,
                "min_quantity": minimum,
                "max_quantity": maximum,
                "increment": increment,
                "tiers": [],
            },
        )
        if tier_from is not None:
            entry["tiers"].append((tier_from, tier_price))
    return entries


def _offer(price_list: PriceList, entry: dict | None, retail: int, quantity: int):
    """The list's price for ``quantity`` units and how it was found (a tier's quantity, or
    "fixed", "percent", "rule"), or None when the list does not apply."""
    if entry is not None:
        tiers = entry["tiers"]
        if tiers:
            reached = [tier for tier in tiers if tier[0] <= quantity]
            if reached:
                tier_from, tier_price = max(reached)
                return tier_price, tier_from
        if entry["fixed_price"] is not None:
            return entry["fixed_price"], "fixed"
    if price_list.percent_off:
        return percent_price(retail, price_list.percent_off), "percent"
    if entry is not None:
        # An entry with only a quantity rule: the retail price, under the list's rule.
        return retail, "rule"
    return None


def _reason(price_list: PriceList, how: int | str) -> str:
    if how == "percent":
        return _("Price list %(name)s, %(percent)s%% off") % {
            "name": price_list.name,
            "percent": percent_words(price_list.percent_off),
        }
    if how == "fixed":
        return _("Price list %(name)s") % {"name": price_list.name}
    return _("Price list %(name)s, tier ≥ %(quantity)s") % {
        "name": price_list.name,
        "quantity": how,
    }


def company_prices(
    *, company_id: int, items: list[tuple[Sku, int]], on: date | None = None
) -> list[Price]:
    """The price of each (SKU, quantity) for the company, in the order given. SKUs come with
    their product loaded (its merchant and title are read)."""
    if not items:
        return []
    on = on or timezone.localdate()
    merchant_ids = {sku.product.merchant_id for sku, _quantity in items}
    lists = valid_lists(company_id=company_id, merchant_ids=merchant_ids, on=on)
    by_merchant: dict[int, list[PriceList]] = defaultdict(list)
    for price_list in lists:
        by_merchant[price_list.merchant_id].append(price_list)
    entries = _entries([pl.pk for pl in lists], {sku.pk for sku, _q in items}) if lists else {}
    prices = []
    for sku, quantity in items:
        best = None  # (price, list, how, entry)
        for price_list in by_merchant.get(sku.product.merchant_id, ()):
            entry = entries.get((price_list.pk, sku.pk))
            offer = _offer(price_list, entry, sku.price, quantity)
            if offer is not None and (best is None or offer[0] < best[0]):
                best = (offer[0], price_list, offer[1], entry)
        if best is None:
            prices.append(Price(sku.price, sku.price, "", None, None))
            continue
        amount, price_list, how, entry = best
        rule = entry_rule(entry, sku.product.title) if entry is not None else None
        if amount >= sku.price:
            # No cheaper than retail: the retail price, though the list's rule still holds.
            prices.append(Price(sku.price, sku.price, "", price_list.pk, rule))
        else:
            prices.append(Price(amount, sku.price, _reason(price_list, how), price_list.pk, rule))
    return prices


def quantity_problem(*, price: Price, quantity: int) -> str | None:
    """The rule's words when ``quantity`` breaks it, else None."""
    if price.rule is None or price.rule.allows(quantity):
        return None
    return price.rule.describe()


def net_price(amount: int, rate_bp: int) -> int:
    """The part of a VAT-inclusive ``amount`` before tax, as an invoice line states it:
    amount × 10000 / (10000 + rate), rounded half up to the fen (invoicing's split)."""
    return vat.split(amount, rate_bp)[0]


def rate_words(rate_bp: int) -> str:
    """1300 → "13%"."""
    return f"{percent_words(rate_bp)}%"
