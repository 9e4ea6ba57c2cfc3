"""A merchant finds the orders companies placed with it, in Chromium."""

import pytest

from infoconnect.shop.tests.companies import place, purchase, verified_company
from infoconnect.shop.tests.conftest import make_product


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_merchant_filters_the_orders_from_companies(page, login, make_user):
    from playwright.sync_api import expect

    merchant = make_user("acme", kind="merchant", verified=True)
    buyer = make_user("alice")
    company = verified_company(make_user, buyer)
    _p, sku = make_product(merchant, title="Longjing", price=5_000, stock=10)
    (for_company,) = place(buyer, [(sku, 2)], company=purchase(company, po="PO-88"))
    (for_self,) = place(buyer, [(sku, 1)], key="own")

    login("acme")
    page.goto("/shop/manage/orders/?state=awaiting_payment")
    expect(page.get_by_test_id("merchant-order")).to_have_count(2)
    page.get_by_role("link", name="From companies").click()
    page.wait_for_url("**/shop/manage/orders/?from=companies")
    rows = page.get_by_test_id("merchant-order")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(f"Order {for_company.pk}")
    expect(rows.first.get_by_test_id("company-mark")).to_have_text(
        "From Huaxia Design · Design · PO PO-88"
    )
    expect(page.get_by_text(f"Order {for_self.pk}")).to_have_count(0)
