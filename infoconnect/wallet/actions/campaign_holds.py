"""Campaign billing: a campaign's estimated cost is held before it sends, then settled.

Settlement charges what the campaign delivered to messaging revenue and returns the rest of
the hold to the merchant's balance, once.
"""

from django.db import transaction

from infoconnect.core.errors import DomainError
from infoconnect.wallet.actions.ledger import accounts, check_amount, open_transaction, post
from infoconnect.wallet.errors import WalletError
from infoconnect.wallet.models import PLATFORM, AccountKind, LedgerTransaction, TransactionKind


@transaction.atomic
def hold_campaign_cost(
    *, merchant_id: int, campaign_id: int, amount: int, currency: str = "CNY"
) -> LedgerTransaction:
    """Hold a campaign's estimated cost from the merchant's balance before it sends."""
    check_amount(amount, currency)
    txn, created = open_transaction(
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
    post(txn, [(merchant, -amount, WalletError.MERCHANT_INSUFFICIENT_FUNDS), (hold, amount, None)])
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
    txn, created = open_transaction(
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
    post(
        txn,
        [
            (hold, -hold_txn.amount, WalletError.CAMPAIGN_NOT_HELD),
            (revenue, charged, None),
            (merchant, hold_txn.amount - charged, None),
        ],
    )
    return txn
