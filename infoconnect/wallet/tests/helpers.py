"""Ledger checks and shortcuts shared by the wallet tests."""

from datetime import timedelta

from django.db.models import Sum
from django.utils import timezone

from infoconnect.wallet import actions
from infoconnect.wallet.models import (
    NEGATIVE_KINDS,
    AccountKind,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
)


def fund(user_id: int, amount: int) -> None:
    """Top up a wallet through the provider-facing actions, as a confirmed payment would."""
    payment = actions.start_topup(user_id=user_id, amount=amount)
    actions.complete_topup(payment_id=payment.pk)


def fund_merchant(
    merchant_id: int, buyer_id: int, amount: int, *, order_id: int, recent: bool = False
) -> None:
    """Give a merchant a balance the way it really gets one: a paid and released order, by
    default one released before the refund window (so its money may be paid out)."""
    fund(buyer_id, amount)
    actions.pay_order(buyer_id=buyer_id, order_id=order_id, amount=amount)
    release = actions.release_escrow(
        order_id=order_id, merchant_id=merchant_id, amount=amount, commission=0
    )
    if not recent:
        age_release(release)


def age_release(release: LedgerTransaction, days: int = 8) -> None:
    """Date a release ``days`` ago (past the default 7-day refund window)."""
    then = timezone.now() - timedelta(days=days)
    LedgerTransaction.objects.filter(pk=release.pk).update(created_at=then)
    LedgerEntry.objects.filter(transaction_id=release.pk).update(created_at=then)


def assert_ledger_consistent() -> None:
    """Every transaction balances, cached balances equal their entries, nothing is negative
    but the outside world and debts."""
    unbalanced = (
        LedgerEntry.objects.values("transaction_id").annotate(total=Sum("amount")).exclude(total=0)
    )
    assert list(unbalanced) == []
    assert not LedgerTransaction.objects.filter(entries__isnull=True).exists()
    sums = dict(LedgerEntry.objects.values_list("account_id").annotate(total=Sum("amount")))
    for account in LedgerAccount.objects.all():
        assert account.balance == sums.get(account.id, 0), account
        if account.kind not in NEGATIVE_KINDS:
            assert account.balance >= 0, account


def money_in_system() -> int:
    return (
        LedgerAccount.objects.exclude(kind=AccountKind.EXTERNAL).aggregate(total=Sum("balance"))[
            "total"
        ]
        or 0
    )
