"""The merchant's price list pages: reached from "My products", a list created, its product
price with tiers and rule saved, a bad entry refused with its message and nothing saved; no
one else opens them."""

import re

import pytest
from django.utils.html import escape

from infoconnect.core.errors import DomainError
from infoconnect.procurement.errors import PricingError
from infoconnect.procurement.models import PriceList, PriceListEntry, PriceTier
from infoconnect.procurement.tests.pricing.world import framework

pytestmark = pytest.mark.django_db


def text(response) -> str:
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_a_merchant_creates_a_list_and_prices_a_product(client, world):
    client.force_login(world.merchant_a)
    products = client.get("/shop/manage/products/").content.decode()
    assert 'href="/companies/price-lists/"' in products
    response = client.post("/companies/price-lists/", {
        "company": world.company.uscc, "name": "2026 framework", "percent_off": "8",
        "starts_on": "2026-01-01", "ends_on": "", "active": "on",
    })  # fmt: skip
    plist = PriceList.objects.get()
    assert response.url == f"/companies/price-lists/{plist.pk}/"
    assert (plist.percent_off, plist.company_id, plist.ends_on) == (800, world.company.pk, None)
    response = client.post(f"/companies/price-lists/{plist.pk}/entries/", {
        "sku": world.sku_a.pk, "fixed_price": "2,900.00", "min_quantity": "10",
        "max_quantity": "500", "increment": "5",
        "tier_quantity": ["50", "", "100"], "tier_price": ["2500", "", "2400.50"],
    })  # fmt: skip
    assert response.status_code == 302
    page = text(client.get(f"/companies/price-lists/{plist.pk}/"))
    assert "For Huaxia Design Co., Ltd. (91350100M000100Y43)" in page
    assert (
        "Laser printer colour: red ¥3,100.00 ¥2,900.00 from 50: ¥2,500.00 from 100: ¥2,400.50 "
        "min 10 max 500 in multiples of 5" in page
    )
    index = text(client.get("/companies/price-lists/"))
    assert "Huaxia Design Co., Ltd. 91350100M000100Y43 2026 framework 8% 2026-01-01 – … 1" in index


def test_a_bad_entry_shows_why_and_saves_nothing(client, world):
    plist = framework(world)
    client.force_login(world.merchant_a)
    response = client.post(f"/companies/price-lists/{plist.pk}/entries/", {
        "sku": world.sku_a.pk, "fixed_price": "2900", "min_quantity": "7", "increment": "5",
        "tier_quantity": ["50"], "tier_price": ["2500"],
    })  # fmt: skip
    assert response.status_code == 422
    assert escape(DomainError(PricingError.RULE_INVALID).message) in response.content.decode()
    # A good rule with a bad tier: neither the entry nor the tier is saved.
    response = client.post(f"/companies/price-lists/{plist.pk}/entries/", {
        "sku": world.sku_a.pk, "fixed_price": "2900", "tier_quantity": ["1"],
        "tier_price": ["2500"],
    })  # fmt: skip
    assert response.status_code == 422
    assert (PriceListEntry.objects.count(), PriceTier.objects.count()) == (0, 0)


def test_others_cannot_open_or_change_a_list(client, world):
    plist = framework(world)
    for who in (world.merchant_b, world.buyer):
        client.force_login(who)
        assert client.get(f"/companies/price-lists/{plist.pk}/").status_code in (403, 404)
        response = client.post(f"/companies/price-lists/{plist.pk}/delete/")
        assert response.status_code in (403, 404)
    client.force_login(world.buyer)
    assert client.get("/companies/price-lists/").status_code == 403
    client.force_login(world.merchant_b)
    assert "2026 framework" not in client.get("/companies/price-lists/").content.decode()
    assert PriceList.objects.filter(pk=plist.pk).exists()


def test_the_merchant_edits_and_deletes_the_list(client, world):
    plist = framework(world)
    client.force_login(world.merchant_a)
    response = client.post(f"/companies/price-lists/{plist.pk}/", {
        "name": "2026 framework", "percent_off": "12.5", "starts_on": "", "ends_on": "",
    })  # fmt: skip
    assert response.status_code == 302
    plist.refresh_from_db()
    assert (plist.percent_off, plist.active) == (1250, False)
    response = client.post(f"/companies/price-lists/{plist.pk}/", {
        "name": "2026 framework", "percent_off": "abc",
    })  # fmt: skip
    assert response.status_code == 422
    client.post(f"/companies/price-lists/{plist.pk}/delete/")
    assert not PriceList.objects.exists()
