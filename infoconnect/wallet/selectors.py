"""Reads of the ledger: balances, statements, top-ups, payouts and platform totals."""

from collections.abc import Iterator

from django.db.models import Sum

from infoconnect.core.pagination import PageParams, paginate
from infoconnect.wallet.models import (
    PLATFORM,
    AccountKind,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    Payment,
    Payout,
    TransactionKind,
)


def balance_of(*, user_id: int, kind: str = AccountKind.WALLET, currency: str = "CNY") -> int:
    """A user's balance in fen: kind is "wallet" (a person's wallet) or "merchant"."""
    balance = (
        LedgerAccount.objects.filter(owner_id=user_id, kind=kind, currency=currency)
        .values_list("balance", flat=True)
        .first()
    )
    return balance or 0


def statement(
    *,
    user_id: int,
    kind: str = AccountKind.WALLET,
    currency: str = "CNY",
    page: PageParams | None = None,
) -> list[LedgerEntry]:
    """A page of the account's entries, newest first, each with its transaction."""
    entries = _entries(user_id=user_id, kind=kind, currency=currency)
    return paginate(entries, page or PageParams())


def statement_rows(
    *, user_id: int, kind: str = AccountKind.WALLET, currency: str = "CNY"
) -> Iterator[LedgerEntry]:
    """Every entry of the account, newest first, streamed (for the CSV export)."""
    return (
        _entries(user_id=user_id, kind=kind, currency=currency)
        .order_by("-id")
        .iterator(chunk_size=2000)
    )


def _entries(*, user_id: int, kind: str, currency: str):
    return LedgerEntry.objects.filter(
        account__owner_id=user_id, account__kind=kind, account__currency=currency
    ).select_related("transaction")


def payment_for(*, user_id: int, payment_id: int) -> Payment | None:
    return Payment.objects.filter(pk=payment_id, user_id=user_id).first()


def payment_by_reference(*, reference: str) -> Payment | None:
    return Payment.objects.filter(provider_ref=reference).first()


def payouts_of(*, merchant_id: int, page: PageParams | None = None) -> list[Payout]:
    return paginate(Payout.objects.filter(merchant_id=merchant_id), page or PageParams())


def payout_for(*, merchant_id: int, payout_id: int) -> Payout | None:
    return Payout.objects.filter(pk=payout_id, merchant_id=merchant_id).first()


def platform_totals(*, currency: str = "CNY") -> dict[str, int]:
    """What the operator watches: revenue, money in escrow, held and on its way out."""
    rows = dict(
        LedgerAccount.objects.filter(currency=currency)
        .values_list("kind")
        .annotate(total=Sum("balance"))
        .values_list("kind", "total")
    )
    totals = {kind.value: int(rows.get(kind.value) or 0) for kind in AccountKind}
    # Money inside the system is what the external world has paid in and not taken out.
    totals["in_system"] = -totals[AccountKind.EXTERNAL]
    return totals


def platform_account_balance(*, kind: str, currency: str = "CNY") -> int:
    return balance_of(user_id=PLATFORM, kind=kind, currency=currency)


def campaign_cost(*, campaign_id: int) -> dict[str, int | None]:
    """A campaign's billing: ``held`` (0 when nothing was held) and ``charged`` to messaging
    revenue (None until the campaign is settled)."""
    reference = str(campaign_id)
    amounts = dict(
        LedgerTransaction.objects.filter(
            kind__in=[TransactionKind.CAMPAIGN_HOLD, TransactionKind.CAMPAIGN_SETTLE],
            reference=reference,
        ).values_list("kind", "amount")
    )
    charged = None
    if TransactionKind.CAMPAIGN_SETTLE in amounts:
        charged = (
            LedgerEntry.objects.filter(
                transaction__kind=TransactionKind.CAMPAIGN_SETTLE,
                transaction__reference=reference,
                account__kind=AccountKind.MESSAGING_REVENUE,
            ).aggregate(total=Sum("amount"))["total"]
            or 0
        )
    return {"held": amounts.get(TransactionKind.CAMPAIGN_HOLD, 0), "charged": charged}
