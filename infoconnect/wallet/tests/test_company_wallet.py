"""A company's wallet: bank-transfer top-ups credited exactly once, held money resolved by the
operator, expiry by the sweep, and who may see or top it up (actions, web and API)."""

import csv
import io
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from infoconnect.core import sweeps
from infoconnect.core.errors import DomainError
from infoconnect.core.models import PlatformSettings
from infoconnect.procurement.tests.factories import make_company
from infoconnect.wallet import actions, selectors
from infoconnect.wallet.actions.company_wallet import CODE_ALPHABET, CODE_LENGTH
from infoconnect.wallet.models import (
    AccountKind,
    BankTransfer,
    HeldTransfer,
    LedgerAccount,
    LedgerTransaction,
    ProviderNotification,
    TransactionKind,
)
from infoconnect.wallet.providers import get_provider
from infoconnect.wallet.tests.conftest import remove
from infoconnect.wallet.tests.helpers import assert_ledger_consistent

pytestmark = pytest.mark.django_db


def open_transfer(firm, amount=1_234_56, user=None):
    return actions.open_bank_transfer(
        user=user or firm.finance, company_id=firm.company.pk, amount=amount
    )


def balance(firm) -> int:
    return selectors.company_balance(company_id=firm.company.pk)


def counts() -> tuple:
    return (
        BankTransfer.objects.count(),
        HeldTransfer.objects.count(),
        LedgerTransaction.objects.count(),
        LedgerAccount.objects.count(),
    )


# --- opening a transfer --------------------------------------------------------------------


def test_finance_opens_a_transfer_with_a_code_and_the_bank_details(firm):
    transfer = open_transfer(firm)
    assert transfer.status == "awaiting"
    assert len(transfer.code) == CODE_LENGTH
    assert set(transfer.code) <= set(CODE_ALPHABET)
    assert not set(transfer.code) & set("01OIL")
    assert transfer.expires_at - transfer.created_at == pytest.approx(
        timedelta(days=14), abs=timedelta(seconds=5)
    )
    assert transfer.company_id == firm.company.pk
    assert balance(firm) == 0  # nothing credited before the money arrives


def test_a_company_admin_may_open_one_too(firm):
    assert open_transfer(firm, user=firm.admin).status == "awaiting"


def test_codes_are_unique(firm):
    PlatformSettings.objects.filter(pk=PlatformSettings.current().pk).update(
        topup_daily_count_company=30  # past the daily limit
    )
    codes = {open_transfer(firm, amount=100 + i).code for i in range(30)}
    assert len(codes) == 30


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        (0, "invalid_amount"),
        (-5, "invalid_amount"),
        (True, "invalid_amount"),
        (1.5, "invalid_amount"),
        (actions.MAX_BANK_TRANSFER + 1, "amount_too_large"),
    ],
)
def test_bad_amounts_are_refused_and_nothing_is_written(firm, amount, code):
    before = counts()
    with pytest.raises(DomainError) as error:
        open_transfer(firm, amount=amount)
    assert error.value.code == code
    assert counts() == before


def test_another_currency_is_refused(firm):
    with pytest.raises(DomainError) as error:
        actions.open_bank_transfer(
            user=firm.finance, company_id=firm.company.pk, amount=100, currency="USD"
        )
    assert error.value.code == "unsupported_currency"
    assert BankTransfer.objects.count() == 0


@pytest.mark.parametrize("who", ["buyer", "viewer"])
def test_a_buyer_or_viewer_may_not(firm, who):
    with pytest.raises(DomainError) as error:
        open_transfer(firm, user=getattr(firm, who))
    assert (error.value.code, error.value.status) == ("role_required", 403)
    assert BankTransfer.objects.count() == 0


def test_another_companys_member_and_a_removed_member_may_not(firm, other_firm):
    with pytest.raises(DomainError) as error:
        open_transfer(firm, user=other_firm.finance)
    assert (error.value.code, error.value.status) == ("not_a_member", 404)
    remove(firm, firm.finance)
    with pytest.raises(DomainError) as error:
        open_transfer(firm)
    assert error.value.code == "not_a_member"
    assert BankTransfer.objects.count() == 0


def test_an_unverified_company_may_not_top_up(make_user):
    boss = make_user("pending_boss")
    company = make_company(boss)
    with pytest.raises(DomainError) as error:
        actions.open_bank_transfer(user=boss, company_id=company.pk, amount=100)
    assert error.value.code == "company_not_verified"
    assert BankTransfer.objects.count() == 0


# --- the money arriving ------------------------------------------------------------------


def test_the_matching_transfer_credits_the_company_wallet_once(firm):
    transfer = open_transfer(firm, amount=5_000_000)
    actions.simulate_bank_transfer(code=transfer.code, amount=5_000_000, payer_name="Huaxia")
    transfer.refresh_from_db()
    assert transfer.status == "credited"
    assert balance(firm) == 5_000_000
    # A user-owned account of the same id is not the company's.
    assert selectors.balance_of(user_id=firm.company.pk) == 0
    txn = LedgerTransaction.objects.get(kind=TransactionKind.COMPANY_TOPUP)
    assert txn.reference == str(transfer.pk)
    account = LedgerAccount.objects.get(kind=AccountKind.COMPANY_WALLET)
    assert account.owner_id == firm.company.pk
    assert "company" in str(account)
    assert_ledger_consistent()


def test_a_code_typed_in_lower_case_with_a_dash_still_matches(firm):
    transfer = open_transfer(firm, amount=500)
    typed = f"{transfer.code[:4].lower()}-{transfer.code[4:].lower()}"
    actions.simulate_bank_transfer(code=typed, amount=500)
    assert balance(firm) == 500


def test_a_replayed_notification_changes_nothing(firm):
    transfer = open_transfer(firm, amount=700)
    provider = get_provider("sandbox")
    body, headers = provider.build_notification(
        event="transfer.received", object_ref=transfer.code, amount=700, currency="CNY"
    )
    actions.handle_provider_notification(provider_name="sandbox", body=body, headers=headers)
    before = counts()
    with pytest.raises(DomainError) as error:
        actions.handle_provider_notification(provider_name="sandbox", body=body, headers=headers)
    assert error.value.code == "notification_replayed"
    assert counts() == before
    assert balance(firm) == 700
    assert ProviderNotification.objects.count() == 1


def test_a_forged_notification_is_refused(firm):
    transfer = open_transfer(firm, amount=700)
    body = json.dumps(
        {"id": "evt_x", "type": "transfer.received", "object": transfer.code, "amount": 700,
         "currency": "CNY"}
    ).encode()  # fmt: skip
    headers = {"X-Sandbox-Timestamp": str(int(timezone.now().timestamp())),
               "X-Sandbox-Signature": "0" * 64}  # fmt: skip
    with pytest.raises(DomainError) as error:
        actions.handle_provider_notification(provider_name="sandbox", body=body, headers=headers)
    assert error.value.code == "invalid_signature"
    assert balance(firm) == 0


def test_a_wrong_amount_is_held_and_not_credited(firm):
    transfer = open_transfer(firm, amount=10_000)
    actions.simulate_bank_transfer(code=transfer.code, amount=9_999, payer_name="Huaxia")
    transfer.refresh_from_db()
    assert transfer.status == "awaiting"
    assert balance(firm) == 0
    held = HeldTransfer.objects.get()
    assert (held.status, held.why, held.amount, held.named_transfer_id) == (
        "held",
        "wrong_amount",
        9_999,
        transfer.pk,
    )
    assert held.payer_name == "Huaxia"
    assert not LedgerTransaction.objects.exists()


def test_an_unknown_code_is_held_and_not_credited(firm):
    open_transfer(firm, amount=10_000)
    actions.simulate_bank_transfer(code="ZZZZZZZZ", amount=10_000)
    held = HeldTransfer.objects.get()
    assert (held.why, held.named_transfer) == ("unknown_code", None)
    assert balance(firm) == 0
    assert not LedgerTransaction.objects.exists()


def test_a_second_arrival_under_a_credited_code_is_held(firm):
    transfer = open_transfer(firm, amount=300)
    actions.simulate_bank_transfer(code=transfer.code, amount=300)
    actions.simulate_bank_transfer(code=transfer.code, amount=300)
    assert balance(firm) == 300
    assert HeldTransfer.objects.get().why == "not_awaiting"


# --- the operator resolving held money ----------------------------------------------------


def held_wrong_amount(firm, *, sent=9_000, expected=10_000):
    transfer = open_transfer(firm, amount=expected)
    actions.simulate_bank_transfer(code=transfer.code, amount=sent)
    return transfer, HeldTransfer.objects.get()


def test_the_operator_matches_held_money_to_an_awaiting_transfer_once(firm, operator):
    _, held = held_wrong_amount(firm)
    # The finance member opens one for what was actually sent; the operator matches it.
    second = open_transfer(firm, amount=9_000)
    actions.match_held_transfer(
        operator=operator, held_id=held.pk, transfer_id=second.pk, reason="Short by ¥10"
    )
    held.refresh_from_db()
    second.refresh_from_db()
    assert (held.status, held.matched_transfer_id, held.resolved_by_id) == (
        "matched",
        second.pk,
        operator.pk,
    )
    assert held.reason == "Short by ¥10" and held.resolved_at is not None
    assert second.status == "credited"
    assert balance(firm) == 9_000
    with pytest.raises(DomainError) as error:
        actions.match_held_transfer(
            operator=operator, held_id=held.pk, transfer_id=second.pk, reason="again"
        )
    assert error.value.code == "invalid_state"
    assert balance(firm) == 9_000
    assert_ledger_consistent()


def test_matching_refuses_another_amount_another_company_no_reason_and_non_operators(
    firm, other_firm, operator
):
    first, held = held_wrong_amount(firm)
    theirs = open_transfer(other_firm, amount=9_000)
    before = counts()
    cases = [
        (dict(operator=operator, transfer_id=first.pk, reason="x"), "match_amount_differs"),
        (dict(operator=operator, transfer_id=theirs.pk, reason="x"), "match_wrong_company"),
        (dict(operator=operator, transfer_id=first.pk, reason="  "), "reason_required"),
        (dict(operator=operator, transfer_id=999_999, reason="x"), "bank_transfer_not_found"),
        (dict(operator=firm.admin, transfer_id=first.pk, reason="x"), "not_operator"),
    ]
    for kwargs, code in cases:
        with pytest.raises(DomainError) as error:
            actions.match_held_transfer(held_id=held.pk, **kwargs)
        assert error.value.code == code
    assert counts() == before
    held.refresh_from_db()
    assert held.status == "held"
    assert balance(firm) == 0


def test_the_operator_marks_held_money_returned(firm, operator):
    _, held = held_wrong_amount(firm)
    actions.return_held_transfer(operator=operator, held_id=held.pk, reason="Sent back")
    held.refresh_from_db()
    assert (held.status, held.reason) == ("returned", "Sent back")
    with pytest.raises(DomainError):
        actions.return_held_transfer(operator=operator, held_id=held.pk, reason="again")
    assert balance(firm) == 0


def test_the_admin_page_resolves_held_money(client, firm, operator):
    _, held = held_wrong_amount(firm)
    second = open_transfer(firm, amount=9_000)
    client.force_login(operator)
    page = client.get(f"/admin/wallet/heldtransfer/{held.pk}/change/")
    assert page.status_code == 200
    assert second.code in page.content.decode()
    response = client.post(
        f"/admin/wallet/heldtransfer/{held.pk}/resolve/",
        {"decision": "match", "transfer": second.pk, "reason": "Checked the slip"},
    )
    assert response.status_code == 302
    held.refresh_from_db()
    assert held.status == "matched"
    assert balance(firm) == 9_000


# --- cancelling and expiry ---------------------------------------------------------------


def test_finance_cancels_an_awaiting_transfer_and_its_money_is_then_held(firm):
    transfer = open_transfer(firm, amount=400)
    actions.cancel_bank_transfer(
        user=firm.finance, company_id=firm.company.pk, transfer_id=transfer.pk
    )
    transfer.refresh_from_db()
    assert transfer.status == "cancelled"
    actions.simulate_bank_transfer(code=transfer.code, amount=400)
    assert balance(firm) == 0
    assert HeldTransfer.objects.get().why == "not_awaiting"


def test_cancelling_is_refused_to_others_and_twice(firm, other_firm):
    transfer = open_transfer(firm, amount=400)
    for user, code in [(firm.buyer, "role_required"), (other_firm.finance, "not_a_member")]:
        with pytest.raises(DomainError) as error:
            actions.cancel_bank_transfer(
                user=user, company_id=firm.company.pk, transfer_id=transfer.pk
            )
        assert error.value.code == code
    with pytest.raises(DomainError) as error:
        actions.cancel_bank_transfer(
            user=other_firm.finance, company_id=other_firm.company.pk, transfer_id=transfer.pk
        )
    assert error.value.code == "bank_transfer_not_found"
    actions.cancel_bank_transfer(
        user=firm.finance, company_id=firm.company.pk, transfer_id=transfer.pk
    )
    with pytest.raises(DomainError) as error:
        actions.cancel_bank_transfer(
            user=firm.finance, company_id=firm.company.pk, transfer_id=transfer.pk
        )
    assert error.value.code == "invalid_state"


def test_the_sweep_expires_a_transfer_left_awaiting_14_days(firm):
    transfer = open_transfer(firm, amount=400)
    credited = open_transfer(firm, amount=500)
    actions.simulate_bank_transfer(code=credited.code, amount=500)
    soon = timezone.now() + timedelta(days=13)
    assert sweeps.run(now=soon, app_label="wallet")["banktransfer.expire"] == 0
    later = timezone.now() + timedelta(days=14, minutes=1)
    assert sweeps.run(now=later, app_label="wallet")["banktransfer.expire"] == 1
    assert actions.expire_stale_bank_transfers(now=later) == 0
    transfer.refresh_from_db()
    credited.refresh_from_db()
    assert (transfer.status, credited.status) == ("expired", "credited")
    # Money that still arrives is held for the operator, not credited.
    actions.simulate_bank_transfer(code=transfer.code, amount=400)
    assert balance(firm) == 500
    assert HeldTransfer.objects.get().why == "not_awaiting"


# --- the web pages ------------------------------------------------------------------------


def wallet_url(firm, tail=""):
    return f"/companies/{firm.company.pk}/wallet/{tail}"


def test_the_page_shows_balance_transfer_statement_and_csv(client, firm):
    client.force_login(firm.finance)
    company_page = client.get(f"/companies/{firm.company.pk}/").content.decode()
    assert wallet_url(firm) in company_page
    response = client.post(
        wallet_url(firm, "topups/"),
        {"transfer-amount": "1234.56", "transfer-idempotency_key": "6d1f0f4e-5f0e-4b43-9f63-1c1b1c1b1c1b"},
    )  # fmt: skip
    assert response.status_code == 302
    transfer = BankTransfer.objects.get()
    assert transfer.amount == 123_456
    # The same form sent twice opens one transfer.
    client.post(
        wallet_url(firm, "topups/"),
        {"transfer-amount": "1234.56", "transfer-idempotency_key": "6d1f0f4e-5f0e-4b43-9f63-1c1b1c1b1c1b"},
    )  # fmt: skip
    assert BankTransfer.objects.count() == 1
    page = client.get(response["Location"]).content.decode()
    assert transfer.code in page and "¥1,234.56" in page
    assert selectors.receiving_account()["account_number"] in page
    actions.simulate_bank_transfer(code=transfer.code, amount=123_456)
    page = client.get(wallet_url(firm)).content.decode()
    assert "¥1,234.56" in page and "Bank transfer #" in page
    rows = list(csv.reader(io.StringIO(client.get(wallet_url(firm, "statement.csv")).getvalue().decode().lstrip("\ufeff"))))  # fmt: skip
    assert rows[0][3] == "Amount"
    assert rows[1][3:6] == ["1234.56", "1234.56", "CNY"]


def test_the_page_refuses_bad_input_with_nothing_written(client, firm):
    client.force_login(firm.finance)
    response = client.post(
        wallet_url(firm, "topups/"),
        {"transfer-amount": "12.345", "transfer-idempotency_key": "6d1f0f4e-5f0e-4b43-9f63-1c1b1c1b1c1c"},
    )  # fmt: skip
    assert response.status_code == 422
    too_much = client.post(
        wallet_url(firm, "topups/"),
        {"transfer-amount": "1000000.01", "transfer-idempotency_key": "6d1f0f4e-5f0e-4b43-9f63-1c1b1c1b1c1d"},
    )  # fmt: skip
    assert too_much.status_code == 422
    assert "at most ¥1,000,000.00" in too_much.content.decode()
    assert BankTransfer.objects.count() == 0


@pytest.mark.parametrize("who", ["buyer", "viewer"])
def test_the_page_and_its_link_are_not_for_a_buyer_or_viewer(client, firm, who):
    client.force_login(getattr(firm, who))
    assert wallet_url(firm) not in client.get(f"/companies/{firm.company.pk}/").content.decode()
    assert client.get(wallet_url(firm)).status_code == 403
    assert client.get(wallet_url(firm, "statement.csv")).status_code == 403
    response = client.post(wallet_url(firm, "topups/"), {"transfer-amount": "5"})
    assert response.status_code == 403
    assert BankTransfer.objects.count() == 0


def test_the_page_is_not_for_another_company_or_a_removed_member(client, firm, other_firm):
    client.force_login(other_firm.finance)
    assert client.get(wallet_url(firm)).status_code == 404
    remove(firm, firm.finance)
    client.force_login(firm.finance)
    assert client.get(wallet_url(firm)).status_code == 404
    assert client.get(wallet_url(firm, "statement.csv")).status_code == 404


def test_the_sandbox_bank_page_sends_the_transfer(client, firm, other_firm):
    transfer = open_transfer(firm, amount=2_000)
    url = f"/wallet/sandbox/transfer/{transfer.code}/"
    for outsider in (other_firm.finance, firm.buyer):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
        assert client.post(url, {"amount": "20.00"}).status_code == 404
    assert balance(firm) == 0
    client.force_login(firm.finance)
    assert client.get(url).status_code == 200
    response = client.post(url, {"amount": "¥20.00", "payer_name": "Huaxia"})
    assert response.status_code == 302
    assert balance(firm) == 2_000


# --- the API ------------------------------------------------------------------------------


def api(firm):
    return f"/api/v1/companies/{firm.company.pk}/wallet"


def test_api_opens_lists_and_reads(api_client, firm):
    client = api_client(firm.finance)
    response = client.post(
        f"{api(firm)}/topups",
        {"amount": 50_000},
        content_type="application/json",
        headers={"Idempotency-Key": "k1"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "awaiting" and body["amount"] == 50_000
    assert body["display_amount"] == "¥500.00"
    assert body["bank_account"] == selectors.receiving_account()
    again = client.post(
        f"{api(firm)}/topups",
        {"amount": 50_000},
        content_type="application/json",
        headers={"Idempotency-Key": "k1"},
    )
    assert again.json()["code"] == body["code"]
    assert BankTransfer.objects.count() == 1
    other = client.post(
        f"{api(firm)}/topups",
        {"amount": 1},
        content_type="application/json",
        headers={"Idempotency-Key": "k1"},
    )
    assert other.status_code == 409
    actions.simulate_bank_transfer(code=body["code"], amount=50_000)
    assert client.get(api(firm)).json()["balance"] == 50_000
    assert [t["status"] for t in client.get(f"{api(firm)}/topups").json()] == ["credited"]
    entries = client.get(f"{api(firm)}/entries?limit=1").json()
    assert entries[0]["amount"] == 50_000 and entries[0]["kind"] == "company_topup"


def test_api_refuses_bad_input_without_writing(api_client, firm):
    client = api_client(firm.finance)
    no_key = client.post(f"{api(firm)}/topups", {"amount": 100}, content_type="application/json")
    assert (no_key.status_code, no_key.json()["code"]) == (400, "idempotency_key_missing")
    for amount, code in [(0, "invalid_amount"), (10**9, "amount_too_large")]:
        response = client.post(
            f"{api(firm)}/topups",
            {"amount": amount},
            content_type="application/json",
            headers={"Idempotency-Key": f"bad{amount}"},
        )
        assert (response.status_code, response.json()["code"]) == (422, code)
    assert BankTransfer.objects.count() == 0


def test_api_who_may_not(api_client, firm, other_firm):
    for user, status, code in [
        (firm.buyer, 403, "role_required"),
        (firm.viewer, 403, "role_required"),
        (other_firm.finance, 404, "not_a_member"),
    ]:
        client = api_client(user)
        for path in ("", "/topups", "/entries"):
            response = client.get(f"{api(firm)}{path}")
            assert (response.status_code, response.json()["code"]) == (status, code)
        response = client.post(
            f"{api(firm)}/topups",
            {"amount": 100},
            content_type="application/json",
            headers={"Idempotency-Key": f"who{user.pk}"},
        )
        assert (response.status_code, response.json()["code"]) == (status, code)
    remove(firm, firm.finance)
    response = api_client(firm.finance).get(api(firm))
    assert (response.status_code, response.json()["code"]) == (404, "not_a_member")
    assert BankTransfer.objects.count() == 0
