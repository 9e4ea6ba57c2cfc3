"""company_prices: tiers, fixed prices and percentages per list, the lowest across lists,
validity windows, and the whole cart in two queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from infoconnect.procurement.actions import price_lists
from infoconnect.procurement.actions.companies import verify_company
from infoconnect.procurement.models import PriceList
from infoconnect.procurement.pricing import company_prices, quantity_problem
from infoconnect.procurement.tests.factories import make_company, valid_uscc
from infoconnect.procurement.tests.pricing.world import framework, with_tiers
from infoconnect.shop.models import Sku
from infoconnect.shop.tests.conftest import make_product

pytestmark = pytest.mark.django_db


def price(world, sku, quantity, **kw):
    sku = Sku.objects.select_related("product").get(pk=sku.pk)
    return company_prices(company_id=world.company.pk, items=[(sku, quantity)], **kw)[0]


def test_no_list_is_the_retail_price(world):
    found = price(world, world.sku_a, 1)
    assert (found.unit_price, found.list_price, found.reason) == (310_000, 310_000, "")
    assert found.price_list_id is None and found.rule is None


def test_percentage_off_rounds_half_up_to_the_fen(world):
    framework(world, percent_off=1250)
    # 310,000 × 0.875 = 271,250 exactly; 1,550.05 × 0.875 = 1,356.29375 → 135,629.
    assert price(world, world.sku_a, 1).unit_price == 271_250
    Sku.objects.filter(pk=world.sku_a.pk).update(price=155_005)
    found = price(world, world.sku_a, 1)
    assert (found.unit_price, found.reason) == (135_629, "Price list 2026 framework, 12.5% off")


def test_tier_beats_fixed_beats_percentage_inside_a_list(world):
    plist = framework(world, percent_off=800)
    with_tiers(world, plist, world.sku_a, (50, 250_000), (10, 280_000), fixed_price=300_000)
    assert price(world, world.sku_a, 1).reason == "Price list 2026 framework"
    assert price(world, world.sku_a, 1).unit_price == 300_000
    assert price(world, world.sku_a, 10).unit_price == 280_000
    tier = price(world, world.sku_a, 60)
    assert (tier.unit_price, tier.reason) == (250_000, "Price list 2026 framework, tier ≥ 50")


def test_fixed_price_wins_in_its_list_even_above_the_percentage(world):
    # 8% off would be ¥2,852.00; the list's own fixed price ¥3,000.00 is what this list says.
    plist = framework(world, percent_off=800)
    price_lists.set_entry(
        merchant=world.merchant_a, price_list_id=plist.pk, sku_id=world.sku_a.pk,
        fixed_price=300_000,
    )  # fmt: skip
    assert price(world, world.sku_a, 1).unit_price == 300_000


def test_the_lowest_list_wins_and_gives_its_rule(world):
    framework(world, percent_off=800, name="Everything")  # ¥2,852.00
    special = framework(world, percent_off=0, name="Printers")
    price_lists.set_entry(
        merchant=world.merchant_a, price_list_id=special.pk, sku_id=world.sku_a.pk,
        fixed_price=270_000, min_quantity=2, max_quantity=40, increment=2,
    )  # fmt: skip
    found = price(world, world.sku_a, 4)
    assert (found.unit_price, found.reason, found.price_list_id) == (
        270_000, "Price list Printers", special.pk,
    )  # fmt: skip
    assert quantity_problem(price=found, quantity=4) is None
    assert (
        quantity_problem(price=found, quantity=3)
        == "Order Laser printer in multiples of 2 (min 2, max 40)."
    )
    assert quantity_problem(price=found, quantity=42) is not None


def test_never_above_retail(world):
    plist = framework(world, percent_off=0)
    price_lists.set_entry(
        merchant=world.merchant_a, price_list_id=plist.pk, sku_id=world.sku_a.pk,
        fixed_price=400_000, min_quantity=5,
    )  # fmt: skip
    found = price(world, world.sku_a, 5)
    assert (found.unit_price, found.reason) == (310_000, "")
    assert quantity_problem(price=found, quantity=1) == "Order Laser printer (min 5)."


def test_inactive_expired_and_future_lists_do_not_apply(world):
    today = timezone.localdate()
    framework(world, percent_off=1000, ends_on=today - timedelta(days=1))
    framework(world, percent_off=2000, starts_on=today + timedelta(days=1))
    off = framework(world, percent_off=3000)
    PriceList.objects.filter(pk=off.pk).update(active=False)
    assert price(world, world.sku_a, 1).unit_price == 310_000
    # The last day of a window is inside it.
    framework(world, percent_off=500, starts_on=today, ends_on=today)
    assert price(world, world.sku_a, 1).unit_price == 294_500
    # Tomorrow the one-day list is over and the one starting then applies.
    tomorrow = price(world, world.sku_a, 1, on=today + timedelta(days=1))
    assert (tomorrow.unit_price, tomorrow.reason) == (248_000, "Price list 2026 framework, 20% off")


def test_another_companys_and_another_merchants_lists_do_not_apply(world, make_user):
    other_admin = make_user("other_boss")
    other = make_company(other_admin, name="Other Co.", code=valid_uscc(7))
    verify_company(operator=world.operator, company_id=other.pk)
    price_lists.create_price_list(
        merchant=world.merchant_a, company=other.uscc, name="Theirs", percent_off=5000
    )
    price_lists.create_price_list(
        merchant=world.merchant_b, company=world.company.pk, name="B's", percent_off=5000
    )
    assert price(world, world.sku_a, 1).unit_price == 310_000
    assert price(world, world.sku_b, 1).unit_price == 77_500


def test_a_cart_is_priced_in_two_queries(world):
    first = framework(world, percent_off=500, name="One")
    second = framework(world, percent_off=0, name="Two")
    items = []
    for n in range(30):
        _p, sku = make_product(world.merchant_a, title=f"Item {n}", price=10_000 + n)
        with_tiers(world, first if n % 2 else second, sku, (5, 9_000), (20, 8_000))
        items.append((Sku.objects.select_related("product").get(pk=sku.pk), n + 1))
    with CaptureQueriesContext(connection) as queries:
        prices = company_prices(company_id=world.company.pk, items=items)
    assert len(queries) == 2
    assert [p.unit_price for p in prices[:6]] == [
        9_500, 9_501, 9_502, 9_503, 9_000, 9_000,
    ]  # fmt: skip
    assert prices[25].unit_price == 8_000


def test_the_reason_and_the_rule_speak_simplified_chinese(world):
    plist = framework(world)
    price_lists.set_entry(
        merchant=world.merchant_a, price_list_id=plist.pk, sku_id=world.sku_a.pk,
        min_quantity=10, increment=5,
    )  # fmt: skip
    with translation.override("zh-hans"):
        found = price(world, world.sku_a, 10)
        assert found.reason == "价格表 2026 framework，优惠 8%"
        assert quantity_problem(price=found, quantity=3) == (
            "Laser printer 须按 5 的倍数订购（最少 10）。"
        )
