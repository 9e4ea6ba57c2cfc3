"""The demo company's contract prices: Byte Gadgets gives Huaxia Design its "2026 framework"
price list: 8% off everything of Byte Gadgets', the mechanical keyboard (brown switches) at
¥309.00 from 1 and ¥289.00 from 20, in multiples of 2 up to 200, and the USB-C dock at a
fixed ¥179.00.

Made through the price list actions, so it is what a merchant would make; found again by
name, so seeding twice adds nothing.
"""

from __future__ import annotations

from django.db import transaction

from infoconnect.accounts.models import User
from infoconnect.procurement.actions import price_lists
from infoconnect.procurement.actions.price_lists import TierSpec
from infoconnect.procurement.models import Company, PriceList
from infoconnect.shop.models import Sku

NAME = "2026 framework"
PERCENT_OFF = 800
# product title, the SKU's attributes, fixed price, min, max, increment, tiers
ENTRIES = [
    ("87-key mechanical keyboard", {"switches": "brown"}, 30_900, None, 200, 2,
     [TierSpec(20, 28_900)]),
    ("USB-C dock, 8 in 1", {"colour": "space grey"}, 17_900, None, None, 1, []),
]  # fmt: skip


@transaction.atomic
def seed_price_list(company: Company, merchant: User) -> PriceList:
    found = PriceList.objects.filter(company=company, merchant=merchant, name=NAME).first()
    if found is not None:
        return found
    made = price_lists.create_price_list(
        merchant=merchant, company=company.uscc, name=NAME, percent_off=PERCENT_OFF
    )
    for title, attributes, fixed, minimum, maximum, increment, tiers in ENTRIES:
        sku = Sku.objects.get(
            product__merchant=merchant, product__title=title, attributes=attributes
        )
        price_lists.save_entry(
            merchant=merchant,
            price_list_id=made.pk,
            sku_id=sku.pk,
            fixed_price=fixed,
            min_quantity=minimum,
            max_quantity=maximum,
            increment=increment,
            tiers=tiers,
        )
    return made
