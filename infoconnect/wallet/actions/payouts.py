"""Payouts: money leaving a merchant's balance through a provider (lifecycle.PayoutLifecycle).

The request moves the money from the balance to payout_pending in one ledger transaction and
nothing else; the provider is asked only after that commits, by the send job, outside any
transaction and with no ledger row locked. The provider's answer is recorded with a
conditional move, and its later notification pays or fails the payout.

The provider gets the payout's own id as its idempotency reference: asked twice for the same
payout (a job whose worker died after the call, retried by the sweep) it sends the money
once and answers with the same reference.
"""

import logging
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from infoconnect.accounts import selectors as accounts_selectors
from infoconnect.accounts.gates import require_verified_merchant
from infoconnect.core.errors import DomainError
from infoconnect.core.money import format_money
from infoconnect.wallet.actions.ledger import (
    accounts,
    check_amount,
    check_external_currency,
    lock_balances,
    open_transaction,
    post,
)
from infoconnect.wallet.errors import WalletError
from infoconnect.wallet.lifecycle import PAYOUT_RETRY_AFTER, payouts
from infoconnect.wallet.models import PLATFORM, AccountKind, Payout, TransactionKind
from infoconnect.wallet.providers import (
    DEFAULT_PROVIDER,
    Payee,
    PayoutOutcomeUnknown,
    get_provider,
    payout_provider,
)
from infoconnect.wallet.selectors import merchant_standing, payout_accounts_of

logger = logging.getLogger(__name__)
PAYOUT_SCOPE = "wallet.payout"  # the idempotency scope of a payout request, web or API


def payout_request_params(*, amount: int, currency: str, provider: str = "") -> dict:
    """What a payout request's idempotency key is bound to (the API and the web form)."""
    params = {"amount": amount, "currency": currency}
    if provider:  # named only when chosen, so keys stored before the choice existed still match
        params["provider"] = provider
    return params


def provider_reference(payout: Payout) -> str:
    """Our reference for the payout at its provider, and the provider's idempotency key."""
    return str(payout.pk)


@transaction.atomic
def request_payout(
    *, merchant_id: int, amount: int, currency: str = "CNY", provider: str = DEFAULT_PROVIDER
) -> Payout:
    """Move money out of the merchant's balance at once; the provider is asked once this commits.

    A payout the balance refuses is never created, so never reaches the provider.
    """
    check_amount(amount, currency)
    check_external_currency(currency)
    if not accounts_selectors.is_merchant(user_id=merchant_id):
        raise DomainError(WalletError.NOT_A_MERCHANT)
    require_verified_merchant(merchant_id)
    # An unknown provider, one that cannot pay out, or one that pays the merchant's own account
    # there when it has none, is refused before any money moves.
    payees = payout_accounts_of(merchant_id=merchant_id)
    provider = payout_provider(provider, payees=payees)
    payee = payees[provider] if get_provider(provider).payout_needs_payee else None
    merchant, pending, debt = accounts(
        currency,
        (AccountKind.MERCHANT, merchant_id),
        (AccountKind.PAYOUT_PENDING, merchant_id),
        (AccountKind.MERCHANT_DEBT, merchant_id),
    )
    # Locked first: a refund taking from this balance waits, so the reserve read holds.
    lock_balances(merchant, pending, debt)
    _check_available(merchant_id, amount, currency)
    payout = Payout.objects.create(
        merchant_id=merchant_id,
        amount=amount,
        currency=currency,
        provider=provider,
        payee_identity=payee.identity if payee else "",
        payee_name=payee.real_name if payee else "",
    )
    txn, _ = open_transaction(
        kind=TransactionKind.PAYOUT,
        reference=str(payout.pk),
        user_id=merchant_id,
        amount=amount,
        currency=currency,
    )
    post(
        txn, [(merchant, -amount, WalletError.MERCHANT_INSUFFICIENT_FUNDS), (pending, amount, None)]
    )
    payouts.created(payout)
    return payout


def _check_available(merchant_id: int, amount: int, currency: str) -> None:
    """No payout while the merchant owes; none that would take the reserve for refunds."""
    standing = merchant_standing(merchant_id=merchant_id, currency=currency)
    if standing.debt:
        raise DomainError(
            WalletError.DEBT_OUTSTANDING,
            gettext(
                "You owe %(debt)s for refunds your balance and deposit could not cover: your "
                "next sales settle it, or settle it now from your balance. Payouts wait "
                "until then."
            )
            % {"debt": format_money(standing.debt, currency)},
        )
    # More than the whole balance is the ledger's insufficient_funds, as it always was.
    if standing.available < amount <= standing.balance:
        raise DomainError(
            WalletError.PAYOUT_EXCEEDS_AVAILABLE,
            gettext(
                "You can pay out at most %(available)s now: %(reserve)s of your balance stays "
                "for refunds of orders completed in the last %(days)s days."
            )
            % {
                "available": format_money(standing.available, currency),
                "reserve": format_money(standing.reserve, currency),
                "days": standing.refund_window_days,
            },
        )


def send_payout(*, payout_id: int, now: datetime | None = None) -> bool:
    """The requested edge's job: ask the provider to send the payout; True if this moved it.

    Runs after the request committed (its task, or the sweep for one whose task was lost),
    outside any transaction: nothing is locked while the provider is on the line. Only a
    payout still requested is sent, by the one caller that claims it (a claim lapses after
    ``PAYOUT_RETRY_AFTER``, so one whose worker died is sent by a later sweep). The provider's
    reference makes it sent; a provider that raises refused it: it fails and the money goes
    back to the merchant's balance.
    """
    now = now or timezone.now()
    if not _claim(payout_id, now):
        return False
    payout = Payout.objects.get(pk=payout_id)
    payee = Payee(payout.payee_identity, payout.payee_name) if payout.payee_identity else None
    try:
        taken = get_provider(payout.provider).create_payout(
            amount=payout.amount,
            currency=payout.currency,
            reference=provider_reference(payout),
            payee=payee,
        )
    except PayoutOutcomeUnknown:
        # It may have been taken: left requested under this claim, which lapses, so the sweep
        # asks again with the same reference (the provider does not send twice).
        logger.warning(
            "Payout %s: no answer from %s yet; asked again after %s",
            payout.pk,
            payout.provider,
            PAYOUT_RETRY_AFTER,
            exc_info=True,
        )
        return False
    except Exception:
        logger.exception(
            "Payout %s was refused by %s; its money goes back to the balance",
            payout.pk,
            payout.provider,
        )
        return refuse_payout(payout_id=payout.pk).status == payouts.edge("refuse").target
    sent = record_sent(payout, provider_ref=taken.reference, now=now)
    if taken.paid:
        # The provider said the money arrived: no notification will follow.
        complete_payout(payout_id=payout.pk)
    return sent


def _claim(payout_id: int, now: datetime) -> bool:
    """Take the right to ask the provider: one caller at a time, until the claim lapses."""
    lapsed = now - PAYOUT_RETRY_AFTER
    return bool(
        Payout.objects.filter(pk=payout_id, status__in=payouts.sources("send"))
        .filter(Q(attempted_at__isnull=True) | Q(attempted_at__lte=lapsed))
        .update(attempted_at=now)
    )


def record_sent(payout: Payout, *, provider_ref: str, now: datetime | None = None) -> bool:
    """The provider took the payout under ``provider_ref``: requested → sent, if still requested.

    Its notification may arrive before the send job records the answer; whichever comes
    first records it, and the other finds the payout moved on.
    """
    return payouts.move(payout, "send", strict=False, now=now, provider_ref=provider_ref)


def _finish(payout_id: int, verb: str, kind: str, to_kind: str) -> Payout:
    """Take ``verb`` if the payout is where it leaves from; post its money once it is there."""
    payout = Payout.objects.get(pk=payout_id)
    target = payouts.edge(verb).target
    if not payouts.move(payout, verb, strict=False, completed_at=timezone.now()):
        payout.refresh_from_db()
    if payout.status != target:
        return payout
    txn, created = open_transaction(
        kind=kind,
        reference=str(payout.pk),
        user_id=payout.merchant_id,
        amount=payout.amount,
        currency=payout.currency,
    )
    if created:
        owner = PLATFORM if to_kind == AccountKind.EXTERNAL else payout.merchant_id
        pending, destination = accounts(
            payout.currency, (AccountKind.PAYOUT_PENDING, payout.merchant_id), (to_kind, owner)
        )
        post(
            txn,
            [
                (pending, -payout.amount, WalletError.INVALID_AMOUNT),
                (destination, payout.amount, None),
            ],
        )
    return payout


@transaction.atomic
def complete_payout(*, payout_id: int) -> Payout:
    """The provider sent the money: it leaves the system."""
    return _finish(payout_id, "complete", TransactionKind.PAYOUT_PAID, AccountKind.EXTERNAL)


@transaction.atomic
def fail_payout(*, payout_id: int) -> Payout:
    """The provider could not send the money: it goes back to the merchant's balance."""
    return _finish(payout_id, "fail", TransactionKind.PAYOUT_FAILED, AccountKind.MERCHANT)


@transaction.atomic
def refuse_payout(*, payout_id: int) -> Payout:
    """The provider refused to take the payout: the money goes back to the merchant's balance."""
    return _finish(payout_id, "refuse", TransactionKind.PAYOUT_FAILED, AccountKind.MERCHANT)
