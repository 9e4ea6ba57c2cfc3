"""Top-ups: money coming in through a payment provider (see lifecycle.PaymentLifecycle).

A top-up is opened with the provider, then credited to its destination exactly once when the
provider reports success, cancelled when the provider reports a cancellation, or expired by
the sweep when nobody paid in time (and then called off at the provider, after commit).
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from infoconnect.accounts import selectors as accounts_selectors
from infoconnect.accounts.gates import require_verified_merchant
from infoconnect.core.errors import DomainError
from infoconnect.core.money import format_money
from infoconnect.core.sweeps import sweep_edge
from infoconnect.wallet import topup_limits
from infoconnect.wallet.actions.ledger import (
    accounts,
    check_amount,
    check_external_currency,
    open_transaction,
    post,
)
from infoconnect.wallet.errors import WalletError
from infoconnect.wallet.lifecycle import payments
from infoconnect.wallet.models import (
    PLATFORM,
    AccountKind,
    LedgerTransaction,
    Payment,
    TransactionKind,
)
from infoconnect.wallet.providers import (
    DEFAULT_PROVIDER,
    cancel_payments,
    choose_provider,
    get_provider,
)
from infoconnect.wallet.signals import order_topup_arriving, order_topup_credited

MAX_TOPUP = 5_000_000  # ¥50,000 per top-up
TOPUP_SCOPE = "wallet.topup"  # the idempotency scope of a top-up request, web or API


def topup_request_params(*, amount: int, currency: str, destination: str) -> dict:
    """What a top-up request's idempotency key is bound to (the API and the web forms)."""
    params = {"amount": amount, "currency": currency}
    if destination != AccountKind.WALLET:
        # Wallet top-ups keep the fingerprint they always had.
        params["destination"] = destination
    return params


def start_topup(
    *,
    user_id: int,
    amount: int,
    currency: str = "CNY",
    provider: str = DEFAULT_PROVIDER,
    destination: str = AccountKind.WALLET,
    order_id: int | None = None,
    channel: str = "",
    return_url: str = "",
) -> Payment:
    """Open a payment with the provider; ``destination`` (the person's wallet, the
    merchant's balance or its security deposit) is credited when it notifies success. A top-up for an order
    (``order_id``, see order_payments.py) is paid through ``channel`` and its provider sends the
    payer back to ``return_url``.

    The provider is asked before anything is written, and outside any transaction of ours:
    the row is one insert once it answered.
    """
    check_amount(amount, currency)
    check_external_currency(currency)
    if amount > MAX_TOPUP:
        raise DomainError(
            WalletError.AMOUNT_TOO_LARGE,
            gettext("A top-up may be at most %(max)s.")
            % {"max": format_money(MAX_TOPUP, currency)},
        )
    if destination in (AccountKind.MERCHANT, AccountKind.DEPOSIT):
        if not accounts_selectors.is_merchant(user_id=user_id):
            raise DomainError(WalletError.NOT_A_MERCHANT_TOPUP)
        require_verified_merchant(user_id)
    elif destination != AccountKind.WALLET:
        raise DomainError(WalletError.INVALID_DESTINATION)
    provider = choose_provider(provider, channel)
    # Counted before the provider is asked, so two top-ups at once cannot both pass the limit.
    day = topup_limits.take(owner_id=user_id, amount=amount)
    try:
        session = get_provider(provider).create_payment(
            amount=amount, currency=currency, channel=channel, return_url=return_url
        )
    except Exception:
        topup_limits.give_back(owner_id=user_id, amount=amount, day=day)
        raise
    return Payment.objects.create(
        user_id=user_id,
        amount=amount,
        currency=currency,
        destination=destination,
        provider=provider,
        provider_ref=session.reference,
        redirect_url=session.redirect_url,
        qr_code=session.qr_code,
        order_id=order_id,
        channel=channel,
    )


@transaction.atomic
def complete_topup(*, payment_id: int) -> LedgerTransaction | None:
    """Credit a paid top-up to its destination, exactly once.

    The provider's success is the last word, whatever was recorded before (the succeed edge
    leaves from expired and cancelled too). None when the top-up is not paid. A top-up for an
    order then pays that order from the wallet, in this transaction (signals.py).
    """
    # Locked: a completion racing the sweep or another notification waits here.
    payment = Payment.objects.select_for_update().get(pk=payment_id)
    if payments.allows(payment, "succeed"):
        payments.move(payment, "succeed", completed_at=timezone.now())
    if payment.status != Payment.Status.SUCCEEDED:
        return None
    txn, created = open_transaction(
        kind=TransactionKind.TOPUP,
        reference=str(payment.pk),
        user_id=payment.user_id,
        amount=payment.amount,
        currency=payment.currency,
    )
    if created:
        for_order = payment.order_id is not None
        if for_order:
            order_topup_arriving.send(sender=Payment, payment=payment)
        external, destination = accounts(
            payment.currency,
            (AccountKind.EXTERNAL, PLATFORM),
            (payment.destination, payment.user_id),
        )
        post(txn, [(external, -payment.amount, None), (destination, payment.amount, None)])
        if for_order:
            order_topup_credited.send(sender=Payment, payment=payment)
    return txn


@transaction.atomic
def cancel_topup(*, payment_id: int) -> Payment:
    """The provider reports the payment called off; a top-up no longer pending stays as it is."""
    payment = Payment.objects.select_for_update().get(pk=payment_id)
    payments.move(payment, "cancel", strict=False, completed_at=timezone.now())
    return payment


@transaction.atomic
def expire_topup(*, payment_id: int, now: datetime | None = None) -> bool:
    """Stop waiting for a top-up left pending ``TOPUP_EXPIRES_AFTER``; True if it expired.

    The sweep's action for the expire edge: conditional on the row still pending and due, so
    one completed or cancelled meanwhile is left alone and one already expired is not counted
    again. Its provider is told to call it off once this commits (the lifecycle's hook).
    """
    now = now or timezone.now()
    payment = Payment.objects.filter(pk=payment_id).first()
    if payment is None:
        return False
    return payments.move(
        payment,
        "expire",
        strict=False,
        where={"created_at__lte": payments.edge("expire").cutoff(now)},
        now=now,
        completed_at=now,
    )


def expire_stale_topups(*, now: datetime | None = None, batch: int = 1000) -> int:
    """Sweep: expire every top-up still pending ``TOPUP_EXPIRES_AFTER`` after it was opened.

    Safe to run twice and on several machines at once (each expiry is conditional). Returns
    how many it expired. Each expired payment is then cancelled at its provider, after its
    expiry committed; a cancellation that fails is logged and changes nothing here.
    """
    return sweep_edge(payments, "expire", now=now, batch=batch)


def cancel_topup_at_provider(*, payment_id: int) -> bool:
    """Ask the provider to call off an expired top-up, so the payer can no longer pay it.

    Tried once; a failure is logged (providers.cancel_payments) and the top-up stays expired:
    a payment left open at the provider costs nobody anything, its success is still credited.
    Returns whether the provider was told.
    """
    payment = Payment.objects.filter(pk=payment_id, status__in=payments.targets("expire")).first()
    if payment is None:
        return False
    return cancel_payments([(payment.pk, payment.provider, payment.provider_ref)]) == 0
