"""A merchant's security deposit (保证金) and its debt.

The deposit is paid in from the merchant's balance (or by a top-up straight into it, see
topups.start_topup); refunds draw on it after the balance. It is never paid out while the
merchant sells: only an operator returns it, once the merchant has stopped selling. A debt
is what refunds left unpaid; the merchant's next sales settle it first, or the merchant
settles it from its balance (after a top-up).

These movements have no row of their own to name them, so each is referenced
"<merchant>-<n>", counted under the lock of the merchant's accounts.
"""

from django.db import transaction

from infoconnect.accounts import selectors as accounts_selectors
from infoconnect.accounts.gates import require_verified_merchant
from infoconnect.accounts.models import User
from infoconnect.core.errors import DomainError
from infoconnect.core.pagination import PageParams
from infoconnect.shop import selectors as shop_selectors
from infoconnect.shop.models import Order
from infoconnect.wallet.actions.ledger import (
    accounts,
    check_amount,
    check_external_currency,
    lock_balances,
    open_transaction,
    post,
)
from infoconnect.wallet.errors import WalletError
from infoconnect.wallet.models import AccountKind, LedgerTransaction, TransactionKind
from infoconnect.wallet.selectors import refund_reserve

DEPOSIT_SCOPE = "wallet.deposit"  # the idempotency scope of a deposit paid from the balance
DEBT_SCOPE = "wallet.debt"  # the idempotency scope of a debt settlement


def merchant_move_params(*, amount: int, currency: str) -> dict:
    """What a deposit payment's or debt settlement's idempotency key is bound to."""
    return {"amount": amount, "currency": currency}


# Orders still under way: their money may yet be refunded.
OPEN_ORDER_STATES = (
    Order.State.AWAITING_PAYMENT,
    Order.State.PAID,
    Order.State.SHIPPED,
    Order.State.ON_TERMS,
)


def _merchant_accounts(merchant_id: int, currency: str) -> tuple[int, int, int, dict[int, int]]:
    """The merchant's balance, deposit and debt accounts, locked, with their balances."""
    merchant, deposit, debt = accounts(
        currency,
        (AccountKind.MERCHANT, merchant_id),
        (AccountKind.DEPOSIT, merchant_id),
        (AccountKind.MERCHANT_DEBT, merchant_id),
    )
    return merchant, deposit, debt, lock_balances(merchant, deposit, debt)


def _open(kind: str, merchant_id: int, amount: int, currency: str) -> LedgerTransaction:
    count = LedgerTransaction.objects.filter(
        kind=kind, reference__startswith=f"{merchant_id}-"
    ).count()
    txn, _created = open_transaction(
        kind=kind,
        reference=f"{merchant_id}-{count + 1}",
        user_id=merchant_id,
        amount=amount,
        currency=currency,
    )
    return txn


def _check_merchant(merchant_id: int, amount: int, currency: str) -> None:
    check_amount(amount, currency)
    check_external_currency(currency)
    if not accounts_selectors.is_merchant(user_id=merchant_id):
        raise DomainError(WalletError.NOT_A_MERCHANT_DEPOSIT)
    require_verified_merchant(merchant_id)


@transaction.atomic
def pay_deposit(*, merchant_id: int, amount: int, currency: str = "CNY") -> LedgerTransaction:
    """Move ``amount`` from the merchant's balance into its security deposit.

    Refused while the merchant owes: its balance settles the debt first.
    """
    _check_merchant(merchant_id, amount, currency)
    merchant, deposit, debt, balances = _merchant_accounts(merchant_id, currency)
    if balances[debt] < 0:
        raise DomainError(WalletError.DEBT_OUTSTANDING)
    txn = _open(TransactionKind.DEPOSIT_TOPUP, merchant_id, amount, currency)
    post(
        txn, [(merchant, -amount, WalletError.MERCHANT_INSUFFICIENT_FUNDS), (deposit, amount, None)]
    )
    return txn


@transaction.atomic
def settle_debt(*, merchant_id: int, amount: int, currency: str = "CNY") -> LedgerTransaction:
    """Pay ``amount`` of the merchant's debt from its balance."""
    _check_merchant(merchant_id, amount, currency)
    merchant, _deposit, debt, balances = _merchant_accounts(merchant_id, currency)
    if balances[debt] >= 0:
        raise DomainError(WalletError.NO_DEBT)
    if amount > -balances[debt]:
        raise DomainError(WalletError.SETTLEMENT_EXCEEDS_DEBT)
    txn = _open(TransactionKind.DEBT_SETTLEMENT, merchant_id, amount, currency)
    post(txn, [(merchant, -amount, WalletError.MERCHANT_INSUFFICIENT_FUNDS), (debt, amount, None)])
    return txn


def still_selling(*, merchant: User, currency: str = "CNY") -> bool:
    """Whether the merchant may still owe a refund: products on sale, orders under way, a
    refund request open, or a sale inside the refund window."""
    if shop_selectors.merchant_products_on_sale(merchant_id=merchant.pk):
        return True
    if any(
        shop_selectors.orders_for_merchant(merchant=merchant, params=PageParams(limit=1), state=s)
        for s in OPEN_ORDER_STATES
    ):
        return True
    if shop_selectors.refunds_for_merchant(merchant=merchant, open_only=True):
        return True
    return refund_reserve(merchant_id=merchant.pk, currency=currency) > 0


@transaction.atomic
def release_deposit(
    *, operator: User, merchant_id: int, currency: str = "CNY"
) -> LedgerTransaction:
    """An operator returns the whole deposit to the balance of a merchant that stopped
    selling; a debt it still has is settled from the deposit first."""
    if not operator.is_staff:
        raise DomainError(WalletError.DEPOSIT_NOT_OPERATOR)
    merchant_user = User.objects.filter(pk=merchant_id, kind=User.Kind.MERCHANT).first()
    if merchant_user is None:
        raise DomainError(WalletError.NOT_A_MERCHANT_DEPOSIT)
    merchant, deposit, debt, balances = _merchant_accounts(merchant_id, currency)
    held = balances[deposit]
    if held <= 0:
        raise DomainError(WalletError.NO_DEPOSIT)
    if still_selling(merchant=merchant_user, currency=currency):
        raise DomainError(WalletError.MERCHANT_STILL_SELLING)
    settled = min(held, max(-balances[debt], 0))
    txn = _open(TransactionKind.DEPOSIT_RELEASE, merchant_id, held, currency)
    post(
        txn,
        [
            (deposit, -held, WalletError.NO_DEPOSIT),
            (debt, settled, None),
            (merchant, held - settled, None),
        ],
    )
    return txn
