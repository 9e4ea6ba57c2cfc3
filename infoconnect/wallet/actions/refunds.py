"""Refunds of an order's money, whole or in part, that always reach whoever paid the order.

Before the release the money comes back out of the order's escrow. After it, the platform
gives back its commission on the refunded share, and the merchant's share comes from its
balance, then from its security deposit; whatever those cannot cover becomes a merchant debt
(MERCHANT_DEBT goes negative) that its next sales settle first. A refund never fails for lack
of merchant money. Each refund is one ledger transaction that locks the order's payment first,
then every account it moves in id order.
"""

from django.db import transaction

from infoconnect.core.errors import DomainError
from infoconnect.wallet.actions.escrow import (
    escrow_left,
    locked_payment,
    order_transactions,
    paid_accounts,
)
from infoconnect.wallet.actions.ledger import (
    Leg,
    accounts,
    check_amount,
    lock_balances,
    open_transaction,
    post,
)
from infoconnect.wallet.errors import WalletError
from infoconnect.wallet.models import (
    PLATFORM,
    AccountKind,
    LedgerEntry,
    LedgerTransaction,
    TransactionKind,
)

REFUND_KINDS = (
    TransactionKind.ESCROW_REFUND,
    TransactionKind.ORDER_REFUND,
    TransactionKind.PARTIAL_REFUND,
)


@transaction.atomic
def refund_order_money(
    *,
    order_id: int,
    refund_id: int,
    buyer_id: int,
    merchant_id: int,
    amount: int,
    currency: str = "CNY",
) -> LedgerTransaction:
    """Pay ``amount`` of the order back to the account that paid it, once per refund request.

    A replay for the same (order, refund) returns the first transaction and moves nothing.
    All refunds of an order together never exceed what it paid (``refund_exceeds_payment``).
    """
    return _refund(
        kind=TransactionKind.PARTIAL_REFUND,
        reference=f"{order_id}-{refund_id}",
        order_id=order_id,
        buyer_id=buyer_id,
        merchant_id=merchant_id,
        amount=amount,
        currency=currency,
        released_only=False,
    )


@transaction.atomic
def refund_completed_order(
    *, order_id: int, merchant_id: int, buyer_id: int, amount: int, currency: str = "CNY"
) -> LedgerTransaction:
    """The whole refund of an order already paid out to the merchant (one per order)."""
    return _refund(
        kind=TransactionKind.ORDER_REFUND,
        reference=str(order_id),
        order_id=order_id,
        buyer_id=buyer_id,
        merchant_id=merchant_id,
        amount=amount,
        currency=currency,
        released_only=True,
    )


def refunded_amount(*, order_id: int, exclude: int | None = None) -> int:
    """What the order's refunds (from escrow, after completion, partial) have paid back."""
    refunds = LedgerTransaction.objects.filter(order_transactions(order_id), kind__in=REFUND_KINDS)
    if exclude is not None:
        refunds = refunds.exclude(pk=exclude)
    return sum(refunds.values_list("amount", flat=True))


def _refund(
    *,
    kind: str,
    reference: str,
    order_id: int,
    buyer_id: int,
    merchant_id: int,
    amount: int,
    currency: str,
    released_only: bool,
) -> LedgerTransaction:
    check_amount(amount, currency)
    txn, created = open_transaction(
        kind=kind, reference=reference, user_id=buyer_id, amount=amount, currency=currency
    )
    if not created:
        return txn
    payment = locked_payment(order_id, currency)
    if payment.user_id != buyer_id:
        raise DomainError(WalletError.WRONG_PARTY)
    release = LedgerTransaction.objects.filter(
        kind=TransactionKind.ESCROW_RELEASE, reference=str(order_id)
    ).first()
    if release is None and released_only:
        raise DomainError(WalletError.ORDER_NOT_RELEASED)
    if release is not None and release.user_id != merchant_id:
        raise DomainError(WalletError.WRONG_PARTY)
    if refunded_amount(order_id=order_id, exclude=txn.pk) + amount > payment.amount:
        raise DomainError(WalletError.REFUND_EXCEEDS_PAYMENT)
    payer, escrow = paid_accounts(payment)
    # Whatever the order still holds in escrow pays first; before the release, that is all.
    from_escrow = min(amount, escrow_left(order_id, escrow))
    legs: list[Leg] = [(escrow, -from_escrow, WalletError.ESCROW_EXCEEDED), (payer, amount, None)]
    if amount > from_escrow:
        legs += _merchant_legs(release, merchant_id, amount - from_escrow, payer, escrow, currency)
    post(txn, legs)
    return txn


def _merchant_legs(
    release: LedgerTransaction,
    merchant_id: int,
    amount: int,
    payer: int,
    escrow: int,
    currency: str,
) -> list[Leg]:
    """Where ``amount`` of a released order comes back from: the platform's commission on it,
    then the merchant's balance, its deposit, and the rest as a debt."""
    merchant, deposit, debt, revenue = accounts(
        currency,
        (AccountKind.MERCHANT, merchant_id),
        (AccountKind.DEPOSIT, merchant_id),
        (AccountKind.MERCHANT_DEBT, merchant_id),
        (AccountKind.COMMISSION_REVENUE, PLATFORM),
    )
    commission = (
        LedgerEntry.objects.filter(transaction=release, account_id=revenue)
        .values_list("amount", flat=True)
        .first()
        or 0
    )
    # The merchant only ever received the order less commission: the platform gives back its
    # commission on the refunded share, the merchant the rest.
    commission_back = commission * amount // release.amount
    share = amount - commission_back
    balances = lock_balances(payer, escrow, merchant, deposit, debt, revenue)
    from_balance = min(share, balances[merchant])
    from_deposit = min(share - from_balance, balances[deposit])
    owed = share - from_balance - from_deposit
    return [
        (revenue, -commission_back, WalletError.INSUFFICIENT_FUNDS),
        (merchant, -from_balance, WalletError.MERCHANT_INSUFFICIENT_FUNDS),
        (deposit, -from_deposit, WalletError.MERCHANT_INSUFFICIENT_FUNDS),
        (debt, -owed, None),
    ]
