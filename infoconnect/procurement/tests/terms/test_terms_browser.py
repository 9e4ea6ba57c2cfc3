"""In Chromium: a merchant grants Net 30 to a company by its code, the buyer places the
requisition on terms from the cart, and after delivery finance pays it from the payables
page; the merchant's balance shows the payment less commission."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.formats import date_format

from infoconnect.procurement.tests.requisitions.world import draft, make_world
from infoconnect.procurement.tests.terms.world import balance
from infoconnect.shop import actions as shop
from infoconnect.shop.models import Order
from infoconnect.wallet.models import AccountKind


def new_page(browser, live_server, login, username):
    context = browser.new_context(
        base_url=live_server.url, locale="en-US", timezone_id="Asia/Shanghai"
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    login(username, target=page)
    return page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_requisition_on_net_30_is_placed_delivered_and_paid(
    browser, live_server, login, make_user
):
    from playwright.sync_api import expect

    world = make_world(make_user, threshold=None)
    company = world.company

    merchant = new_page(browser, live_server, login, world.merchant_a.username)
    merchant.goto("/companies/terms/")
    grant = merchant.get_by_test_id("terms-grant")
    grant.get_by_label("The company's unified social credit code").fill(company.uscc)
    grant.get_by_label("Terms").select_option(label="Net 30")
    grant.get_by_label("Credit limit (¥)").fill("10000.00")
    grant.get_by_role("button", name="Grant terms").click()
    expect(merchant.locator(".flash-success")).to_have_text("Payment terms granted.")
    expect(merchant.get_by_test_id("terms-outstanding")).to_have_text("¥0.00 / ¥10,000.00")

    draft(world, (world.sku_a, 1))
    buyer = new_page(browser, live_server, login, world.buyer.username)
    buyer.goto(f"/companies/{company.pk}/requisitions/cart/")
    details = buyer.get_by_test_id("cart-details")
    details.get_by_label("Payment").select_option(label="On the merchants' payment terms")
    details.get_by_test_id("cart-submit").click()
    expect(buyer.locator(".flash-success")).to_have_text("Submitted: no approval needed.")
    order = Order.objects.filter(company_id=company.pk).get()
    assert (order.state, order.on_terms) == ("on_terms", True)

    merchant.reload()
    expect(merchant.get_by_test_id("terms-outstanding")).to_have_text("¥3,100.00 / ¥10,000.00")
    shop.ship_order(merchant=world.merchant_a, order_id=order.pk, carrier="SF", tracking_number="1")
    shop.confirm_receipt(buyer=world.buyer, order_id=order.pk)

    finance = new_page(browser, live_server, login, world.finance.username)
    finance.goto(f"/companies/{company.pk}/payables/")
    expect(finance.get_by_test_id("payable-sums")).to_have_text(
        "Due ¥3,100.00 · overdue ¥0.00 · not delivered yet ¥0.00"
    )
    due_on = timezone.localdate() + timedelta(days=30)
    expect(finance.get_by_test_id("receivable")).to_contain_text(date_format(due_on, "DATE_FORMAT"))
    finance.get_by_test_id("pay-receivable").click()
    expect(finance.locator(".flash-success")).to_contain_text(
        "Paid ¥3,100.00 from the company wallet (payment TP-"
    )
    expect(finance.get_by_test_id("payable")).to_contain_text("Nothing owed.")
    assert balance(AccountKind.MERCHANT, world.merchant_a.pk) == 310_000 - 6_200
