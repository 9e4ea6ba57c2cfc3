"""The merchant's orders page marks orders bought for a company and filters them; the order's
page says whom it was bought for."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from infoconnect.shop.tests.companies import place, purchase, verified_company
from infoconnect.shop.tests.conftest import make_product

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def orders(make_user, merchant, buyer):
    """One order for a company and one for a person, both unpaid, from the same merchant."""
    company = verified_company(make_user, buyer)
    _p, sku = make_product(merchant, title="Longjing", price=5_000, stock=10)
    (for_company,) = place(buyer, [(sku, 1)], company=purchase(company, requisition_id=77))
    (for_self,) = place(buyer, [(sku, 1)], key="own")
    return for_company, for_self


def test_company_orders_are_marked_on_the_merchants_list(merchant, orders):
    for_company, for_self = orders
    page = text(client_for(merchant).get("/shop/manage/orders/?state=awaiting_payment"))
    assert f"Order {for_company.pk}" in page and f"Order {for_self.pk}" in page
    assert page.count('data-testid="company-mark"') == 1
    assert "From Huaxia Design · Design · PO PO-2026-7" in page
    assert 'href="?from=companies"' in page


def test_the_from_companies_filter_shows_only_company_orders(merchant, orders):
    for_company, for_self = orders
    with CaptureQueriesContext(connection) as queries:
        response = client_for(merchant).get("/shop/manage/orders/?from=companies")
    page = text(response)
    assert f"Order {for_company.pk}" in page
    assert f"Order {for_self.pk}" not in page
    assert "<strong>From companies</strong>" in page
    listing = [q["sql"] for q in queries.captured_queries if 'FROM "shop_order"' in q["sql"]]
    assert any('"company_id" IS NOT NULL' in sql for sql in listing)
    assert all('"state" =' not in sql for sql in listing)  # every state, as the index holds them


def test_no_orders_from_companies_says_so(make_user, merchant):
    page = text(client_for(merchant).get("/shop/manage/orders/?from=companies"))
    assert "No orders from companies yet." in page


def test_the_filter_is_for_merchants_only(buyer, orders):
    response = client_for(buyer).get("/shop/manage/orders/?from=companies")
    assert response.status_code in (302, 403)


def test_the_order_page_says_whom_it_was_bought_for(buyer, merchant, orders):
    for_company, for_self = orders
    page = text(client_for(buyer).get(f"/shop/orders/{for_company.pk}/"))
    assert "For Huaxia Design · PO PO-2026-7 · requisition R-77" in page
    page = text(client_for(buyer).get(f"/shop/orders/{for_self.pk}/"))
    assert 'id="order-company"' not in page


def test_a_company_order_without_a_po_number_leaves_it_out(make_user, buyer, merchant):
    company = verified_company(make_user, buyer)
    _p, sku = make_product(merchant, title="Pu-erh", price=3_000, stock=3)
    (order,) = place(buyer, [(sku, 1)], company=purchase(company, po="", department=""))
    page = text(client_for(buyer).get(f"/shop/orders/{order.pk}/"))
    assert "For Huaxia Design · requisition R-41</p>" in page
    listing = text(client_for(merchant).get("/shop/manage/orders/?from=companies"))
    assert 'data-testid="company-mark">From Huaxia Design</div>' in listing


def test_the_marks_are_translated(buyer, merchant, orders):
    for_company, _for_self = orders
    shop = client_for(merchant)
    page = text(shop.get("/shop/manage/orders/?from=companies", HTTP_ACCEPT_LANGUAGE="zh-hans"))
    assert "来自企业" in page
    page = text(shop.get(f"/shop/orders/{for_company.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans"))
    assert "请购单 R-77" in page


def test_the_company_filter_combines_with_a_state(merchant, orders):
    for_company, for_self = orders
    page = text(client_for(merchant).get("/shop/manage/orders/?state=shipped&from=companies"))
    assert f"Order {for_company.pk}" not in page and f"Order {for_self.pk}" not in page
    page = text(
        client_for(merchant).get("/shop/manage/orders/?state=awaiting_payment&from=companies")
    )
    assert f"Order {for_company.pk}" in page and f"Order {for_self.pk}" not in page
    # The state tabs keep the filter.
    assert 'href="?state=shipped&amp;from=companies"' in page
