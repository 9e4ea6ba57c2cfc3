"""The price lists API (merchant side) and a company's effective prices (members only)."""

import pytest

from infoconnect.procurement.models import PriceList, PriceListEntry
from infoconnect.procurement.tests.pricing.world import framework, with_tiers

pytestmark = pytest.mark.django_db


def send(client, method, url, body=None):
    return getattr(client, method)(url, body or {}, content_type="application/json")


def test_a_merchant_makes_a_list_with_an_entry_and_tiers(api_client, world):
    shop = api_client(world.merchant_a)
    made = send(shop, "post", "/api/v1/price_lists", {
        "company": world.company.uscc, "name": "2026 framework", "percent_off": 800,
        "starts_on": "2026-01-01", "ends_on": "2026-12-31",
    })  # fmt: skip
    assert made.status_code == 201, made.content
    list_id = made.json()["id"]
    assert made.json()["company_name"] == world.company.legal_name
    entry = send(shop, "put", f"/api/v1/price_lists/{list_id}/entries/{world.sku_a.pk}", {
        "fixed_price": 300_000, "min_quantity": 10, "max_quantity": 500, "increment": 5,
    })  # fmt: skip
    assert entry.status_code == 200, entry.content
    tiers = send(
        shop, "put", f"/api/v1/price_lists/{list_id}/entries/{world.sku_a.pk}/tiers",
        {"tiers": [{"min_quantity": 50, "price": 250_000}]},
    )  # fmt: skip
    assert tiers.json()["tiers"] == [{"min_quantity": 50, "price": 250_000}]
    changed = send(shop, "patch", f"/api/v1/price_lists/{list_id}", {"active": False})
    assert (changed.json()["active"], changed.json()["percent_off"]) == (False, 800)
    detail = shop.get(f"/api/v1/price_lists/{list_id}").json()
    assert detail["entries"][0]["fixed_price"] == 300_000
    assert [row["id"] for row in shop.get("/api/v1/price_lists").json()] == [list_id]
    assert shop.delete(f"/api/v1/price_lists/{list_id}").status_code == 204
    assert not PriceList.objects.exists()


def test_bad_input_is_a_422_with_its_code_and_nothing_written(api_client, world):
    shop = api_client(world.merchant_a)
    plist = framework(world)
    response = send(shop, "put", f"/api/v1/price_lists/{plist.pk}/entries/{world.sku_a.pk}", {
        "min_quantity": 7, "increment": 5,
    })  # fmt: skip
    assert response.status_code == 422
    assert response.json()["code"] == "quantity_rule_invalid"
    assert not PriceListEntry.objects.exists()
    response = send(shop, "post", "/api/v1/price_lists", {"company": "nope", "name": "X"})
    assert (response.status_code, response.json()["code"]) == (404, "price_company_not_found")


def test_another_merchant_and_a_buyer_may_not(api_client, world):
    plist = framework(world)
    other = api_client(world.merchant_b)
    assert other.get(f"/api/v1/price_lists/{plist.pk}").status_code == 404
    assert other.get("/api/v1/price_lists").json() == []
    assert send(other, "patch", f"/api/v1/price_lists/{plist.pk}", {"name": "B"}).status_code == 404
    assert other.delete(f"/api/v1/price_lists/{plist.pk}").status_code == 404
    buyer = api_client(world.buyer)
    response = buyer.get("/api/v1/price_lists")
    assert (response.status_code, response.json()["code"]) == (403, "not_a_merchant")
    assert PriceList.objects.get().name == "2026 framework"


def test_a_member_reads_the_companys_prices(api_client, world):
    plist = framework(world)
    with_tiers(world, plist, world.sku_a, (50, 250_000), min_quantity=10, increment=5)
    client = api_client(world.buyer)
    url = f"/api/v1/companies/{world.company.pk}/prices"
    response = client.get(url, {"sku": [world.sku_a.pk, world.sku_b.pk], "quantity": 50})
    assert response.status_code == 200, response.content
    first, second = response.json()
    assert first == {
        "sku_id": world.sku_a.pk,
        "quantity": 50,
        "retail_price": 310_000,
        "unit_price": 250_000,
        "unit_price_display": "¥2,500.00",
        "net_unit_price": 221_239,
        "tax_rate": 1300,
        "reason": "Price list 2026 framework, tier ≥ 50",
        "price_list_id": plist.pk,
        "rule": {
            "min_quantity": 10,
            "max_quantity": None,
            "increment": 5,
            "text": "Order Laser printer in multiples of 5 (min 10).",
        },
    }
    assert (second["unit_price"], second["reason"], second["rule"]) == (155_000, "", None)
    per_sku = client.get(url, {"sku": [world.sku_a.pk, world.sku_b.pk], "quantity": [1, 2]})
    assert [row["quantity"] for row in per_sku.json()] == [1, 2]
    bad = client.get(url, {"sku": [world.sku_a.pk], "quantity": [1, 2]})
    assert (bad.status_code, bad.json()["code"]) == (422, "skus_invalid")


def test_others_never_see_the_companys_prices(api_client, world, make_user):
    framework(world)
    url = f"/api/v1/companies/{world.company.pk}/prices"
    for who in (make_user("person"), world.merchant_a):
        response = api_client(who).get(url, {"sku": world.sku_a.pk})
        assert (response.status_code, response.json()["code"]) == (404, "not_a_member")
    assert api_client().get(url, {"sku": world.sku_a.pk}).status_code == 401


def test_the_requisition_api_refuses_a_quantity_off_the_rule(api_client, world):
    plist = framework(world)
    with_tiers(world, plist, world.sku_a, (50, 250_000), min_quantity=10, increment=5)
    body = {
        "company_id": world.company.pk,
        "department_id": world.design.pk,
        "ship_to_id": world.ship_to.pk,
        "lines": [{"sku_id": world.sku_a.pk, "quantity": 12}],
    }
    response = send(api_client(world.buyer), "post", "/api/v1/requisitions", body)
    assert response.status_code == 422
    assert response.json() == {
        "error": "Order Laser printer in multiples of 5 (min 10).",
        "code": "quantity_rule",
    }
    body["lines"][0]["quantity"] = 50
    response = send(api_client(world.buyer), "post", "/api/v1/requisitions", body)
    assert response.status_code == 201, response.content
    line = response.json()["lines"][0]
    assert (line["unit_price"], line["list_price"], line["price_reason"]) == (
        250_000, 310_000, "Price list 2026 framework, tier ≥ 50",
    )  # fmt: skip
