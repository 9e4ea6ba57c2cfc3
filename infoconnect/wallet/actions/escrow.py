"""Order money: the buyer's wallet (or, for a company's order, the company's wallet) pays into
escrow; escrow refunds whoever paid or pays the merchant.

The payment's own entries say which accounts it debited and credited: refunds go back to the
account that paid, and the release pays the merchant from the escrow the payment filled.
Every escrow movement of an order locks the order's payment transaction first, then its
accounts in id order, so refunds and the release of one order never together exceed what it
paid and never deadlock.
"""

from django.db import connection, transaction
from django.db.models import Q, Sum
from django.utils import timezone

from infoconnect.core.errors import DomainError
from infoconnect.wallet.actions.ledger import (
    accounts,
    check_amount,
    inserted_transaction,
    lock_balances,
    open_transaction,
    post,
)
from infoconnect.wallet.errors import WalletError
from infoconnect.wallet.models import (
    PLATFORM,
    AccountKind,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    TransactionKind,
)


@transaction.atomic
def pay_order(
    *, buyer_id: int, order_id: int, amount: int, currency: str = "CNY"
) -> LedgerTransaction:
    """The buyer's wallet pays the order into escrow."""
    return charge_order(buyer_id=buyer_id, order_id=order_id, amount=amount, currency=currency)


def charge_order(
    *, buyer_id: int, order_id: int, amount: int, currency: str = "CNY"
) -> LedgerTransaction:
    """``pay_order`` inside the caller's transaction, which must roll back if this raises.

    Checkout pays this way: no savepoint of its own saves two round trips on every order.
    """
    return _charge(
        buyer_id, order_id, amount, currency, buyer_id, AccountKind.WALLET, AccountKind.ESCROW
    )


def charge_company_order(
    *, company_id: int, buyer_id: int, order_id: int, amount: int, currency: str = "CNY"
) -> LedgerTransaction:
    """The company's wallet pays its buyer's order into the company's escrow, inside the
    caller's transaction (which must roll back if this raises), as ``charge_order`` does."""
    return _charge(
        buyer_id, order_id, amount, currency, company_id, AccountKind.COMPANY_WALLET,
        AccountKind.COMPANY_ESCROW,
    )  # fmt: skip


def _charge(
    buyer_id: int,
    order_id: int,
    amount: int,
    currency: str,
    owner_id: int,
    wallet_kind: str,
    escrow_kind: str,
) -> LedgerTransaction:
    """The order's payment from ``owner_id``'s wallet of ``wallet_kind`` into its escrow."""
    if not transaction.get_connection().in_atomic_block:
        raise transaction.TransactionManagementError("paying an order needs a transaction")
    check_amount(amount, currency)
    if connection.vendor == "postgresql":
        txn, settled = _charge_in_one_statement(
            buyer_id, str(order_id), amount, currency, owner_id=owner_id,
            wallet_kind=wallet_kind, escrow_kind=escrow_kind,
        )  # fmt: skip
        if settled:  # else the transaction is open: post it the long way
            return txn
    else:
        txn, created = open_transaction(
            kind=TransactionKind.ORDER_PAYMENT,
            reference=str(order_id),
            user_id=buyer_id,
            amount=amount,
            currency=currency,
        )
        if not created:
            return txn
    wallet, escrow = accounts(currency, (wallet_kind, owner_id), (escrow_kind, owner_id))
    post(txn, [(wallet, -amount, WalletError.INSUFFICIENT_FUNDS), (escrow, amount, None)])
    return txn


# An order payment on PostgreSQL, in one statement: it is the hottest money movement (every
# order of a flash sale), and as five statements it spent most of its time on round trips.
# The same steps as open_transaction, accounts and post: the transaction row first (a repeat
# inserts nothing, so nothing else happens), then both accounts locked in ascending id order, the
# wallet debited only if its balance covers it, escrow credited, and one entry per leg
# written only when both balances moved.
_CHARGE_SQL = """
WITH t AS (
  INSERT INTO wallet_ledgertransaction (kind, reference, user_id, amount, currency, created_at)
  VALUES (%(kind)s, %(reference)s, %(user)s, %(amount)s, %(currency)s, %(at)s)
  ON CONFLICT (kind, reference) DO NOTHING RETURNING id
), a AS MATERIALIZED (
  SELECT id FROM wallet_ledgeraccount
  WHERE owner_id = %(owner)s AND currency = %(currency)s AND kind IN (%(wallet)s, %(escrow)s)
    AND EXISTS (SELECT 1 FROM t)
  ORDER BY id FOR UPDATE
), u AS (
  UPDATE wallet_ledgeraccount acc
  SET balance = acc.balance + CASE WHEN acc.kind = %(wallet)s THEN -%(amount)s::bigint ELSE %(amount)s::bigint END
  WHERE acc.id IN (SELECT id FROM a) AND (SELECT COUNT(*) FROM a) = 2
    AND (acc.kind <> %(wallet)s OR acc.balance >= %(amount)s::bigint)
  RETURNING acc.id, acc.kind, acc.balance
), e AS (
  INSERT INTO wallet_ledgerentry (account_id, transaction_id, amount, balance_after, created_at)
  SELECT u.id, t.id, CASE WHEN u.kind = %(wallet)s THEN -%(amount)s::bigint ELSE %(amount)s::bigint END,
         u.balance, %(at)s
  FROM u, t WHERE (SELECT COUNT(*) FROM u) = 2
)
SELECT t.id, (SELECT COUNT(*) FROM a), (SELECT COUNT(*) FROM u) FROM t
"""


def _charge_in_one_statement(
    buyer_id: int,
    reference: str,
    amount: int,
    currency: str,
    *,
    owner_id: int | None = None,
    wallet_kind: str = AccountKind.WALLET,
    escrow_kind: str = AccountKind.ESCROW,
) -> tuple[LedgerTransaction, bool]:
    """PostgreSQL's charge_order (and, with a company's ``owner_id`` and account kinds,
    charge_company_order). Settled (True): the payment posted, or a repeat's transaction. Not
    settled (False): the transaction is inserted but left open, because the paying wallet or
    its escrow account does not exist yet."""
    kind = TransactionKind.ORDER_PAYMENT
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            _CHARGE_SQL,
            {
                "kind": kind,
                "reference": reference,
                "user": buyer_id,
                "owner": buyer_id if owner_id is None else owner_id,
                "amount": amount,
                "currency": currency,
                "at": now,
                "wallet": wallet_kind,
                "escrow": escrow_kind,
            },
        )
        row = cursor.fetchone()
    if row is None:
        return LedgerTransaction.objects.get(kind=kind, reference=reference), True
    txn = inserted_transaction(row[0], kind, reference, buyer_id, amount, currency, now)
    found, moved = row[1], row[2]
    if found < 2:
        return txn, False
    if moved < 2:
        # Only the wallet's guard stops an update; the caller's transaction rolls back.
        raise DomainError(WalletError.INSUFFICIENT_FUNDS)
    return txn, True


def locked_payment(order_id: int, currency: str) -> LedgerTransaction:
    # Every escrow movement of an order locks its payment first, then accounts by id.
    payment = (
        LedgerTransaction.objects.select_for_update()
        .filter(kind=TransactionKind.ORDER_PAYMENT, reference=str(order_id))
        .first()
    )
    if payment is None:
        raise DomainError(WalletError.ORDER_NOT_PAID)
    if payment.currency != currency:
        raise DomainError(WalletError.UNSUPPORTED_CURRENCY)
    return payment


def paid_accounts(payment: LedgerTransaction) -> tuple[int, int]:
    """(the account the payment debited, the escrow account it credited)."""
    legs = list(LedgerEntry.objects.filter(transaction=payment).values_list("account_id", "amount"))
    payer = next(account for account, amount in legs if amount < 0)
    escrow = next(account for account, amount in legs if amount > 0)
    return payer, escrow


def order_transactions(order_id: int) -> Q:
    """The ledger transactions of one order: its payment, release and every refund of it."""
    return Q(
        kind__in=[
            TransactionKind.ORDER_PAYMENT,
            TransactionKind.ESCROW_REFUND,
            TransactionKind.ESCROW_RELEASE,
            TransactionKind.ORDER_REFUND,
        ],
        reference=str(order_id),
    ) | Q(kind=TransactionKind.PARTIAL_REFUND, reference__startswith=f"{order_id}-")


def escrow_left(order_id: int, escrow: int) -> int:
    """What the order still holds in its escrow account: its payment less its release and
    the refunds (whole or partial) that came out of escrow."""
    total = LedgerEntry.objects.filter(
        account_id=escrow,
        transaction__in=LedgerTransaction.objects.filter(order_transactions(order_id)),
    ).aggregate(total=Sum("amount"))["total"]
    return total or 0


def _check_escrow_room(payment: LedgerTransaction, txn: LedgerTransaction, escrow: int) -> None:
    """Refunds and the release of one order together never exceed what it paid."""
    if txn.amount > escrow_left(int(payment.reference), escrow):
        raise DomainError(WalletError.ESCROW_EXCEEDED)


@transaction.atomic
def refund_escrow(
    *, order_id: int, buyer_id: int, amount: int, currency: str = "CNY"
) -> LedgerTransaction:
    """Escrow returns the order's money to the wallet that paid it (cancelled, or refunded
    before release)."""
    check_amount(amount, currency)
    txn, created = open_transaction(
        kind=TransactionKind.ESCROW_REFUND,
        reference=str(order_id),
        user_id=buyer_id,
        amount=amount,
        currency=currency,
    )
    if not created:
        return txn
    payment = locked_payment(order_id, currency)
    if payment.user_id != buyer_id:
        raise DomainError(WalletError.WRONG_PARTY)
    wallet, escrow = paid_accounts(payment)
    _check_escrow_room(payment, txn, escrow)
    post(txn, [(escrow, -amount, WalletError.ESCROW_EXCEEDED), (wallet, amount, None)])
    return txn


@transaction.atomic
def release_escrow(
    *, order_id: int, merchant_id: int, amount: int, commission: int, currency: str = "CNY"
) -> LedgerTransaction:
    """Escrow pays the merchant the order less commission; the platform keeps the commission."""
    check_amount(amount, currency)
    if (
        isinstance(commission, bool)
        or not isinstance(commission, int)
        or not 0 <= commission <= amount
    ):
        raise DomainError(WalletError.INVALID_AMOUNT)
    txn, created = open_transaction(
        kind=TransactionKind.ESCROW_RELEASE,
        reference=str(order_id),
        user_id=merchant_id,
        amount=amount,
        currency=currency,
    )
    if not created:
        return txn
    payment = locked_payment(order_id, currency)
    _payer, escrow = paid_accounts(payment)
    _check_escrow_room(payment, txn, escrow)
    merchant, revenue = accounts(
        currency,
        (AccountKind.MERCHANT, merchant_id),
        (AccountKind.COMMISSION_REVENUE, PLATFORM),
    )
    share = amount - commission
    legs = [(escrow, -amount, WalletError.ESCROW_EXCEEDED), (revenue, commission, None)]
    debt = _owing_debt(merchant_id, currency)
    if debt is not None:
        # A merchant that owes for past refunds settles the debt first; locked, then read.
        owed = -lock_balances(escrow, merchant, revenue, debt)[debt]
        settled = min(share, max(owed, 0))
        legs.append((debt, settled, None))
        share -= settled
    legs.append((merchant, share, None))
    post(txn, legs)
    return txn


def _owing_debt(merchant_id: int, currency: str) -> int | None:
    """The merchant's debt account if it owes (read without a lock: the caller locks it and
    reads it again; a debt that appears meanwhile is settled by the next sale)."""
    return (
        LedgerAccount.objects.filter(
            owner_id=merchant_id,
            kind=AccountKind.MERCHANT_DEBT,
            currency=currency,
            balance__lt=0,
        )
        .values_list("pk", flat=True)
        .first()
    )
