"""Posting to the ledger: the steps every money movement is made of.

Each money movement is one balanced LedgerTransaction, idempotent on (kind, reference):
the transaction row is inserted first, so a repeat (or a concurrent duplicate waiting on
the unique index) gets the first transaction back and moves nothing. Balances change
with conditional UPDATEs taken in account-id order, so an account that must not go
below zero is guarded by the write itself and two transactions never deadlock.
"""

from datetime import datetime

from django.db import connection
from django.utils import timezone

from infoconnect.core.errors import DomainError
from infoconnect.core.money import CURRENCY_SYMBOLS, DEFAULT_CURRENCY
from infoconnect.wallet.errors import WalletError
from infoconnect.wallet.models import AccountKind, LedgerAccount, LedgerTransaction

MAX_AMOUNT = 10**12  # fen; keeps every sum far inside a 64-bit integer
Leg = tuple[int, int, WalletError | None]  # (account id, amount, error if it would go negative)


def check_amount(amount: int, currency: str) -> None:
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise DomainError(WalletError.INVALID_AMOUNT)
    if amount > MAX_AMOUNT:
        raise DomainError(WalletError.AMOUNT_TOO_LARGE)
    if currency not in CURRENCY_SYMBOLS:
        raise DomainError(WalletError.UNSUPPORTED_CURRENCY)


def check_external_currency(currency: str) -> None:
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


def lock_balances(*ids: int) -> dict[int, int]:
    """Lock the accounts in ascending id order (the order ``post`` updates them in) and read
    their balances, for a movement whose amounts depend on them."""
    rows = (
        LedgerAccount.objects.select_for_update()
        .filter(pk__in=ids)
        .order_by("pk")
        .values_list("pk", "balance")
    )
    return dict(rows)


def account_id(*, kind: str, owner_id: int, currency: str) -> int:
    return accounts(currency, (kind, owner_id))[0]


def open_transaction(
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
    return inserted_transaction(row[0], kind, reference, user_id, amount, currency, now), True


def inserted_transaction(
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


def post(txn: LedgerTransaction, legs: list[Leg]) -> None:
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
