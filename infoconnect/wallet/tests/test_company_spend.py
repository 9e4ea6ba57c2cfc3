"""The operator's report counts what companies spend: orders bought for them that were paid,
shipped or completed, and the companies spending most."""

import re

import pytest
from django.test import Client

from infoconnect.procurement.tests.factories import VALID_2
from infoconnect.shop import actions as shop
from infoconnect.shop.selectors import company_spend
from infoconnect.shop.tests.companies import fund_company, place, purchase, verified_company
from infoconnect.shop.tests.conftest import fund, make_product
from infoconnect.wallet.selectors import company_balance

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop_sku(make_user):
    merchant = make_user("acme", kind="merchant", verified=True)
    _p, sku = make_product(merchant, title="Longjing", price=1_000, stock=100, max_per_order=20)
    return sku


@pytest.fixture
def spending(make_user, shop_sku):
    """Huaxia: one order paid (2 units), one shipped (3), one completed (4), one cancelled
    after payment (5), one refunded (6), one unpaid (7). Minjiang: one paid (10).
    A person: one paid (8)."""
    boss, other = make_user("boss"), make_user("minjiang")
    huaxia = verified_company(make_user, boss)
    minjiang = verified_company(make_user, other, name="Minjiang Tea", code=VALID_2)
    fund_company(huaxia, boss, 1_000_000)
    fund_company(minjiang, other, 1_000_000)

    def order(buyer, company, quantity, key, pay=True):
        options = {"company": purchase(company)} if company else {}
        (placed,) = place(buyer, [(shop_sku, quantity)], key=key, pay=pay, **options)
        return placed

    merchant = shop_sku.product.merchant
    order(boss, huaxia, 2, "a")
    shipped = order(boss, huaxia, 3, "b")
    shop.ship_order(merchant=merchant, order_id=shipped.pk, carrier="SF", tracking_number="1")
    completed = order(boss, huaxia, 4, "c")
    shop.ship_order(merchant=merchant, order_id=completed.pk, carrier="SF", tracking_number="2")
    shop.confirm_receipt(buyer=boss, order_id=completed.pk)
    cancelled = order(boss, huaxia, 5, "d")
    shop.cancel_order(person=boss, order_id=cancelled.pk)
    refunded = order(boss, huaxia, 6, "e")
    shop.ship_order(merchant=merchant, order_id=refunded.pk, carrier="SF", tracking_number="3")
    shop.confirm_receipt(buyer=boss, order_id=refunded.pk)
    shop.request_refund(buyer=boss, order_id=refunded.pk, reason="Stale")
    shop.answer_refund(merchant=merchant, order_id=refunded.pk, accept=True)
    order(boss, huaxia, 7, "f", pay=False)
    order(other, minjiang, 10, "g")
    person = make_user("alice")
    fund(person, 10_000)
    order(person, None, 8, "h")
    return huaxia, minjiang


def test_company_spend_counts_orders_paid_shipped_or_completed(spending):
    huaxia, minjiang = spending
    spend = company_spend()
    assert spend["total"] == (2 + 3 + 4) * 1_000 + 10 * 1_000
    assert spend["top"] == [
        (minjiang.pk, "Minjiang Tea", 10_000),
        (huaxia.pk, "Huaxia Design", 9_000),
    ]
    assert company_spend(top=1)["top"] == [(minjiang.pk, "Minjiang Tea", 10_000)]
    # The cancelled and refunded orders went back to the company's wallet.
    assert company_balance(company_id=huaxia.pk) == 1_000_000 - 9_000


def test_no_company_spend_yet():
    assert company_spend() == {"total": 0, "top": []}


def test_the_operators_report_shows_company_spend(make_user, spending):
    operator = make_user("operator", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(operator)
    page = re.sub(r"\s+", " ", client.get("/admin/wallet/ledgeraccount/").content.decode())
    assert (
        '<th scope="row">Company spend (orders paid, shipped or completed)</th><td>¥190.00</td>'
        in page
    )
    minjiang = page.index("Minjiang Tea")
    assert minjiang < page.index("Huaxia Design")
    assert "<td>¥100.00</td>" in page[minjiang:]
    assert "Top companies by spend" in page
