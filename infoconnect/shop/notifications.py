"""What buyers and merchants hear of their orders.

Receivers of the shop's ``order_moved`` and ``refund_moved`` signals (connected in
ShopConfig.ready) write each notification through social's ``notify_order``, keyed so that a
replayed move or a retried task writes one row. Buyers hear that an order shipped, that it
confirms itself in a day, and how a refund was answered or decided; merchants hear of a paid
order, a refund request, a dispute and its decision.

A birth runs on checkout's hot path: a paid birth costs one INSERT, an unpaid one nothing.
An order on payment terms is born unpaid (``place_on_terms``) and its merchant hears nothing
then: nothing was paid, the order shows on the merchant's list, and its money comes with the
statement.

The auto-confirm reminder is a due job: queued when the order ships, for a day before it would
confirm itself, skipped once the order is no longer shipped; ``remind_due_auto_confirms`` is
its sweep (registered with core/sweeps.py), which finds any reminder a lost task left unsent.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from infoconnect.core.jobs import enqueue_on_commit
from infoconnect.shop.lifecycle import orders
from infoconnect.shop.models import Order, RefundRequest
from infoconnect.social import actions as social_actions
from infoconnect.social import selectors as social_selectors
from infoconnect.social.models import Notification

logger = logging.getLogger(__name__)
Kind = Notification.Kind

# Paid at checkout (born paid) or later.
PAID_VERBS = ("place_paid", "pay")
# The merchant's answers to a refund request the buyer hears of.
ANSWER_VERBS = ("accept", "accept_return", "decline", "receive_return")
# refund verb -> the notification and who hears it.
REFUND_NOTICES = {
    "request": (Kind.REFUND_REQUESTED, ("merchant",)),
    **{verb: (Kind.REFUND_ANSWERED, ("buyer",)) for verb in ANSWER_VERBS},
    "dispute": (Kind.REFUND_DISPUTED, ("merchant",)),
    "decide": (Kind.REFUND_DECIDED, ("buyer", "merchant")),
}
REMINDER_LEAD = timedelta(days=1)
REMINDER_TASK = "infoconnect.shop.tasks.remind_auto_confirm"
REMINDER_BATCH = 500


def order_key(order_id: int, what: str) -> str:
    return f"order:{order_id}:{what}"


def _order_data(order: Order, **extra) -> dict:
    return {"total": order.total, "currency": order.currency, **extra}


def on_order_moved(sender, *, order: Order, verb: str, actor_id: int | None, **kwargs) -> None:
    if verb in PAID_VERBS:
        social_actions.notify_order(
            order_id=order.pk,
            kind=Kind.ORDER_PAID,
            key=order_key(order.pk, "paid"),
            recipients=[(order.merchant_id, order.buyer_id)],
            data=_order_data(order),
        )
    elif verb == "ship":
        social_actions.notify_order(
            order_id=order.pk,
            kind=Kind.ORDER_SHIPPED,
            key=order_key(order.pk, "shipped"),
            recipients=[(order.buyer_id, order.merchant_id)],
            data=_order_data(order, carrier=order.carrier, tracking_number=order.tracking_number),
        )
        enqueue_on_commit(REMINDER_TASK, order.pk, run_after=reminder_at(order))


def confirms_at(order: Order) -> datetime:
    """When the shipped order confirms itself (the operator's period, read now)."""
    return orders.edge("auto_complete").due_at(order)


def reminder_at(order: Order) -> datetime:
    return confirms_at(order) - REMINDER_LEAD


def _reminder_window(now: datetime) -> dict:
    """Shipped orders whose reminder is due at ``now`` and which do not confirm yet."""
    edge = orders.edge("auto_complete")
    cutoff = edge.cutoff(now)
    return {
        "state__in": edge.sources,
        "shipped_at__gt": cutoff,
        "shipped_at__lte": cutoff + REMINDER_LEAD,
    }


@transaction.atomic
def remind_auto_confirm(*, order_id: int, now: datetime | None = None) -> bool:
    """Tell the buyer the order confirms itself within a day; False when it is not shipped
    any more, or not in its last day. Safe to run twice: the key writes one row."""
    now = now or timezone.now()
    order = Order.objects.filter(pk=order_id, **_reminder_window(now)).first()
    if order is None:
        return False
    social_actions.notify_order(
        order_id=order.pk,
        kind=Kind.ORDER_AUTO_CONFIRM,
        key=order_key(order.pk, "auto_confirm"),
        recipients=[(order.buyer_id, order.merchant_id)],
        data=_order_data(order, confirms_at=confirms_at(order).isoformat()),
    )
    return True


def remind_due_auto_confirms(*, now: datetime | None = None, batch: int = REMINDER_BATCH) -> int:
    """The sweep: remind every buyer whose order is in its last day and was not reminded
    (its task lost, or the worker down); returns how many were reminded."""
    now = now or timezone.now()
    done = 0
    last_id = 0
    window = _reminder_window(now)
    while rows := list(
        Order.objects.filter(pk__gt=last_id, **window)
        .order_by("pk")
        .values_list("pk", "buyer_id")[:batch]
    ):
        pairs = [(buyer_id, order_key(pk, "auto_confirm")) for pk, buyer_id in rows]
        sent = social_selectors.notified(pairs)
        for (pk, _buyer_id), pair in zip(rows, pairs, strict=True):
            if pair in sent:
                continue
            try:
                done += remind_auto_confirm(order_id=pk, now=now)
            except Exception:
                logger.exception("Auto-confirm reminder failed for order %s", pk)
        last_id = rows[-1][0]
    return done


def on_refund_moved(
    sender, *, refund: RefundRequest, verb: str, actor_id: int | None, **kwargs
) -> None:
    notice = REFUND_NOTICES.get(verb)
    if notice is None:
        return
    kind, hearers = notice
    order = refund.order
    other = {"buyer": order.merchant_id, "merchant": order.buyer_id}
    # A decision comes from the operator who made it; anything else from the other party.
    operator_id = (actor_id or refund.operator_id) if verb == "decide" else None
    recipients = [
        (order.buyer_id if who == "buyer" else order.merchant_id, operator_id or other[who])
        for who in hearers
    ]
    data = _order_data(order, refund_id=refund.pk, amount=refund.amount)
    if kind == Kind.REFUND_ANSWERED:
        data["answer"] = verb
    if kind == Kind.REFUND_DECIDED:
        data["decision"] = refund.decision
    social_actions.notify_order(
        order_id=order.pk,
        kind=kind,
        key=f"refund:{refund.pk}:{verb}",
        recipients=recipients,
        data=data,
    )
