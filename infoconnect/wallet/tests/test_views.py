import csv
import io
import uuid
from datetime import UTC, datetime

import pytest
from django.test import Client
from django.utils import timezone

from infoconnect.core.models import PlatformSettings
from infoconnect.wallet import actions
from infoconnect.wallet.models import (
    AccountKind,
    LedgerEntry,
    LedgerTransaction,
    Payment,
    Payout,
)
from infoconnect.wallet.selectors import balance_of
from infoconnect.wallet.tests.helpers import (
    age_release,
    assert_ledger_consistent,
    fund,
    fund_merchant,
)


@pytest.fixture
def alice(make_user):
    return make_user("alice")


@pytest.fixture
def merchant(make_user):
    return make_user("acme", kind="merchant", verified=True)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_wallet_page_shows_balance_and_statement(alice):
    fund(alice.pk, 5000)
    actions.pay_order(buyer_id=alice.pk, order_id=12, amount=1234)
    LedgerEntry.objects.update(created_at=datetime(2026, 3, 1, 4, 5, tzinfo=UTC))
    page = client_for(alice).get("/wallet/").content.decode()
    assert '<strong id="wallet-balance">¥37.66</strong>' in page
    assert "<td>Payment for order #12</td>" in page
    assert "<td>-¥12.34</td>" in page
    assert "<td>+¥50.00</td>" in page
    assert "<td>Top-up</td>" in page
    # 04:05 UTC is 12:05 in Shanghai.
    assert "<td>2026-03-01 12:05</td>" in page
    assert 'id="nav-wallet"' in page


def test_wallet_page_needs_a_login():
    response = Client().get("/wallet/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_statement_shows_only_your_own_entries(alice, make_user):
    bob = make_user("bob")
    fund(alice.pk, 5000)
    page = client_for(bob).get("/wallet/").content.decode()
    assert "No entries yet." in page
    assert '<strong id="wallet-balance">¥0.00</strong>' in page


def test_statement_pages(alice):
    PlatformSettings.objects.filter(pk=PlatformSettings.current().pk).update(
        topup_daily_count_person=26  # past the daily limit
    )
    for _ in range(26):
        fund(alice.pk, 1)
    client = client_for(alice)
    page = client.get("/wallet/").content.decode()
    assert page.count("<td>Top-up</td>") == 25
    oldest_shown = LedgerEntry.objects.filter(account__kind=AccountKind.WALLET).order_by("id")[1].pk
    assert f'href="?max_id={oldest_shown}"' in page
    older = client.get(f"/wallet/?max_id={oldest_shown}").content.decode()
    assert older.count("<td>Top-up</td>") == 1


def test_topup_through_the_sandbox_credits_the_wallet(alice, django_capture_on_commit_callbacks):
    client = client_for(alice)
    key = str(uuid.uuid4())
    response = client.post("/wallet/topup/", {"amount": "12.34", "idempotency_key": key})
    payment = Payment.objects.get()
    assert payment.amount == 1234
    assert response["Location"] == f"/wallet/sandbox/pay/{payment.provider_ref}/"
    # The same form submitted twice opens one payment.
    again = client.post("/wallet/topup/", {"amount": "12.34", "idempotency_key": key})
    assert again["Location"] == response["Location"]
    assert Payment.objects.count() == 1

    sandbox = client.get(response["Location"]).content.decode()
    assert '<strong id="sandbox-amount">¥12.34</strong>' in sandbox
    assert "Confirm payment" in sandbox
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(response["Location"], {"decision": "confirm"})
    assert done["Location"] == f"/wallet/?topup={payment.pk}"
    page = client.get(done["Location"]).content.decode()
    assert '<strong id="wallet-balance">¥12.34</strong>' in page
    assert "Top-up of ¥12.34: Paid." in page
    assert balance_of(user_id=alice.pk) == 1234
    assert_ledger_consistent()


def test_the_wallet_never_says_payment_confirmed_beside_waiting_for_payment(alice, settings):
    # The provider's notification waits in the task queue, as with a real worker. The sandbox
    # page used to say "Payment confirmed; your wallet will be credited." beside the top-up's
    # "Waiting for payment": now only the top-up's own status speaks.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    client = client_for(alice)
    payment = actions.start_topup(user_id=alice.pk, amount=2000)
    done = client.post(
        f"/wallet/sandbox/pay/{payment.provider_ref}/", {"decision": "confirm"}, follow=True
    )
    assert [str(m) for m in done.context["messages"]] == []
    page = done.content.decode()
    assert "Top-up of ¥20.00: Waiting for payment." in page
    assert "confirmed" not in page


def test_cancel_in_the_sandbox(alice, django_capture_on_commit_callbacks):
    client = client_for(alice)
    payment = actions.start_topup(user_id=alice.pk, amount=500)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/wallet/sandbox/pay/{payment.provider_ref}/", {"decision": "cancel"})
    payment.refresh_from_db()
    assert payment.status == Payment.Status.CANCELED
    assert balance_of(user_id=alice.pk) == 0
    assert (
        "Top-up of ¥5.00: Canceled." in client.get(f"/wallet/?topup={payment.pk}").content.decode()
    )


@pytest.mark.parametrize("amount", ["", "abc", "0", "-1", "1.234"])
def test_topup_form_rejects_bad_amounts(alice, amount):
    response = client_for(alice).post(
        "/wallet/topup/", {"amount": amount, "idempotency_key": str(uuid.uuid4())}
    )
    assert response.status_code == 400
    assert 'class="errorlist"' in response.content.decode()
    assert Payment.objects.count() == 0


def test_topup_over_the_limit_says_why(alice):
    client = client_for(alice)
    response = client.post(
        "/wallet/topup/", {"amount": "50000.01", "idempotency_key": str(uuid.uuid4())}, follow=True
    )
    assert "A top-up may be at most ¥50,000.00." in response.content.decode()
    response = client.post(
        "/wallet/topup/",
        {"amount": "50000.01", "idempotency_key": str(uuid.uuid4())},
        headers={"Accept-Language": "zh-hans"},
        follow=True,
    )
    assert "单笔充值最多 ¥50,000.00。" in response.content.decode()
    assert Payment.objects.count() == 0


def test_sandbox_page_of_someone_else_is_not_found(alice, make_user):
    bob = make_user("bob")
    payment = actions.start_topup(user_id=alice.pk, amount=500)
    url = f"/wallet/sandbox/pay/{payment.provider_ref}/"
    assert client_for(bob).get(url).status_code == 404
    assert client_for(bob).post(url, {"decision": "confirm"}).status_code == 404
    assert client_for(alice).get("/wallet/sandbox/pay/sbp_nope/").status_code == 404
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING


NOTE = (
    "It was not paid in time. If you did pay, the money is credited as soon as the payment "
    "provider confirms it."
)


def _expire_all() -> None:
    actions.expire_stale_topups(now=timezone.now() + actions.TOPUP_EXPIRES_AFTER)


def test_expired_topup_on_the_wallet_page_then_paid_late(alice):
    payment = actions.start_topup(user_id=alice.pk, amount=500)
    _expire_all()
    client = client_for(alice)
    page = client.get(f"/wallet/?topup={payment.pk}").content.decode()
    assert '<p id="topup-status">Top-up of ¥5.00: Expired.</p>' in page
    assert f'<p class="muted" id="topup-expired">{NOTE}</p>' in page
    # The provider's success arrives after all: credited, and the page says paid.
    actions.complete_topup(payment_id=payment.pk)
    page = client.get(f"/wallet/?topup={payment.pk}").content.decode()
    assert '<p id="topup-status">Top-up of ¥5.00: Paid.</p>' in page
    assert 'id="topup-expired"' not in page
    assert '<strong id="wallet-balance">¥5.00</strong>' in page


def test_expired_topup_in_chinese_and_on_the_merchant_page(merchant):
    payment = actions.start_topup(
        user_id=merchant.pk, amount=1500, destination=AccountKind.MERCHANT
    )
    _expire_all()
    client = client_for(merchant)
    page = client.get(f"/wallet/merchant/?topup={payment.pk}").content.decode()
    assert '<p id="topup-status">Top-up of ¥15.00: Expired.</p>' in page
    assert NOTE in page
    page = client.get(
        f"/wallet/merchant/?topup={payment.pk}", headers={"Accept-Language": "zh-hans"}
    ).content.decode()
    assert '<p id="topup-status">充值 ¥15.00：已过期。</p>' in page
    assert "未在规定时间内付款。如果你已经付款，支付机构确认后款项会立即入账。" in page


def test_sandbox_page_of_an_expired_topup_takes_no_payment(
    alice, django_capture_on_commit_callbacks
):
    payment = actions.start_topup(user_id=alice.pk, amount=500)
    _expire_all()
    client = client_for(alice)
    url = f"/wallet/sandbox/pay/{payment.provider_ref}/"
    sandbox = client.get(url).content.decode()
    assert "Confirm payment" not in sandbox and "<p>Expired</p>" in sandbox
    # A page left open from before the expiry: confirming sends the provider nothing.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(url, {"decision": "confirm"})
    assert callbacks == []
    assert response["Location"] == f"/wallet/?topup={payment.pk}"
    payment.refresh_from_db()
    assert payment.status == Payment.Status.EXPIRED
    assert balance_of(user_id=alice.pk) == 0


def test_topup_status_of_someone_else_is_not_shown(alice, make_user):
    bob = make_user("bob")
    payment = actions.start_topup(user_id=alice.pk, amount=500)
    page = client_for(bob).get(f"/wallet/?topup={payment.pk}").content.decode()
    assert "Top-up of" not in page


def test_statement_csv(alice):
    fund(alice.pk, 5000)
    actions.pay_order(buyer_id=alice.pk, order_id=12, amount=1234)
    LedgerEntry.objects.update(created_at=datetime(2026, 3, 1, 4, 5, 6, tzinfo=UTC))
    response = client_for(alice).get("/wallet/statement.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="wallet-statement.csv"' in response["Content-Disposition"]
    content = b"".join(response.streaming_content)
    assert content.startswith(b"\xef\xbb\xbfEntry,")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0] == ["Entry", "Time", "Description", "Amount", "Balance", "Currency"]
    assert [row[1:] for row in rows[1:]] == [
        ["2026-03-01 12:05:06", "Payment for order #12", "-12.34", "37.66", "CNY"],
        ["2026-03-01 12:05:06", "Top-up", "50.00", "50.00", "CNY"],
    ]


def test_statement_csv_quotes_a_description_a_spreadsheet_would_run(alice, monkeypatch):
    # Descriptions name references; whatever one holds, the export writes it as text.
    fund(alice.pk, 5000)
    actions.pay_order(buyer_id=alice.pk, order_id=12, amount=1234)
    formula = '=HYPERLINK("http://evil.example","x")'
    monkeypatch.setattr(LedgerTransaction, "description", property(lambda txn: formula))
    response = client_for(alice).get("/wallet/statement.csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [row[2:4] for row in rows[1:]] == [["'" + formula, "-12.34"], ["'" + formula, "50.00"]]


def test_statement_csv_of_another_user_is_empty(alice, make_user):
    fund(alice.pk, 5000)
    response = client_for(make_user("bob")).get("/wallet/statement.csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 1


def test_merchant_page_and_payout(alice, merchant, django_capture_on_commit_callbacks):
    fund_merchant(merchant.pk, alice.pk, 10000, order_id=5)
    client = client_for(merchant)
    page = client.get("/wallet/merchant/").content.decode()
    assert '<strong id="merchant-balance">¥100.00</strong>' in page
    assert "<td>Sale of order #5, less commission</td>" in page
    key = str(uuid.uuid4())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/wallet/merchant/payouts/", {"amount": "40", "idempotency_key": key}
        )
    assert response["Location"] == "/wallet/merchant/"
    client.post("/wallet/merchant/payouts/", {"amount": "40", "idempotency_key": key})
    payout = Payout.objects.get()
    page = client.get("/wallet/merchant/").content.decode()
    assert f"Payout #{payout.pk} requested." in page
    assert '<strong id="merchant-balance">¥60.00</strong>' in page
    assert f'<tr id="payout-{payout.pk}"><td>{payout.pk}</td>' in page
    assert "<td>¥40.00</td><td>—</td><td>Paid</td>" in page
    assert_ledger_consistent()


def test_payout_more_than_the_balance_says_why(alice, merchant):
    fund_merchant(merchant.pk, alice.pk, 100, order_id=5)
    response = client_for(merchant).post(
        "/wallet/merchant/payouts/",
        {"amount": "1.01", "idempotency_key": str(uuid.uuid4())},
        follow=True,
    )
    assert "The merchant balance is too low for this." in response.content.decode()
    assert Payout.objects.count() == 0
    assert balance_of(user_id=merchant.pk, kind=AccountKind.MERCHANT) == 100


def test_payout_form_rejects_a_bad_amount(merchant):
    response = client_for(merchant).post(
        "/wallet/merchant/payouts/", {"amount": "x", "idempotency_key": str(uuid.uuid4())}
    )
    assert response.status_code == 400
    assert Payout.objects.count() == 0


def test_merchant_pages_do_not_exist_for_a_person(alice):
    client = client_for(alice)
    assert client.get("/wallet/merchant/").status_code == 404
    assert client.get("/wallet/merchant/statement.csv").status_code == 404
    response = client.post(
        "/wallet/merchant/payouts/", {"amount": "1", "idempotency_key": str(uuid.uuid4())}
    )
    assert response.status_code == 404
    assert Payout.objects.count() == 0


def test_merchant_statement_csv(alice, merchant):
    fund_merchant(merchant.pk, alice.pk, 10000, order_id=5)
    response = client_for(merchant).get("/wallet/merchant/statement.csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [row[2:5] for row in rows[1:]] == [
        ["Sale of order #5, less commission", "100.00", "100.00"]
    ]


def test_admin_shows_platform_revenue(alice, merchant, make_user):
    operator = make_user("operator", is_staff=True, is_superuser=True)
    fund(alice.pk, 10000)
    actions.pay_order(buyer_id=alice.pk, order_id=5, amount=10000)
    age_release(
        actions.release_escrow(order_id=5, merchant_id=merchant.pk, amount=10000, commission=200)
    )  # sold before the refund window: its money may be paid out
    client = client_for(operator)
    page = client.get("/admin/wallet/ledgeraccount/").content.decode()
    assert '<th scope="row">Commission revenue</th><td>¥2.00</td>' in page
    assert '<th scope="row">Money in the system (top-ups − payouts)</th><td>¥100.00</td>' in page
    txn = actions.pay_order(buyer_id=alice.pk, order_id=5, amount=10000)
    page = client.get(f"/admin/wallet/ledgertransaction/{txn.pk}/change/").content.decode()
    inline = " ".join(page.split())
    assert '<td class="field-shown_amount"> <p>-¥100.00</p> </td>' in inline
    assert '<td class="field-shown_balance_after"> <p>¥0.00</p> </td>' in inline
    entries = client.get("/admin/wallet/ledgerentry/").content.decode()
    assert '<td class="field-shown_amount">-¥100.00</td>' in entries
    assert '<td class="field-shown_balance_after">¥98.00</td>' in entries
    actions.start_topup(user_id=alice.pk, amount=1234)
    topups = client.get("/admin/wallet/payment/").content.decode()
    assert '<td class="field-shown_amount">¥12.34</td>' in topups
    actions.request_payout(merchant_id=merchant.pk, amount=513)
    payouts = client.get("/admin/wallet/payout/").content.decode()
    assert '<td class="field-shown_amount">¥5.13</td>' in payouts
    assert client.get("/admin/wallet/ledgeraccount/add/").status_code == 403


def test_admin_is_for_staff(alice):
    response = client_for(alice).get("/admin/wallet/ledgeraccount/")
    assert response.status_code == 302


def test_wallet_page_in_chinese(alice):
    fund(alice.pk, 5000)
    actions.pay_order(buyer_id=alice.pk, order_id=12, amount=1234)
    page = client_for(alice).get("/wallet/", headers={"Accept-Language": "zh-hans"})
    text = page.content.decode()
    assert "<td>订单 #12 付款</td>" in text
    assert "<h2>充值</h2>" in text
    assert '<span class="nav-label">钱包</span></a>' in text
    response = client_for(alice).get(
        "/wallet/statement.csv", headers={"Accept-Language": "zh-hans"}
    )
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == ["记录", "时间", "说明", "金额", "余额", "币种"]
    assert rows[1][2] == "订单 #12 付款"


def test_merchant_balance_page_in_chinese(alice, merchant):
    fund_merchant(merchant.pk, alice.pk, 10_000, order_id=7)
    page = client_for(merchant).get("/wallet/merchant/", headers={"Accept-Language": "zh-hans"})
    text = page.content.decode()
    assert '<p>账户余额: <strong id="merchant-balance">¥100.00</strong></p>' in text
    assert '<p>可提现: <strong id="payout-available">¥100.00</strong></p>' in text
    assert "<td>订单 #7 货款（扣除佣金）</td>" in text


def test_a_pending_top_up_redraws_its_card_until_it_is_settled(alice, merchant):
    for user, destination, url in (
        (alice, AccountKind.WALLET, "/wallet/"),
        (merchant, AccountKind.MERCHANT, "/wallet/merchant/"),
    ):
        payment = actions.start_topup(user_id=user.pk, amount=500, destination=destination)
        client = client_for(user)
        page = client.get(f"{url}?topup={payment.pk}").content.decode()
        assert (
            f'<section class="card" id="balance-card" hx-get="{url}?topup={payment.pk}" '
            'hx-trigger="every 2s" hx-select="#balance-card" hx-swap="outerHTML">'
        ) in page
        actions.complete_topup(payment_id=payment.pk)
        page = client.get(f"{url}?topup={payment.pk}").content.decode()
        assert '<section class="card" id="balance-card">' in page
        assert '<p id="topup-status">Top-up of ¥5.00: Paid.</p>' in page
