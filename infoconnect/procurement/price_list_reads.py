"""Reads of price lists: a merchant's own lists, one list with its entries and tiers, and a
company member's effective prices (members of that company only)."""

from __future__ import annotations

from django.db.models import Count, Prefetch, QuerySet

from infoconnect.accounts.models import User
from infoconnect.core.errors import DomainError
from infoconnect.core.ids import parse_id
from infoconnect.procurement.actions.price_lists import own_list, require_merchant
from infoconnect.procurement.errors import PricingError
from infoconnect.procurement.models import PriceList, PriceListEntry
from infoconnect.procurement.pricing import Price, company_prices
from infoconnect.procurement.selectors import current_membership, require_member
from infoconnect.shop.models import Sku

MAX_SKUS = 200
MAX_QUANTITY = 9999


def merchant_lists(*, merchant: User, company_id: object = None) -> QuerySet[PriceList]:
    require_merchant(merchant)
    rows = (
        PriceList.objects.filter(merchant_id=merchant.pk)
        .select_related("company")
        .annotate(entry_count=Count("entries"))
        .order_by("company__legal_name", "-id")
    )
    if company_id not in (None, ""):
        rows = rows.filter(company_id=parse_id(company_id))
    return rows


def list_with_entries(*, merchant: User, price_list_id: object) -> PriceList:
    """The merchant's list, its entries (SKU and product loaded) and their tiers prefetched."""
    price_list = own_list(merchant=merchant, price_list_id=price_list_id)
    entries = PriceListEntry.objects.select_related("sku__product").prefetch_related("tiers")
    return (
        PriceList.objects.select_related("company")
        .prefetch_related(Prefetch("entries", queryset=entries.order_by("sku__product__title")))
        .get(pk=price_list.pk)
    )


def member_prices(
    *, user: User, company_id: object, sku_ids: list[object], quantities: list[object]
) -> list[tuple[Sku, int, Price]]:
    """The company's prices for SKUs on sale, for one quantity each (or one for all)."""
    membership = require_member(user=user, company_id=company_id)
    ids = [parse_id(value) for value in sku_ids]
    wanted = [parse_id(value) for value in quantities] or [1]
    if len(wanted) == 1:
        wanted = wanted * len(ids)
    if (
        not 1 <= len(ids) <= MAX_SKUS
        or None in ids
        or len(wanted) != len(ids)
        or any(q is None or q > MAX_QUANTITY for q in wanted)
    ):
        raise DomainError(PricingError.SKUS_INVALID)
    found = {
        sku.pk: sku
        for sku in Sku.objects.select_related("product", "product__merchant").filter(pk__in=ids)
        if sku.is_active and sku.product.is_on_sale and sku.product.merchant_sells
    }
    if len(found) != len(set(ids)):
        raise DomainError(PricingError.SKUS_INVALID)
    items = [(found[pk], quantity) for pk, quantity in zip(ids, wanted, strict=True)]
    prices = company_prices(company_id=membership.company_id, items=items)
    return [(sku, quantity, price) for (sku, quantity), price in zip(items, prices, strict=True)]


def member_sku_prices(
    *, user: User, company_id: object, skus: list[Sku]
) -> list[tuple[Sku, Price]]:
    """One unit of each SKU at the company's price; nothing for someone not its member."""
    membership = current_membership(user=user, company_id=company_id)
    if membership is None or not skus:
        return []
    prices = company_prices(company_id=membership.company_id, items=[(s, 1) for s in skus])
    return list(zip(skus, prices, strict=True))
