"""Price lists to test with: the requisition world's company gets lists from merchant A."""

from __future__ import annotations

from datetime import date

from infoconnect.procurement.actions import price_lists
from infoconnect.procurement.actions.price_lists import TierSpec
from infoconnect.procurement.models import PriceList


def framework(
    world, *, percent_off: int = 800, name: str = "2026 framework", **window
) -> PriceList:
    """Merchant A's list for the company: ``percent_off`` basis points off everything."""
    return price_lists.create_price_list(
        merchant=world.merchant_a,
        company=world.company.uscc,
        name=name,
        percent_off=percent_off,
        starts_on=window.get("starts_on"),
        ends_on=window.get("ends_on"),
    )


def with_tiers(world, price_list: PriceList, sku, *tiers: tuple[int, int], **entry) -> None:
    price_lists.set_entry(
        merchant=world.merchant_a, price_list_id=price_list.pk, sku_id=sku.pk, **entry
    )
    price_lists.set_tiers(
        merchant=world.merchant_a,
        price_list_id=price_list.pk,
        sku_id=sku.pk,
        tiers=[TierSpec(min_quantity=q, price=p) for q, p in tiers],
    )


TODAY = date(2026, 3, 10)
