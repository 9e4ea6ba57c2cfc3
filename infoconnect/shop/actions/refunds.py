"""Refunds after completion: the buyer asks, the merchant accepts or declines, and after a
decline the buyer may ask the platform, whose operator decides.

A refund the merchant or the operator grants moves the order to refunded and pays the buyer
back from the merchant's balance in the same transaction (the wallet sees that it always
reaches the buyer). Each move is along an edge of shop/lifecycle.py's RefundRequestLifecycle,
whose hook writes the order's history.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from infoconnect.accounts.models import User
from infoconnect.core.errors import CommonError, DomainError
from infoconnect.core.models import PlatformSettings
from infoconnect.shop.actions.orders import buyer_order, merchant_order, refund_completed
from infoconnect.shop.actions.rules import clean_text
from infoconnect.shop.errors import ShopError
from infoconnect.shop.lifecycle import REFUND_REQUESTED, orders, record_event, refunds
from infoconnect.shop.models import Order, RefundRequest
from infoconnect.shop.signals import refund_moved


@transaction.atomic
def request_refund(*, buyer: User, order_id: int, reason: str) -> RefundRequest:
    order = buyer_order(buyer, order_id)
    reason = clean_text(reason, field="reason", max_length=1000, required=True)
    if not orders.allows(order, "refund"):
        raise DomainError(ShopError.INVALID_STATE)
    window = timedelta(days=PlatformSettings.current().refund_window_days)
    if order.completed_at is None or order.completed_at + window < timezone.now():
        raise DomainError(ShopError.REFUND_WINDOW_CLOSED)
    try:
        with transaction.atomic():
            refund = RefundRequest.objects.create(order=order, reason=reason, amount=order.total)
    except IntegrityError:
        raise DomainError(ShopError.REFUND_EXISTS) from None
    record_event(order.pk, REFUND_REQUESTED, actor_id=buyer.pk, note=reason)
    refund_moved.send(
        sender=RefundRequest, refund=refund, verb="request", from_state="", actor_id=buyer.pk
    )
    return refund


def _refund_of(order: Order) -> RefundRequest:
    refund = RefundRequest.objects.filter(order=order).first()
    if refund is None:
        raise DomainError(ShopError.REFUND_NOT_FOUND)
    return refund


@transaction.atomic
def answer_refund(*, merchant: User, order_id: int, accept: bool, note: str = "") -> RefundRequest:
    """The merchant accepts (the buyer is refunded from the merchant's balance) or declines."""
    order = merchant_order(merchant, order_id)
    refund = _refund_of(order)
    if not accept and not (note or "").strip():
        message = _("Tell the buyer why you decline the refund.")
        raise DomainError(CommonError.VALIDATION, message, fields={"note": [str(message)]})
    note = clean_text(note, field="note", max_length=1000, required=False)
    refunds.move(
        refund,
        "accept" if accept else "decline",
        context={"actor_id": merchant.pk, "note": note},
        merchant_note=note,
        answered_at=timezone.now(),
    )
    if refunds.refunds_buyer(refund):
        refund_completed(order)
    return refund


@transaction.atomic
def dispute_refund(*, buyer: User, order_id: int, note: str = "") -> RefundRequest:
    """After a decline the buyer may ask the platform to decide."""
    order = buyer_order(buyer, order_id)
    refund = _refund_of(order)
    note = clean_text(note, field="note", max_length=500, required=False)
    refunds.move(refund, "dispute", context={"actor_id": buyer.pk, "note": note})
    return refund


@transaction.atomic
def decide_refund(
    *, operator: User, refund_id: int, decision: str, note: str = ""
) -> RefundRequest:
    """An operator settles a dispute: refund the buyer, or keep the sale."""
    if not (operator.is_authenticated and operator.is_staff):
        raise DomainError(CommonError.FORBIDDEN)
    if decision not in RefundRequest.Decision.values:
        raise DomainError(
            CommonError.VALIDATION,
            _("Choose refund or reject."),
            fields={"decision": [str(_("Choose refund or reject."))]},
        )
    refund = RefundRequest.objects.select_related("order").filter(pk=refund_id).first()
    if refund is None:
        raise DomainError(ShopError.REFUND_NOT_FOUND)
    refunds.move(
        refund,
        "decide",
        context={
            "actor_id": operator.pk,
            "note": note or str(RefundRequest.Decision(decision).label),
        },
        decision=decision,
        operator=operator,
        operator_note=note[:1000],
        decided_at=timezone.now(),
    )
    if refunds.refunds_buyer(refund):
        refund_completed(refund.order)
    return refund
