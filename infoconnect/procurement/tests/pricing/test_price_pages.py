"""The company's prices on its pages: the cart, the requisition and the product page show the
contract price beside the struck-through retail price, why, and the VAT; nobody else sees
them (another company's member, a person, the merchant acting for themselves)."""

import re

import pytest
from django.urls import reverse

from infoconnect.procurement.actions import price_lists
from infoconnect.procurement.actions.companies import verify_company
from infoconnect.procurement.tests.factories import add, make_company, valid_uscc
from infoconnect.procurement.tests.pricing.world import framework, with_tiers
from infoconnect.procurement.tests.requisitions.world import draft
from infoconnect.procurement.tests.webui.conftest import act_for
from infoconnect.shop.models import Sku

pytestmark = pytest.mark.django_db


def text(response) -> str:
    """The page's words without tags, spaces folded."""
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_cart_shows_contract_and_retail_price_with_the_reason_and_vat(client, world):
    plist = framework(world)
    with_tiers(world, plist, world.sku_a, (5, 250_000))
    Sku.objects.filter(pk=world.sku_b.pk).update(tax_rate=900)
    draft(world, (world.sku_a, 5), (world.sku_b, 1))
    act_for(client, world.buyer, world.company)
    page = client.get(f"/companies/{world.company.pk}/requisitions/cart/")
    words = text(page)
    assert (
        "¥3,100.00 ¥2,500.00 Price list 2026 framework, tier ≥ 5 incl. VAT 13% · net ¥2,212.39"
        in words
    )
    # Merchant B has no list: its retail price, not struck through, with its 9% VAT.
    assert "¥1,550.00 incl. VAT 9% · net ¥1,422.02" in words
    assert page.content.decode().count('data-testid="retail-price"') == 1
    assert "¥14,050.00" in words  # 5 × 2,500.00 + 1,550.00


def test_the_requisition_page_shows_the_prices(client, world):
    framework(world)
    requisition = draft(world, (world.sku_a, 1))
    act_for(client, world.approver, world.company)
    page = client.get(f"/companies/{world.company.pk}/requisitions/{requisition.pk}/")
    assert "¥3,100.00 ¥2,852.00 Price list 2026 framework, 8% off" in text(page)


def test_the_product_page_shows_the_acting_companys_price_and_rule(client, world):
    plist = framework(world)
    price_lists.set_entry(
        merchant=world.merchant_a, price_list_id=plist.pk, sku_id=world.sku_a.pk,
        fixed_price=280_000, min_quantity=10, increment=5,
    )  # fmt: skip
    act_for(client, world.buyer, world.company)
    words = text(client.get(reverse("shop:product", args=[world.sku_a.product_id])))
    assert "¥3,100.00 20 in stock VAT 13% included" in words
    assert "colour: red: ¥3,100.00 ¥2,800.00 Price list 2026 framework" in words
    assert "Order Laser printer in multiples of 5 (min 10)." in words


def test_nobody_else_sees_the_companys_prices(client, world, make_user):
    framework(world, name="Secret terms")
    product_url = reverse("shop:product", args=[world.sku_a.product_id])
    # A person on their own, and the buyer acting for themselves.
    for who in (make_user("someone"), world.buyer):
        client.force_login(who)
        page = client.get(product_url)
        assert "Secret terms" not in page.content.decode()
        assert "¥2,852.00" not in page.content.decode()
    # A buyer of another company, acting for it.
    other_admin = make_user("other_boss")
    other = make_company(other_admin, name="Other Co.", code=valid_uscc(9))
    verify_company(operator=world.operator, company_id=other.pk)
    other.refresh_from_db()
    stranger = make_user("stranger")
    add(other, other_admin, stranger, "buyer")
    act_for(client, stranger, other)
    page = client.get(product_url).content.decode()
    assert 'data-testid="requisition-add"' in page
    assert "Secret terms" not in page and "¥2,852.00" not in page
    # Nor that company's cart pages.
    assert client.get(f"/companies/{world.company.pk}/requisitions/cart/").status_code == 404
