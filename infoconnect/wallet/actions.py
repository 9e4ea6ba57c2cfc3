"""Every write to the ledger.

Each money movement is one balanced LedgerTransaction, idempotent on (kind, reference):
the transaction row is inserted first, so a repeat (or a concurrent duplicate waiting on
the unique index) gets the first transaction back and moves nothing. Balances change
with conditional UPDATEs taken in account-id order, so an account that must not go
below zero is guarded by the write itself and two transactions never deadlock.
"""

import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from functools import partial

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext

from infoconnect.core.errors import DomainError
from infoconnect.core.idempotency import run_idempotent
from infoconnect.core.money import CURRENCY_SYMBOLS, DEFAULT_CURRENCY, format_money
from infoconnect.wallet.errors import WalletError
from infoconnect.wallet.models import (
    PLATFORM,
    AccountKind,
    LedgerEntry,
    LedgerTransaction,
    Payment,
    Payout,
    ProviderNotification,
    TransactionKind,
)
from infoconnect.wallet.providers import DEFAULT_PROVIDER, cancel_payments, get_provider

MAX_AMOUNT = 10**12  # fen; keeps every sum far inside a 64-bit integer
MAX_TOPUP = 5_000_000  # ¥50,000 per top-up
# A top-up still pending this long after it was opened is expired by the sweep.
TOPUP_EXPIRES_AFTER = timedelta(minutes=30)
Leg = tuple[int, int, WalletError | None]  # (account id, amount, error if it would go negative)


def _check_amount(amount: int, currency: str) -> None:
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise DomainError(WalletError.INVALID_AMOUNT)
    if amount > MAX_AMOUNT:
        raise DomainError(WalletError.AMOUNT_TOO_LARGE)
    if currency not in CURRENCY_SYMBOLS:
        raise DomainError(WalletError.UNSUPPORTED_CURRENCY)


def _check_external_currency(currency: str) -> None:
    """Money comes in and goes out only in the currency the shop sells in: a wallet in any
    other could never pay for an order, and no page would show its balance."""
    if currency != DEFAULT_CURRENCY:
        raise DomainError(WalletError.UNSUPPORTED_CURRENCY)


def accounts(currency: str, *keys: tuple[str, int]) -> list[int]:
    """The ids of the (kind, owner_id) accounts in ``currency``, opening any that are missing.

    Raw SQL: this runs for every money movement, and one query finds all its accounts.
    """
    params = [currency, *{owner for _, owner in keys}, *{kind for kind, _ in keys}]
    owners = ", ".join(["%s"] * len({owner for _, owner in keys}))
    kinds = ", ".join(["%s"] * len({kind for kind, _ in keys}))
    select = (
        "SELECT kind, owner_id, id FROM wallet_ledgeraccount "
        f"WHERE currency = %s AND owner_id IN ({owners}) AND kind IN ({kinds})"
    )
    with connection.cursor() as cursor:
        cursor.execute(select, params)
        found = {(kind, owner): pk for kind, owner, pk in cursor.fetchall()}
        missing = {key for key in keys if key not in found}
        # A person's escrow opens with their wallet: their first payment then finds both.
        missing |= {
            (AccountKind.ESCROW, owner) for kind, owner in missing if kind == AccountKind.WALLET
        }
        # Sorted, so two transactions opening the same accounts take their index locks in one order.
        missing = sorted(missing)
        if missing:
            now = connection.ops.adapt_datetimefield_value(timezone.now())
            cursor.execute(
                "INSERT INTO wallet_ledgeraccount (kind, owner_id, currency, balance, created_at) "
                f"VALUES {', '.join(['(%s, %s, %s, 0, %s)'] * len(missing))} "
                "ON CONFLICT (owner_id, kind, currency) DO NOTHING RETURNING kind, owner_id, id",
                [value for kind, owner in missing for value in (kind, owner, currency, now)],
            )
            found.update({(kind, owner): pk for kind, owner, pk in cursor.fetchall()})
            if any(key not in found for key in keys):
                # A concurrent opener of the same account won; read its row.
                cursor.execute(select, params)
                found = {(kind, owner): pk for kind, owner, pk in cursor.fetchall()}
    return [found[key] for key in keys]


def account_id(*, kind: str, owner_id: int, currency: str) -> int:
    return accounts(currency, (kind, owner_id))[0]


def _open(
    *, kind: str, reference: str, user_id: int, amount: int, currency: str
) -> tuple[LedgerTransaction, bool]:
    """Insert the transaction, or return the one already recorded for (kind, reference).

    A concurrent duplicate waits on the unique index until the first commits (then gets
    its row) or rolls back (then inserts its own).
    """
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO wallet_ledgertransaction (kind, reference, user_id, amount, currency, created_at) "
            "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (kind, reference) DO NOTHING RETURNING id",
            [
                kind,
                reference,
                user_id,
                amount,
                currency,
                connection.ops.adapt_datetimefield_value(now),
            ],
        )
        row = cursor.fetchone()
    if row is None:
        return LedgerTransaction.objects.get(kind=kind, reference=reference), False
    return _inserted_txn(row[0], kind, reference, user_id, amount, currency, now), True


def _inserted_txn(
    pk: int, kind: str, reference: str, user_id: int, amount: int, currency: str, now: datetime
) -> LedgerTransaction:
    """The instance of a transaction row just inserted, as the ORM would have loaded it."""
    txn = LedgerTransaction(
        id=pk,
        kind=kind,
        reference=reference,
        user_id=user_id,
        amount=amount,
        currency=currency,
        created_at=now,
    )
    txn._state.adding = False
    txn._state.db = connection.alias
    return txn


_GUARDED_SQL = (
    "UPDATE wallet_ledgeraccount SET balance = balance + %s "
    "WHERE id = %s AND balance >= %s RETURNING balance"
)
_UNGUARDED_SQL = (
    "UPDATE wallet_ledgeraccount SET balance = balance + %s WHERE id = %s RETURNING balance"
)


def _post(txn: LedgerTransaction, legs: list[Leg]) -> None:
    """Move the money of ``legs`` (which sum to zero) and record one entry per leg."""
    legs = [leg for leg in legs if leg[1] != 0]
    if sum(amount for _, amount, _ in legs) != 0 or len({leg[0] for leg in legs}) != len(legs):
        raise ValueError(f"unbalanced ledger transaction {txn.kind} {txn.reference}: {legs}")
    balances: dict[int, int] = {}
    with connection.cursor() as cursor:
        # Ascending account id: every transaction takes its row locks in the same order.
        for account, amount, error in sorted(legs, key=lambda leg: leg[0]):
            if error is not None and amount < 0:
                cursor.execute(_GUARDED_SQL, [amount, account, -amount])
            else:
                cursor.execute(_UNGUARDED_SQL, [amount, account])
            row = cursor.fetchone()
            if row is None:
                raise DomainError(error)
            balances[account] = row[0]
    _write_entries(txn, legs, balances)


def _write_entries(txn: LedgerTransaction, legs: list[Leg], balances: dict[int, int]) -> None:
    at = connection.ops.adapt_datetimefield_value(timezone.now())
    rows = ", ".join(["(%s, %s, %s, %s, %s)"] * len(legs))
    params = [
        value
        for account, amount, _ in legs
        for value in (account, txn.pk, amount, balances[account], at)
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO wallet_ledgerentry (account_id, transaction_id, amount, balance_after, "
            f"created_at) VALUES {rows}",
            params,
        )


# Orders ---------------------------------------------------------------------------------


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
    if not transaction.get_connection().in_atomic_block:
        raise transaction.TransactionManagementError("charge_order needs a transaction")
    _check_amount(amount, currency)
    if connection.vendor == "postgresql":
        txn, settled = _charge_in_one_statement(buyer_id, str(order_id), amount, currency)
        if settled:  # else the transaction is open: post it the long way
            return txn
    else:
        txn, created = _open(
            kind=TransactionKind.ORDER_PAYMENT,
            reference=str(order_id),
            user_id=buyer_id,
            amount=amount,
            currency=currency,
        )
        if not created:
            return txn
    wallet, escrow = accounts(
        currency, (AccountKind.WALLET, buyer_id), (AccountKind.ESCROW, buyer_id)
    )
    _post(txn, [(wallet, -amount, WalletError.INSUFFICIENT_FUNDS), (escrow, amount, None)])
    return txn


# An order payment on PostgreSQL, in one statement: it is the hottest money movement (every
# order of a flash sale), and as five statements it spent most of its time on round trips.
# The same steps as _open, accounts and _post: the transaction row first (a repeat inserts
# nothing, so nothing else happens), then both accounts locked in ascending id order, the
# wallet debited only if its balance covers it, escrow credited, and one entry per leg
# written only when both balances moved.
_CHARGE_SQL = """
WITH t AS (
  INSERT INTO wallet_ledgertransaction (kind, reference, user_id, amount, currency, created_at)
  VALUES (%(kind)s, %(reference)s, %(user)s, %(amount)s, %(currency)s, %(at)s)
  ON CONFLICT (kind, reference) DO NOTHING RETURNING id
), a AS MATERIALIZED (
  SELECT id FROM wallet_ledgeraccount
  WHERE owner_id = %(user)s AND currency = %(currency)s AND kind IN (%(wallet)s, %(escrow)s)
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
    buyer_id: int, reference: str, amount: int, currency: str
) -> tuple[LedgerTransaction, bool]:
    """PostgreSQL's charge_order. Settled (True): the payment posted, or a repeat's
    transaction. Not settled (False): the transaction is inserted but left open, because the
    buyer's wallet or escrow account does not exist yet."""
    kind = TransactionKind.ORDER_PAYMENT
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            _CHARGE_SQL,
            {
                "kind": kind,
                "reference": reference,
                "user": buyer_id,
                "amount": amount,
                "currency": currency,
                "at": now,
                "wallet": AccountKind.WALLET,
                "escrow": AccountKind.ESCROW,
            },
        )
        row = cursor.fetchone()
    if row is None:
        return LedgerTransaction.objects.get(kind=kind, reference=reference), True
    txn = _inserted_txn(row[0], kind, reference, buyer_id, amount, currency, now)
    found, moved = row[1], row[2]
    if found < 2:
        return txn, False
    if moved < 2:
        # Only the wallet's guard stops an update; the caller's transaction rolls back.
        raise DomainError(WalletError.INSUFFICIENT_FUNDS)
    return txn, True


def _locked_payment(order_id: int, currency: str) -> LedgerTransaction:
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


def _check_escrow_room(payment: LedgerTransaction, txn: LedgerTransaction) -> None:
    """Refunds and the release of one order together never exceed what it paid."""
    taken = sum(
        LedgerTransaction.objects.filter(
            kind__in=[TransactionKind.ESCROW_REFUND, TransactionKind.ESCROW_RELEASE],
            reference=payment.reference,
        )
        .exclude(pk=txn.pk)
        .values_list("amount", flat=True)
    )
    if taken + txn.amount > payment.amount:
        raise DomainError(WalletError.ESCROW_EXCEEDED)


@transaction.atomic
def refund_escrow(
    *, order_id: int, buyer_id: int, amount: int, currency: str = "CNY"
) -> LedgerTransaction:
    """Escrow returns the order's money to the buyer (cancelled, or refunded before release)."""
    _check_amount(amount, currency)
    txn, created = _open(
        kind=TransactionKind.ESCROW_REFUND,
        reference=str(order_id),
        user_id=buyer_id,
        amount=amount,
        currency=currency,
    )
    if not created:
        return txn
    payment = _locked_payment(order_id, currency)
    if payment.user_id != buyer_id:
        raise DomainError(WalletError.WRONG_PARTY)
    _check_escrow_room(payment, txn)
    escrow, wallet = accounts(
        currency, (AccountKind.ESCROW, buyer_id), (AccountKind.WALLET, buyer_id)
    )
    _post(txn, [(escrow, -amount, WalletError.ESCROW_EXCEEDED), (wallet, amount, None)])
    return txn


@transaction.atomic
def release_escrow(
    *, order_id: int, merchant_id: int, amount: int, commission: int, currency: str = "CNY"
) -> LedgerTransaction:
    """Escrow pays the merchant the order less commission; the platform keeps the commission."""
    _check_amount(amount, currency)
    if (
        isinstance(commission, bool)
        or not isinstance(commission, int)
        or not 0 <= commission <= amount
    ):
        raise DomainError(WalletError.INVALID_AMOUNT)
    txn, created = _open(
        kind=TransactionKind.ESCROW_RELEASE,
        reference=str(order_id),
        user_id=merchant_id,
        amount=amount,
        currency=currency,
    )
    if not created:
        return txn
    payment = _locked_payment(order_id, currency)
    _check_escrow_room(payment, txn)
    escrow, merchant, revenue = accounts(
        currency,
        (AccountKind.ESCROW, payment.user_id),
        (AccountKind.MERCHANT, merchant_id),
        (AccountKind.COMMISSION_REVENUE, PLATFORM),
    )
    _post(
        txn,
        [
            (escrow, -amount, WalletError.ESCROW_EXCEEDED),
            (merchant, amount - commission, None),
            (revenue, commission, None),
        ],
    )
    return txn


@transaction.atomic
def refund_completed_order(
    *, order_id: int, merchant_id: int, buyer_id: int, amount: int, currency: str = "CNY"
) -> LedgerTransaction:
    """The merchant's balance refunds the buyer of an order already paid out to it."""
    _check_amount(amount, currency)
    txn, created = _open(
        kind=TransactionKind.ORDER_REFUND,
        reference=str(order_id),
        user_id=buyer_id,
        amount=amount,
        currency=currency,
    )
    if not created:
        return txn
    payment = _locked_payment(order_id, currency)
    if payment.user_id != buyer_id:
        raise DomainError(WalletError.WRONG_PARTY)
    release = LedgerTransaction.objects.filter(
        kind=TransactionKind.ESCROW_RELEASE, reference=str(order_id)
    ).first()
    if release is None:
        raise DomainError(WalletError.ORDER_NOT_RELEASED)
    if release.user_id != merchant_id:
        raise DomainError(WalletError.WRONG_PARTY)
    if amount > release.amount:
        raise DomainError(WalletError.REFUND_EXCEEDS_PAYMENT)
    merchant, wallet, revenue = accounts(
        currency,
        (AccountKind.MERCHANT, merchant_id),
        (AccountKind.WALLET, buyer_id),
        (AccountKind.COMMISSION_REVENUE, PLATFORM),
    )
    # The merchant only ever received the order less commission: the platform gives back
    # its commission on the refunded share, the merchant the rest.
    commission = (
        LedgerEntry.objects.filter(transaction=release, account_id=revenue)
        .values_list("amount", flat=True)
        .first()
        or 0
    )
    commission_back = commission * amount // release.amount
    _post(
        txn,
        [
            (merchant, -(amount - commission_back), WalletError.MERCHANT_INSUFFICIENT_FUNDS),
            (revenue, -commission_back, WalletError.INSUFFICIENT_FUNDS),
            (wallet, amount, None),
        ],
    )
    return txn


# Campaigns ------------------------------------------------------------------------------


@transaction.atomic
def hold_campaign_cost(
    *, merchant_id: int, campaign_id: int, amount: int, currency: str = "CNY"
) -> LedgerTransaction:
    """Hold a campaign's estimated cost from the merchant's balance before it sends."""
    _check_amount(amount, currency)
    txn, created = _open(
        kind=TransactionKind.CAMPAIGN_HOLD,
        reference=str(campaign_id),
        user_id=merchant_id,
        amount=amount,
        currency=currency,
    )
    if not created:
        return txn
    merchant, hold = accounts(
        currency, (AccountKind.MERCHANT, merchant_id), (AccountKind.CAMPAIGN_HOLD, merchant_id)
    )
    _post(txn, [(merchant, -amount, WalletError.MERCHANT_INSUFFICIENT_FUNDS), (hold, amount, None)])
    return txn


@transaction.atomic
def settle_campaign(
    *, merchant_id: int, campaign_id: int, charged: int, currency: str = "CNY"
) -> LedgerTransaction:
    """Charge what the campaign delivered to messaging revenue; return the rest of the hold."""
    hold_txn = (
        LedgerTransaction.objects.select_for_update()
        .filter(kind=TransactionKind.CAMPAIGN_HOLD, reference=str(campaign_id))
        .first()
    )
    if hold_txn is None:
        raise DomainError(WalletError.CAMPAIGN_NOT_HELD)
    if hold_txn.user_id != merchant_id:
        raise DomainError(WalletError.WRONG_PARTY)
    if hold_txn.currency != currency:
        raise DomainError(WalletError.UNSUPPORTED_CURRENCY)
    if isinstance(charged, bool) or not isinstance(charged, int) or charged < 0:
        raise DomainError(WalletError.INVALID_AMOUNT)
    if charged > hold_txn.amount:
        raise DomainError(WalletError.CHARGE_EXCEEDS_HOLD)
    txn, created = _open(
        kind=TransactionKind.CAMPAIGN_SETTLE,
        reference=str(campaign_id),
        user_id=merchant_id,
        amount=hold_txn.amount,
        currency=currency,
    )
    if not created:
        return txn
    hold, revenue, merchant = accounts(
        currency,
        (AccountKind.CAMPAIGN_HOLD, merchant_id),
        (AccountKind.MESSAGING_REVENUE, PLATFORM),
        (AccountKind.MERCHANT, merchant_id),
    )
    _post(
        txn,
        [
            (hold, -hold_txn.amount, WalletError.CAMPAIGN_NOT_HELD),
            (revenue, charged, None),
            (merchant, hold_txn.amount - charged, None),
        ],
    )
    return txn


# Top-ups --------------------------------------------------------------------------------


@transaction.atomic
def start_topup(
    *,
    user_id: int,
    amount: int,
    currency: str = "CNY",
    provider: str = DEFAULT_PROVIDER,
    destination: str = AccountKind.WALLET,
) -> Payment:
    """Open a payment with the provider; ``destination`` (the person's wallet or the
    merchant's balance) is credited when it notifies success."""
    _check_amount(amount, currency)
    _check_external_currency(currency)
    if amount > MAX_TOPUP:
        raise DomainError(
            WalletError.AMOUNT_TOO_LARGE,
            gettext("A top-up may be at most %(max)s.")
            % {"max": format_money(MAX_TOPUP, currency)},
        )
    if destination == AccountKind.MERCHANT:
        from infoconnect.accounts.models import User

        if not User.objects.filter(pk=user_id, kind=User.Kind.MERCHANT).exists():
            raise DomainError(WalletError.NOT_A_MERCHANT_TOPUP)
    elif destination != AccountKind.WALLET:
        raise DomainError(WalletError.INVALID_DESTINATION)
    session = get_provider(provider).create_payment(amount=amount, currency=currency)
    return Payment.objects.create(
        user_id=user_id,
        amount=amount,
        currency=currency,
        destination=destination,
        provider=provider,
        provider_ref=session.reference,
        redirect_url=session.redirect_url,
    )


@transaction.atomic
def complete_topup(*, payment_id: int) -> LedgerTransaction | None:
    """Credit a paid top-up to its destination, exactly once.

    The provider's success is the last word, whatever was recorded before: expiry only means
    we stopped waiting, and a cancellation the provider reported and then reversed still
    ended with the payer's money taken, which must reach the wallet.
    """
    Payment.objects.filter(
        pk=payment_id,
        status__in=[Payment.Status.PENDING, Payment.Status.EXPIRED, Payment.Status.CANCELED],
    ).update(status=Payment.Status.SUCCEEDED, completed_at=timezone.now())
    payment = Payment.objects.get(pk=payment_id)
    if payment.status != Payment.Status.SUCCEEDED:
        return None
    txn, created = _open(
        kind=TransactionKind.TOPUP,
        reference=str(payment.pk),
        user_id=payment.user_id,
        amount=payment.amount,
        currency=payment.currency,
    )
    if created:
        external, destination = accounts(
            payment.currency,
            (AccountKind.EXTERNAL, PLATFORM),
            (payment.destination, payment.user_id),
        )
        _post(txn, [(external, -payment.amount, None), (destination, payment.amount, None)])
    return txn


@transaction.atomic
def cancel_topup(*, payment_id: int) -> Payment:
    Payment.objects.filter(pk=payment_id, status=Payment.Status.PENDING).update(
        status=Payment.Status.CANCELED, completed_at=timezone.now()
    )
    return Payment.objects.get(pk=payment_id)


def expire_stale_topups(*, now: datetime | None = None, batch: int = 1000) -> int:
    """Sweep: expire top-ups still pending ``TOPUP_EXPIRES_AFTER`` after they were opened.

    Safe to run twice and on several machines at once: each chunk is one UPDATE conditional
    on the row still being pending, so a top-up completed or cancelled meanwhile is left
    alone and one already expired is not counted again. Returns how many it expired.

    Once a chunk's expiry has committed, each of its payments is cancelled at its provider
    so the payer can no longer pay it; a cancellation that fails is logged and changes
    nothing here (see providers.cancel_payments).
    """
    now = now or timezone.now()
    cutoff = now - TOPUP_EXPIRES_AFTER
    stale = Payment.objects.filter(status=Payment.Status.PENDING, created_at__lte=cutoff)
    expired = 0
    last_id = 0
    while True:
        with transaction.atomic():
            # Rows locked in id order, skipping those another sweeper or a completing
            # notification holds: concurrent sweeps neither wait on nor deadlock each other.
            rows = list(
                stale.filter(pk__gt=last_id)
                .order_by("pk")
                .select_for_update(skip_locked=True)
                .values_list("pk", "provider", "provider_ref")[:batch]
            )
            if not rows:
                return expired
            ids = [row[0] for row in rows]
            expired += stale.filter(pk__in=ids).update(
                status=Payment.Status.EXPIRED, completed_at=now
            )
            # Locked since they were read, so every row read is one this UPDATE expired.
            transaction.on_commit(partial(cancel_payments, rows), robust=True)
        last_id = ids[-1]


# Payouts --------------------------------------------------------------------------------


@transaction.atomic
def request_payout(
    *, merchant_id: int, amount: int, currency: str = "CNY", provider: str = DEFAULT_PROVIDER
) -> Payout:
    """Move money out of the merchant's balance at once; the provider confirms it later.

    The provider is asked to send the money only once the balance has covered it: a payout
    the balance refuses never reaches the provider.
    """
    from infoconnect.accounts.models import User

    _check_amount(amount, currency)
    _check_external_currency(currency)
    if not User.objects.filter(pk=merchant_id, kind=User.Kind.MERCHANT).exists():
        raise DomainError(WalletError.NOT_A_MERCHANT)
    sender = get_provider(provider)
    payout = Payout.objects.create(
        merchant_id=merchant_id,
        amount=amount,
        currency=currency,
        provider=provider,
        # Replaced by the provider's reference below, in this same transaction.
        provider_ref=f"unsent_{uuid.uuid4().hex}",
    )
    txn, _ = _open(
        kind=TransactionKind.PAYOUT,
        reference=str(payout.pk),
        user_id=merchant_id,
        amount=amount,
        currency=currency,
    )
    merchant, pending = accounts(
        currency, (AccountKind.MERCHANT, merchant_id), (AccountKind.PAYOUT_PENDING, merchant_id)
    )
    _post(
        txn, [(merchant, -amount, WalletError.MERCHANT_INSUFFICIENT_FUNDS), (pending, amount, None)]
    )
    payout.provider_ref = sender.create_payout(amount=amount, currency=currency)
    payout.save(update_fields=["provider_ref"])
    return payout


def _finish_payout(payout_id: int, status: str, kind: str, to_kind: str) -> Payout:
    Payout.objects.filter(pk=payout_id, status=Payout.Status.PENDING).update(
        status=status, completed_at=timezone.now()
    )
    payout = Payout.objects.get(pk=payout_id)
    if payout.status != status:
        return payout
    txn, created = _open(
        kind=kind,
        reference=str(payout.pk),
        user_id=payout.merchant_id,
        amount=payout.amount,
        currency=payout.currency,
    )
    if created:
        owner = PLATFORM if to_kind == AccountKind.EXTERNAL else payout.merchant_id
        pending, target = accounts(
            payout.currency, (AccountKind.PAYOUT_PENDING, payout.merchant_id), (to_kind, owner)
        )
        _post(
            txn,
            [(pending, -payout.amount, WalletError.INVALID_AMOUNT), (target, payout.amount, None)],
        )
    return payout


@transaction.atomic
def complete_payout(*, payout_id: int) -> Payout:
    """The provider sent the money: it leaves the system."""
    return _finish_payout(
        payout_id, Payout.Status.PAID, TransactionKind.PAYOUT_PAID, AccountKind.EXTERNAL
    )


@transaction.atomic
def fail_payout(*, payout_id: int) -> Payout:
    """The provider could not send the money: it goes back to the merchant's balance."""
    return _finish_payout(
        payout_id, Payout.Status.FAILED, TransactionKind.PAYOUT_FAILED, AccountKind.MERCHANT
    )


# Provider notifications -----------------------------------------------------------------


@transaction.atomic
def handle_provider_notification(
    *, provider_name: str, body: bytes, headers: Mapping[str, str]
) -> ProviderNotification:
    """Verify a provider's notification and apply it; a replayed notification id is refused."""
    provider = get_provider(provider_name)
    notification = provider.parse_notification(body=body, headers=headers)
    try:
        with transaction.atomic():
            record = ProviderNotification.objects.create(
                provider=provider_name,
                notification_id=notification.id,
                event=notification.event,
                object_ref=notification.object_ref,
            )
    except IntegrityError:
        raise DomainError(WalletError.NOTIFICATION_REPLAYED) from None
    kind, _, outcome = notification.event.partition(".")
    if kind == "payment":
        payment = Payment.objects.filter(
            provider=provider_name, provider_ref=notification.object_ref
        ).first()
        if payment is None:
            raise DomainError(WalletError.PAYMENT_NOT_FOUND)
        _check_matches(payment, notification)
        if outcome == "succeeded":
            complete_topup(payment_id=payment.pk)
        else:
            cancel_topup(payment_id=payment.pk)
    else:
        payout = Payout.objects.filter(
            provider=provider_name, provider_ref=notification.object_ref
        ).first()
        if payout is None:
            raise DomainError(WalletError.PAYOUT_NOT_FOUND)
        _check_matches(payout, notification)
        if outcome == "paid":
            complete_payout(payout_id=payout.pk)
        else:
            fail_payout(payout_id=payout.pk)
    return record


def _check_matches(row: Payment | Payout, notification) -> None:
    if row.amount != notification.amount or row.currency != notification.currency:
        raise DomainError(WalletError.INVALID_NOTIFICATION)


# Idempotent requests (the API and the web forms share them) ---------------------------


def payment_data(payment: Payment) -> dict:
    return {
        "id": payment.pk,
        "status": payment.status,
        "amount": payment.amount,
        "currency": payment.currency,
        "destination": payment.destination,
        "redirect_url": payment.redirect_url,
        "created_at": payment.created_at.isoformat(),
    }


def payout_data(payout: Payout) -> dict:
    return {
        "id": payout.pk,
        "status": payout.status,
        "amount": payout.amount,
        "currency": payout.currency,
        "created_at": payout.created_at.isoformat(),
    }


def request_topup(
    *,
    user_id: int,
    idempotency_key: str | None,
    amount: int,
    currency: str = "CNY",
    destination: str = AccountKind.WALLET,
) -> tuple[int, dict]:
    """start_topup once per Idempotency-Key; returns the (status, body) first given for it."""
    params = {"amount": amount, "currency": currency}
    if destination != AccountKind.WALLET:
        # Wallet top-ups keep the fingerprint they always had.
        params["destination"] = destination
    return run_idempotent(
        user_id=user_id,
        key=idempotency_key,
        scope="wallet.topup",
        params=params,
        action=lambda: (
            201,
            payment_data(
                start_topup(
                    user_id=user_id, amount=amount, currency=currency, destination=destination
                )
            ),
        ),
    )


def request_payout_once(
    *, merchant_id: int, idempotency_key: str | None, amount: int, currency: str = "CNY"
) -> tuple[int, dict]:
    """request_payout once per Idempotency-Key; returns the (status, body) first given."""
    return run_idempotent(
        user_id=merchant_id,
        key=idempotency_key,
        scope="wallet.payout",
        params={"amount": amount, "currency": currency},
        action=lambda: (
            201,
            payout_data(request_payout(merchant_id=merchant_id, amount=amount, currency=currency)),
        ),
    )
