"""The order page's stepper: placed → paid → shipped → received → completed, each step with
its time from the order's history (the completed step: when the refund window closes after
receipt), and where the order stopped if it was cancelled, expired or refunded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from infoconnect.core.models import PlatformSettings
from infoconnect.shop.models import Order

# The history events that reach each step (the first one found gives its time).
STEP_EVENTS = (
    ("placed", ("placed", "placed_on_terms")),
    ("paid", ("paid", "placed_on_terms")),
    ("shipped", ("shipped",)),
    ("received", ("completed", "auto_completed")),
)
CLOSED_EVENTS = {"cancelled", "expired"}


@dataclass(frozen=True)
class Step:
    name: str
    label: str
    at: datetime | None = None  # when it was reached (or, not yet done, when it will be)
    done: bool = False
    detail: str = ""


def _labels() -> dict[str, str]:
    return {
        "placed": _("Placed"),
        "paid": _("Paid"),
        "shipped": _("Shipped"),
        "received": _("Received"),
        "completed": _("Completed"),
    }


def steps(order: Order, *, now: datetime | None = None) -> list[Step]:
    """The order's steps in order; those after a close are left out, the close shown instead."""
    now = now or timezone.now()
    labels = _labels()
    first: dict[str, datetime] = {}
    for event in order.events.all():
        first.setdefault(event.kind, event.created_at)
    reached: list[Step] = []
    for name, kinds in STEP_EVENTS:
        at = next((first[kind] for kind in kinds if kind in first), None)
        reached.append(Step(name, labels[name], at, at is not None, _detail(order, name, first)))
    received = reached[-1].at
    if received is not None:
        final = received + timedelta(days=PlatformSettings.current().refund_window_days)
        done = now >= final
        detail = (
            ""
            if done
            else _("Refunds possible until %(when)s")
            % {"when": timezone.localtime(final).strftime("%Y-%m-%d %H:%M")}
        )
        reached.append(Step("completed", labels["completed"], final, done, detail))
    else:
        reached.append(Step("completed", labels["completed"]))
    if order.state in (Order.State.CANCELLED, Order.State.EXPIRED, Order.State.REFUNDED):
        kept = [step for step in reached if step.done]
        closed_at = order.closed_at or next(
            (first[kind] for kind in CLOSED_EVENTS if kind in first), None
        )
        kept.append(Step("closed", order.get_state_display(), closed_at, True))
        return kept
    return reached


def _detail(order: Order, name: str, first: dict[str, datetime]) -> str:
    if name == "shipped" and order.tracking_number:
        return f"{order.carrier} {order.tracking_number}"
    if name == "paid" and "placed_on_terms" in first and "paid" not in first:
        return _("On payment terms")
    if name == "received" and "auto_completed" in first:
        return _("Confirmed automatically")
    return ""
