"""Refund requests: the buyer asks, the merchant answers, the platform decides a dispute.

A buyer asks for a refund only (仅退款) while the order is paid or shipped, or after
completion within the refund window; for a return and refund (退货退款) once the goods were
shipped. A request is whole or partial (some lines, or an amount) and may carry up to 3
photos. The merchant accepts (the buyer is refunded at once), accepts a return with the
address the goods go back to, or declines with a note; the buyer sends a return with its
tracking number, and the merchant's receipt of the goods refunds the buyer (or, after
inspection, it declines). After a decline the buyer may ask the platform, whose decision for
the buyer refunds at once. The buyer may withdraw a request that is not yet granted.

Each move is along an edge of shop/lifecycle.py's RefundRequestLifecycle, whose hook writes
the order's history; the money moves in refund_settlement.grant, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from infoconnect.accounts.models import User
from infoconnect.core.errors import CommonError, DomainError
from infoconnect.core.models import PlatformSettings
from infoconnect.core.validation import full_clean
from infoconnect.shop.actions.orders import buyer_order, merchant_order
from infoconnect.shop.actions.refund_evidence import check_photos, photos_of, store_photos
from infoconnect.shop.actions.refund_settlement import asked_amount, grant
from infoconnect.shop.actions.rules import clean_text
from infoconnect.shop.errors import ShopError
from infoconnect.shop.lifecycle import REFUND_REQUESTED, orders, record_event, refunds
from infoconnect.shop.models import Address, Order, RefundRequest
from infoconnect.shop.signals import refund_moved

Kind = RefundRequest.Kind
RETURNABLE_STATES = (Order.State.SHIPPED, Order.State.COMPLETED)


def _check_may_ask(order: Order, kind: str) -> None:
    if kind not in Kind.values:
        message = _("Choose a refund only or a return and refund.")
        raise DomainError(CommonError.VALIDATION, message, fields={"kind": [str(message)]})
    if not orders.allows(order, "refund"):
        raise DomainError(ShopError.INVALID_STATE)
    if kind == Kind.RETURN and order.state not in RETURNABLE_STATES:
        raise DomainError(ShopError.RETURN_NOT_SHIPPED)
    if order.state == Order.State.COMPLETED:
        window = timedelta(days=PlatformSettings.current().refund_window_days)
        if order.completed_at is None or order.completed_at + window < timezone.now():
            raise DomainError(ShopError.REFUND_WINDOW_CLOSED)


@transaction.atomic
def request_refund(
    *,
    buyer: User,
    order_id: int,
    reason: str,
    kind: str = Kind.REFUND,
    amount: int | None = None,
    lines: list | None = None,
    photos: Sequence = (),
) -> RefundRequest:
    """The buyer asks back the whole of what is left, an amount, or some lines' value."""
    order = buyer_order(buyer, order_id)
    reason = clean_text(reason, field="reason", max_length=1000, required=True)
    _check_may_ask(order, kind)
    amount, lines = asked_amount(order, amount=amount, lines=lines)
    checked = check_photos(photos)
    try:
        with transaction.atomic():
            refund = RefundRequest.objects.create(
                order=order, kind=kind, reason=reason, amount=amount, lines=lines
            )
    except IntegrityError:
        raise DomainError(ShopError.REFUND_EXISTS) from None
    store_photos(refund, buyer, checked)
    record_event(order.pk, REFUND_REQUESTED, actor_id=buyer.pk, note=reason)
    refund_moved.send(
        sender=RefundRequest, refund=refund, verb="request", from_state="", actor_id=buyer.pk
    )
    return refund


def _open_refund(order: Order) -> RefundRequest:
    """The order's latest request, locked against a concurrent answer or upload."""
    refund = (
        RefundRequest.objects.select_for_update()
        .filter(order=order)
        .order_by("-pk")
        .select_related("order")
        .first()
    )
    if refund is None:
        raise DomainError(ShopError.REFUND_NOT_FOUND)
    return refund


def _refund_of(order: Order) -> RefundRequest:
    refund = RefundRequest.objects.filter(order=order).order_by("-pk").first()
    if refund is None:
        raise DomainError(ShopError.REFUND_NOT_FOUND)
    return refund


def _required_note(note: str | None, message) -> str:
    if not (note or "").strip():
        raise DomainError(CommonError.VALIDATION, message, fields={"note": [str(message)]})
    return clean_text(note, field="note", max_length=1000, required=True)


@transaction.atomic
def answer_refund(
    *, merchant: User, order_id: int, accept: bool, note: str = "", photos: Sequence = ()
) -> RefundRequest:
    """The merchant accepts (the buyer is refunded at once) or declines with a note, also
    after inspecting returned goods; a decline may carry the merchant's photos."""
    order = merchant_order(merchant, order_id)
    if accept:
        note = clean_text(note, field="note", max_length=1000, required=False)
        refund = _refund_of(order)
        return grant(
            refund,
            "accept",
            actor_id=merchant.pk,
            note=note,
            merchant_note=note,
            answered_at=timezone.now(),
        )
    note = _required_note(note, _("Tell the buyer why you decline the refund."))
    refund = _open_refund(order)
    checked = check_photos(photos, already=photos_of(refund, merchant.pk))
    now = timezone.now()
    inspected = (
        {"goods_received_at": now} if refund.state == RefundRequest.State.RETURN_SHIPPED else {}
    )
    refunds.move(
        refund,
        "decline",
        now=now,
        context={"actor_id": merchant.pk, "note": note},
        merchant_note=note,
        answered_at=now,
        **inspected,
    )
    store_photos(refund, merchant, checked)
    return refund


def _return_address(merchant: User, address_id: int | None, address: dict | None) -> dict:
    """The merchant's saved address, or one it typed (checked as a saved one is)."""
    if address_id is not None:
        saved = Address.objects.filter(pk=address_id, person_id=merchant.pk).first()
        if saved is None:
            raise DomainError(ShopError.ADDRESS_NOT_FOUND)
        return saved.snapshot()
    typed = Address(
        **{
            name: str((address or {}).get(name) or "").strip()
            for name in ("recipient_name", "province", "city", "district", "street", "mobile")
        }
    )
    typed.province = typed.province.upper()
    full_clean(typed, exclude=["person"])
    return typed.snapshot()


@transaction.atomic
def accept_return(
    *,
    merchant: User,
    order_id: int,
    address_id: int | None = None,
    address: dict | None = None,
    note: str = "",
) -> RefundRequest:
    """The merchant wants the goods back first: the buyer sends them to this address."""
    order = merchant_order(merchant, order_id)
    refund = _refund_of(order)
    if refund.kind != Kind.RETURN:
        raise DomainError(ShopError.INVALID_STATE)
    return_address = _return_address(merchant, address_id, address)
    note = clean_text(note, field="note", max_length=1000, required=False)
    refunds.move(
        refund,
        "accept_return",
        context={"actor_id": merchant.pk, "note": note},
        return_address=return_address,
        merchant_note=note,
        answered_at=timezone.now(),
    )
    return refund


@transaction.atomic
def ship_return(*, buyer: User, order_id: int, carrier: str, tracking_number: str) -> RefundRequest:
    """The buyer has sent the goods back, with the carrier's tracking number."""
    order = buyer_order(buyer, order_id)
    carrier = clean_text(carrier, field="carrier", max_length=60, required=True)
    tracking = clean_text(tracking_number, field="tracking_number", max_length=60, required=True)
    refund = _refund_of(order)
    refunds.move(
        refund,
        "ship_return",
        context={"actor_id": buyer.pk, "note": f"{carrier} {tracking}"},
        return_carrier=carrier,
        return_tracking=tracking,
        returned_at=timezone.now(),
    )
    return refund


@transaction.atomic
def receive_return(*, merchant: User, order_id: int) -> RefundRequest:
    """The merchant has the goods back: the buyer is refunded at once."""
    order = merchant_order(merchant, order_id)
    refund = _refund_of(order)
    return grant(refund, "receive_return", actor_id=merchant.pk, goods_received_at=timezone.now())


@transaction.atomic
def withdraw_refund(*, buyer: User, order_id: int) -> RefundRequest:
    """The buyer no longer asks (the order goes on as if never asked; a new request may
    follow)."""
    order = buyer_order(buyer, order_id)
    refund = _refund_of(order)
    refunds.move(refund, "withdraw", context={"actor_id": buyer.pk})
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
def add_refund_evidence(*, person: User, order_id: int, photos: Sequence) -> RefundRequest:
    """The buyer or the merchant adds photos to the open request (3 each at most)."""
    order = Order.objects.filter(pk=order_id).first()
    if order is None or person.pk not in (order.buyer_id, order.merchant_id):
        raise DomainError(ShopError.ORDER_NOT_FOUND)
    refund = _open_refund(order)
    if refund.state in RefundRequest.CLOSED_STATES:
        raise DomainError(ShopError.INVALID_STATE)
    if not photos:
        raise DomainError(ShopError.INVALID_IMAGE)
    store_photos(refund, person, check_photos(photos, already=photos_of(refund, person.pk)))
    return refund


@transaction.atomic
def decide_refund(
    *, operator: User, refund_id: int, decision: str, note: str = ""
) -> RefundRequest:
    """An operator settles a dispute: refund the buyer (at once, always), or keep the sale."""
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
    fields = {
        "decision": decision,
        "operator": operator,
        "operator_note": note[:1000],
        "decided_at": timezone.now(),
    }
    shown = note or str(RefundRequest.Decision(decision).label)
    if decision == RefundRequest.Decision.REFUND:
        return grant(refund, "decide", actor_id=operator.pk, note=shown, **fields)
    refunds.move(refund, "decide", context={"actor_id": operator.pk, "note": shown}, **fields)
    return refund
