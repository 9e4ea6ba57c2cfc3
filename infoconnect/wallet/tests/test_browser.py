import pytest
from django.utils import timezone
from playwright.sync_api import expect

from infoconnect.wallet import actions
from infoconnect.wallet.models import Payment
from infoconnect.wallet.tasks import deliver_sandbox_notification
from infoconnect.wallet.tests.helpers import age_release, fund, fund_merchant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_top_up_through_the_sandbox_and_pay(page, login, make_user):
    alice = make_user("alice")
    login("alice")
    page.click("#nav-wallet")
    page.get_by_label("Amount (¥)").fill("20.00")
    page.get_by_role("button", name="Top up").click()
    page.wait_for_url("**/wallet/sandbox/pay/**")
    assert page.locator("#sandbox-amount").inner_text() == "¥20.00"
    page.get_by_role("button", name="Confirm payment").click()
    page.wait_for_url("**/wallet/?topup=*")
    assert page.locator("#wallet-balance").inner_text() == "¥20.00"
    assert page.locator("#topup-status").inner_text() == "Top-up of ¥20.00: Paid."

    actions.pay_order(buyer_id=alice.pk, order_id=42, amount=1234)
    page.reload()
    assert page.locator("#wallet-balance").inner_text() == "¥7.66"
    rows = page.locator("[data-testid=statement] tbody tr")
    assert rows.nth(0).locator("td").nth(1).inner_text() == "Payment for order #42"
    assert rows.nth(0).locator("td").nth(2).inner_text() == "-¥12.34"


def test_a_top_up_waiting_for_the_provider_shows_itself_paid_when_it_is(
    page, login, make_user, settings
):
    # The provider's notification waits in the task queue, as it does with a real worker.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    make_user("alice")
    login("alice")
    page.click("#nav-wallet")
    page.get_by_label("Amount (¥)").fill("20.00")
    page.get_by_role("button", name="Top up").click()
    page.wait_for_url("**/wallet/sandbox/pay/**")
    page.get_by_role("button", name="Confirm payment").click()
    page.wait_for_url("**/wallet/?topup=*")
    assert page.locator("#topup-status").inner_text() == "Top-up of ¥20.00: Waiting for payment."
    assert page.locator("#wallet-balance").inner_text() == "¥0.00"
    page.get_by_label("Amount (¥)").fill("5")
    # The worker delivers the notification; the page says so without being reloaded.
    payment = Payment.objects.get()
    deliver_sandbox_notification.call(event="payment.succeeded", object_ref=payment.provider_ref)
    expect(page.locator("#topup-status")).to_have_text("Top-up of ¥20.00: Paid.")
    expect(page.locator("#wallet-balance")).to_have_text("¥20.00")
    # Only the balance was redrawn: what the person was typing is still there.
    assert page.get_by_label("Amount (¥)").input_value() == "5"
    assert page.locator("#balance-card[hx-get]").count() == 0


def test_merchant_requests_a_payout(page, login, make_user):
    buyer = make_user("buyer")
    merchant = make_user("acme", kind="merchant", verified=True)
    fund(buyer.pk, 5000)
    actions.pay_order(buyer_id=buyer.pk, order_id=1, amount=5000)
    age_release(
        actions.release_escrow(order_id=1, merchant_id=merchant.pk, amount=5000, commission=100)
    )  # sold before the refund window
    login("acme")
    page.goto("/wallet/merchant/")
    assert page.locator("#merchant-balance").inner_text() == "¥49.00"
    assert page.locator("#payout-available").inner_text() == "¥49.00"
    page.get_by_label("Amount (¥)").fill("30")
    page.get_by_role("button", name="Request payout").click()
    page.wait_for_url("**/wallet/merchant/")
    assert page.locator("#merchant-balance").inner_text() == "¥19.00"
    assert page.locator("[data-testid=payouts] tbody tr td").nth(4).inner_text() == "Paid"


def test_top_up_left_too_long_shows_expired_then_paid(page, login, make_user):
    make_user("alice")
    login("alice")
    page.click("#nav-wallet")
    page.get_by_label("Amount (¥)").fill("8.80")
    page.get_by_role("button", name="Top up").click()
    page.wait_for_url("**/wallet/sandbox/pay/**")
    # The payer walks away; the sweep gives up on the top-up before they come back.
    actions.expire_stale_topups(now=timezone.now() + actions.TOPUP_EXPIRES_AFTER)
    page.get_by_role("button", name="Confirm payment").click()
    page.wait_for_url("**/wallet/?topup=*")
    assert page.locator("#topup-status").inner_text() == "Top-up of ¥8.80: Expired."
    assert page.locator("#topup-expired").inner_text() == (
        "It was not paid in time. If you did pay, the money is credited as soon as the "
        "payment provider confirms it."
    )
    assert page.locator("#wallet-balance").inner_text() == "¥0.00"
    # The provider had taken the money after all and says so late: it is credited.
    actions.complete_topup(payment_id=Payment.objects.get().pk)
    page.reload()
    assert page.locator("#topup-status").inner_text() == "Top-up of ¥8.80: Paid."
    assert page.locator("#topup-expired").count() == 0
    assert page.locator("#wallet-balance").inner_text() == "¥8.80"


def test_merchant_sees_the_debt_a_refund_left_and_settles_it(page, login, make_user):
    buyer = make_user("buyer")
    merchant = make_user("acme", kind="merchant", verified=True)
    fund_merchant(merchant.pk, buyer.pk, 5000, order_id=1)
    payout = actions.request_payout(merchant_id=merchant.pk, amount=5000)
    actions.send_payout(payout_id=payout.pk)
    actions.complete_payout(payout_id=payout.pk)
    # An operator decides a dispute for the buyer after the merchant paid everything out.
    actions.refund_order_money(
        order_id=1, refund_id=1, buyer_id=buyer.pk, merchant_id=merchant.pk, amount=5000
    )
    assert actions.refunded_amount(order_id=1) == 5000
    login("acme")
    page.goto("/wallet/merchant/")
    assert page.locator("#merchant-debt").inner_text() == "¥50.00"
    assert page.locator("#payout-max").inner_text() == "Payouts wait until your debt is settled."
    # The next sale settles the debt first.
    fund_merchant(merchant.pk, buyer.pk, 2000, order_id=2, recent=True)
    page.reload()
    assert page.locator("#merchant-debt").inner_text() == "¥30.00"
    assert page.locator("#merchant-balance").inner_text() == "¥0.00"
    payment = actions.start_topup(user_id=merchant.pk, amount=4000, destination="merchant")
    actions.complete_topup(payment_id=payment.pk)
    page.reload()
    expect(page.get_by_label("Amount to settle (¥)")).to_have_value("30.00")
    page.get_by_role("button", name="Settle debt").click()
    page.wait_for_url("**/wallet/merchant/")
    expect(page.get_by_text("¥30.00 of your debt settled from your balance.")).to_be_visible()
    assert page.locator("#debt-card").count() == 0
    assert page.locator("#merchant-balance").inner_text() == "¥10.00"
    assert page.locator("#payout-max").inner_text() == "You can pay out up to ¥0.00."
