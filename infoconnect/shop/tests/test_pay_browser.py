"""In Chromium: a buyer with ¥0 in the wallet pays an order in one step through the sandbox's
WeChat Pay-like or Alipay-like page and lands on the paid order."""

import pytest
from playwright.sync_api import expect

from infoconnect.shop.models import Order
from infoconnect.shop.tests.conftest import make_address, make_product
from infoconnect.wallet.models import LedgerTransaction, Payment
from infoconnect.wallet.tasks import deliver_sandbox_notification

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def place_order(page, login, make_user) -> None:
    merchant = make_user("acme", kind="merchant", verified=True)
    product, _sku = make_product(merchant, title="Silk scarf", price=12_900, stock=5)
    make_address(make_user("alice"))
    login("alice")
    page.goto(f"/shop/p/{product.pk}/")
    page.get_by_role("button", name="Buy now").click()
    page.get_by_role("button", name="Place order").click()
    expect(page.locator("#order-state")).to_have_text("Awaiting payment")
    expect(page.locator("#order-wallet")).to_have_text(
        "Your wallet holds ¥0.00: the other ¥129.00 is paid through the service you choose."
    )
    expect(page.get_by_role("button", name="Pay from wallet")).to_be_disabled()
    expect(page.locator("#order-wallet-short")).to_have_text(
        "Your wallet holds ¥129.00 less than the total."
    )


@pytest.mark.parametrize(
    ("channel", "label", "colour"),
    [("wechat", "WeChat Pay", "rgb(7, 193, 96)"), ("alipay", "Alipay", "rgb(22, 119, 255)")],
)
def test_a_buyer_with_an_empty_wallet_pays_in_one_step(
    page, login, make_user, channel, label, colour
):
    place_order(page, login, make_user)
    page.get_by_label(label).check()
    page.get_by_role("button", name="Pay ¥129.00").click()
    page.wait_for_url("**/wallet/sandbox/pay/**")
    expect(page.locator("#sandbox-channel")).to_have_text(label)
    expect(page.locator("#sandbox-amount")).to_have_text("¥129.00")
    expect(page.locator(".sandbox-pay")).to_have_css("background-color", colour)
    expect(page.get_by_test_id("sandbox-qr")).to_have_count(1 if channel == "wechat" else 0)
    page.get_by_role("button", name="Pay", exact=True).click()
    page.wait_for_url("**/shop/orders/*/")
    expect(page.locator("#order-state")).to_have_text("Paid")
    expect(page.locator("#order-pay-status")).to_have_text(
        f"Paid ¥129.00, of which ¥129.00 through {label}."
    )
    expect(page.locator('[data-step="paid"]')).to_have_class("step done")
    order = Order.objects.get()
    assert order.state == "paid"
    assert sorted(LedgerTransaction.objects.values_list("kind", flat=True)) == [
        "order_payment",
        "topup",
    ]


def test_the_order_page_shows_paid_without_a_reload_when_the_provider_confirms(
    page, login, make_user, settings
):
    # The provider's notification waits in the task queue, as it does with a real worker.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    place_order(page, login, make_user)
    page.get_by_role("button", name="Pay ¥129.00").click()
    page.get_by_role("button", name="Pay", exact=True).click()
    page.wait_for_url("**/shop/orders/*/")
    expect(page.locator("#order-pay-status")).to_have_text(
        "Waiting for WeChat Pay to confirm your payment of ¥129.00. Back to WeChat Pay"
    )
    expect(page.locator("#order-state")).to_have_text("Awaiting payment")
    payment = Payment.objects.get()
    deliver_sandbox_notification.call(event="payment.succeeded", object_ref=payment.provider_ref)
    expect(page.locator("#order-state")).to_have_text("Paid")
    expect(page.locator('[data-step="paid"]')).to_have_class("step done")
    expect(page.locator("#order-pay-status")).to_have_text(
        "Paid ¥129.00, of which ¥129.00 through WeChat Pay."
    )


def test_confirm_receipt_asks_before_it_releases_the_money(page, login, make_user):
    from infoconnect.shop import actions
    from infoconnect.shop.tests.conftest import fund

    place_order(page, login, make_user)
    order = Order.objects.get()
    fund(order.buyer, 12_900)
    actions.pay_order(buyer=order.buyer, order_id=order.pk)
    actions.ship_order(
        merchant=order.merchant, order_id=order.pk, carrier="SF Express", tracking_number="SF1"
    )
    page.reload()
    expect(page.locator('[data-step="shipped"] .step-detail')).to_have_text("SF Express SF1")
    page.get_by_role("button", name="Confirm receipt").click()
    dialog = page.locator("dialog#confirm-receipt")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("This releases ¥129.00 to acme and cannot be undone.")
    dialog.get_by_role("link", name="Not yet").click()
    expect(page.locator("dialog")).to_have_count(0)
    assert Order.objects.get().state == "shipped"
    page.get_by_role("button", name="Confirm receipt").click()
    page.get_by_role("button", name="Yes, I have the goods").click()
    expect(page.locator("#order-state")).to_have_text("Completed")
    expect(page.locator('[data-step="received"]')).to_have_class("step done")
