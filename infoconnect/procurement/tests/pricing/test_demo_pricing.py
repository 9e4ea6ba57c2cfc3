"""seed_price_list: Huaxia Design's list from Byte Gadgets, priced as the demo says, once."""

import pytest
from django.core.management import call_command

from infoconnect.accounts.models import User
from infoconnect.procurement import demo_pricing
from infoconnect.procurement.models import Company, PriceList, PriceListEntry, PriceTier
from infoconnect.procurement.pricing import company_prices, quantity_problem
from infoconnect.shop.models import Sku

pytestmark = pytest.mark.django_db


def test_the_demo_list_prices_the_keyboard_dock_and_stand(db):
    call_command("seed_demo", stdout=None)
    company = Company.objects.get()
    merchant = User.objects.get(username="bytegadgets")
    demo_pricing.seed_price_list(company, merchant)
    demo_pricing.seed_price_list(company, merchant)
    assert (PriceList.objects.count(), PriceListEntry.objects.count()) == (1, 2)
    assert PriceTier.objects.count() == 1
    skus = Sku.objects.select_related("product").filter(product__merchant=merchant)
    keyboard = skus.get(attributes={"switches": "brown"})
    dock = skus.get(attributes={"colour": "space grey"})
    stand = skus.get(product__title="Aluminium laptop stand")
    prices = company_prices(
        company_id=company.pk, items=[(keyboard, 20), (keyboard, 2), (dock, 1), (stand, 1)]
    )
    assert [(p.unit_price, p.reason) for p in prices] == [
        (28_900, "Price list 2026 framework, tier ≥ 20"),
        (30_900, "Price list 2026 framework"),
        (17_900, "Price list 2026 framework"),
        (11_868, "Price list 2026 framework, 8% off"),
    ]
    assert (
        quantity_problem(price=prices[1], quantity=3)
        == "Order 87-key mechanical keyboard in multiples of 2 (max 200)."
    )
