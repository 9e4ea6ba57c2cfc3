"""seed_demo's wallet data: sandbox top-ups through signed notifications, orders paid,
shipped and confirmed through the shop, and a ledger that balances; a second seed adds
nothing."""

from collections import Counter

import pytest
from django.apps import apps
from django.core.management import call_command

from infoconnect.accounts.models import User
from infoconnect.core.money import format_money
from infoconnect.procurement.models import Company
from infoconnect.shop.actions import commission_for
from infoconnect.shop.models import Order
from infoconnect.wallet import demo
from infoconnect.wallet.models import (
    PLATFORM,
    AccountKind,
    BankTransfer,
    LedgerAccount,
    LedgerTransaction,
    Payment,
    ProviderNotification,
)
from infoconnect.wallet.selectors import balance_of, company_balance
from infoconnect.wallet.tests.helpers import assert_ledger_consistent


def _row_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


@pytest.fixture
def seeded(db):
    call_command("seed_demo")
    first = _row_counts()
    call_command("seed_demo")
    assert _row_counts() == first
    return first


def _balance(username: str, kind: str) -> int:
    user = User.objects.get(username=username)
    account = LedgerAccount.objects.filter(owner_id=user.pk, kind=kind).first()
    return account.balance if account else 0


def test_seed_twice_adds_nothing_and_the_ledger_balances(seeded):
    assert seeded["wallet.Payment"] == 3
    # The three top-ups', and the demo company's bank transfer.
    assert seeded["wallet.ProviderNotification"] == 4
    # The four orders of persons, and two of the demo company's: its accepted quote's, and
    # the order its invoice is for (received, so released from escrow).
    assert seeded["shop.Order"] == 7
    kinds = Counter(LedgerTransaction.objects.values_list("kind", flat=True))
    assert (kinds["topup"], kinds["order_payment"], kinds["escrow_release"]) == (3, 6, 3)
    assert_ledger_consistent()


def test_topups_went_through_the_sandbox_notification(seeded):
    assert sorted(
        ProviderNotification.objects.filter(event__startswith="payment.").values_list(
            "notification_id", "event", "provider"
        )
    ) == [
        ("evt_demo_topup_demo", "payment.succeeded", "sandbox"),
        ("evt_demo_topup_lihua", "payment.succeeded", "sandbox"),
        ("evt_demo_topup_wangfang", "payment.succeeded", "sandbox"),
    ]
    assert set(Payment.objects.values_list("status", "amount")) == {("succeeded", 50000)}
    assert LedgerTransaction.objects.filter(kind="topup").count() == 3


def test_wallets_hold_what_is_left_after_the_orders(seeded):
    lihua = User.objects.get(username="lihua")
    assert format_money(balance_of(user_id=lihua.pk), "CNY") == "¥165.00"  # 500 − 136 − 199
    assert _balance("lihua", AccountKind.WALLET) == 50000 - 13600 - 19900
    assert _balance("wangfang", AccountKind.WALLET) == 50000 - 12900 - 8800
    assert _balance("demo", AccountKind.WALLET) == 50000
    # The shipped and the paid orders wait in escrow.
    assert _balance("lihua", AccountKind.ESCROW) == 19900
    assert _balance("wangfang", AccountKind.ESCROW) == 8800


def test_merchants_have_a_balance_less_commission(seeded):
    tea_cut, stand_cut = commission_for(13600, 200), commission_for(12900, 200)
    assert (tea_cut, stand_cut) == (272, 258)
    # Green Tea House's campaign is paid from its balance where campaigns are billed.
    messaging = LedgerAccount.objects.filter(
        owner_id=PLATFORM, kind=AccountKind.MESSAGING_REVENUE
    ).first()
    campaign_cost = messaging.balance if messaging else 0
    assert campaign_cost in (0, 3)  # nothing, or 3 deliveries at 1 fen
    assert _balance("greentea_shop", AccountKind.MERCHANT) == 13600 - tea_cut - campaign_cost
    # Byte Gadgets also sold the demo company the order its invoice is for.
    invoiced_cut = commission_for(32900, 200)
    assert _balance("bytegadgets", AccountKind.MERCHANT) == (
        12900 - stand_cut + 32900 - invoiced_cut
    )
    revenue = LedgerAccount.objects.get(owner_id=PLATFORM, kind=AccountKind.COMMISSION_REVENUE)
    assert revenue.balance == tea_cut + stand_cut + invoiced_cut


def test_one_order_in_each_state(seeded):
    orders = {
        o.checkout_key: (
            o.buyer.username,
            o.state,
            o.total,
            o.commission,
            o.carrier,
            [e.kind for e in o.events.all()],
        )
        for o in Order.objects.filter(company_id__isnull=True)
        .select_related("buyer")
        .prefetch_related("events")
        .order_by("pk")
    }
    assert orders == {
        "demo-seed-completed-tea": (
            "lihua",
            "completed",
            13600,
            272,
            "SF Express",
            ["placed", "paid", "shipped", "completed"],
        ),
        "demo-seed-completed-stand": (
            "wangfang",
            "completed",
            12900,
            258,
            "JD Logistics",
            ["placed", "paid", "shipped", "completed"],
        ),
        "demo-seed-shipped-dock": (
            "lihua",
            "shipped",
            19900,
            0,
            "SF Express",
            ["placed", "paid", "shipped"],
        ),
        "demo-seed-paid-biluochun": ("wangfang", "paid", 8800, 0, "", ["placed", "paid"]),
    }
    assert [key for key, *_ in demo.ORDERS] == list(orders)


def test_the_demo_company_wallet_is_funded_by_a_credited_bank_transfer(seeded):
    company = Company.objects.get(uscc="91110108551385082Q")
    # ¥50,000.00 came in; the accepted quote's order (¥2,368.80) and the invoiced order
    # (¥329.00) were paid from it.
    assert format_money(company_balance(company_id=company.pk), "CNY") == "¥47,302.20"
    transfer = BankTransfer.objects.get(company=company)
    assert (transfer.status, transfer.amount) == ("credited", 5_000_000)
    notification = ProviderNotification.objects.get(event="transfer.received")
    assert notification.object_ref == transfer.code
    assert seeded["wallet.BankTransfer"] == 1
    assert seeded["wallet.HeldTransfer"] == 0
    assert_ledger_consistent()
