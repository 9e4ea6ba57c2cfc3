"""A SKU's VAT: the merchant's form and the shop API take its rate, classification code and
unit; bad ones are refused and nothing changes; the product page says "VAT 9% included"."""

import pytest
from django.urls import reverse

from infoconnect.shop.models import Sku

pytestmark = pytest.mark.django_db

CODE = "1090511030000000000"


def test_the_api_takes_and_shows_the_vat_fields(api_client, world):
    shop = api_client(world.merchant_a)
    made = shop.post(
        f"/api/v1/products/{world.sku_a.product_id}/skus",
        {"attributes": {"colour": "black"}, "price": 99_00, "stock": 3, "tax_rate": 900,
         "tax_code": CODE, "unit": "台"},
        content_type="application/json",
    )  # fmt: skip
    assert made.status_code == 201, made.content
    body = made.json()
    assert (body["tax_rate"], body["tax_code"], body["unit"]) == (900, CODE, "台")
    # A PATCH without them keeps them.
    changed = shop.patch(
        f"/api/v1/skus/{body['id']}",
        {"attributes": {"colour": "black"}, "price": 98_00},
        content_type="application/json",
    )
    assert (changed.json()["tax_rate"], changed.json()["unit"]) == (900, "台")


@pytest.mark.parametrize(
    "fields", [{"tax_rate": 1700}, {"tax_code": "12345"}, {"unit": "x" * 11}, {"tax_rate": True}]
)
def test_bad_vat_is_a_422_and_nothing_changes(api_client, world, fields):
    shop = api_client(world.merchant_a)
    response = shop.patch(
        f"/api/v1/skus/{world.sku_a.pk}",
        {"attributes": {"colour": "red"}, "price": 310_000, **fields},
        content_type="application/json",
    )
    assert (response.status_code, response.json()["code"]) == (422, "validation_error")
    sku = Sku.objects.get(pk=world.sku_a.pk)
    assert (sku.tax_rate, sku.tax_code, sku.unit) == (1300, "", "")


def test_another_merchant_cannot_set_them(api_client, world):
    response = api_client(world.merchant_b).patch(
        f"/api/v1/skus/{world.sku_a.pk}",
        {"attributes": {"colour": "red"}, "price": 310_000, "tax_rate": 0},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert Sku.objects.get(pk=world.sku_a.pk).tax_rate == 1300


def test_the_form_sets_them_and_the_product_page_shows_the_rate(client, world):
    client.force_login(world.merchant_a)
    prefix = f"sku-{world.sku_a.pk}"
    response = client.post(reverse("shop:sku_edit", args=[world.sku_a.pk]), {
        f"{prefix}-attributes": "colour: red", f"{prefix}-price": "3100.00",
        f"{prefix}-is_active": "on", f"{prefix}-tax_rate": "900",
        f"{prefix}-tax_code": CODE, f"{prefix}-unit": "台",
    })  # fmt: skip
    assert response.status_code == 302
    sku = Sku.objects.get(pk=world.sku_a.pk)
    assert (sku.tax_rate, sku.tax_code, sku.unit) == (900, CODE, "台")
    page = client.get(reverse("shop:product", args=[sku.product_id])).content.decode()
    assert "VAT 9% included" in page
    response = client.post(reverse("shop:sku_edit", args=[world.sku_a.pk]), {
        f"{prefix}-attributes": "colour: red", f"{prefix}-price": "3100.00",
        f"{prefix}-tax_rate": "900", f"{prefix}-tax_code": "123",
    })  # fmt: skip
    assert response.status_code == 422
    assert "Enter the 19-digit tax classification code." in response.content.decode()
    assert Sku.objects.get(pk=world.sku_a.pk).tax_code == CODE
