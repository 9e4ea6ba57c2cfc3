"""The shop's lifecycles: every edge an order and a refund request can take, declared once.

An order is born by placing.py's insert (``place``, or ``place_paid`` when checkout pays in
the same step), paid by the one-statement pay in actions/orders.py, and moved by
``orders.move`` everywhere else. The hooks record the order's history (one OrderEvent per
move) and queue what comes next: each due edge leaving the state a move arrives in is queued
for the time it falls due (expiry at ``expires_at``, auto-confirmation ``auto_confirm_days``
after ``shipped_at``), and the sweep makes any that a queued task missed. Money and stock move
in the actions, inside the same transaction as the move.
"""

from __future__ import annotations

from datetime import timedelta

from infoconnect.core.jobs import enqueue_on_commit
from infoconnect.core.lifecycle import Edge, Lifecycle, Move, register
from infoconnect.core.models import PlatformSettings
from infoconnect.shop.errors import ShopError
from infoconnect.shop.models import Order, OrderEvent, RefundRequest
from infoconnect.shop.signals import (
    company_order_closed,
    company_order_moved,
    order_moved,
    refund_moved,
)

State = Order.State
RefundState = RefundRequest.State

PLACING = "infoconnect.shop.placing"
ORDER_ACTIONS = "infoconnect.shop.actions.orders"


def auto_confirm_delay() -> timedelta:
    """How long after shipping an order confirms itself (the operator's setting, read now)."""
    return timedelta(days=PlatformSettings.current().auto_confirm_days)


class OrderLifecycle(Lifecycle):
    model = Order
    invalid_state = ShopError.INVALID_STATE
    edges = (
        # Born by placing.py's insert, which writes the row's first events in the same statement.
        Edge("place", (), State.AWAITING_PAYMENT, event="placed", hot_path=PLACING),
        Edge("place_paid", (), State.PAID, event="paid", hot_path=PLACING),
        # A company's order on payment terms: no escrow, it ships and falls due on delivery.
        Edge("place_on_terms", (), State.ON_TERMS, event="placed_on_terms", hot_path=PLACING),
        Edge("pay", (State.AWAITING_PAYMENT,), State.PAID, event="paid", hot_path=ORDER_ACTIONS),
        # An order on terms ships as a paid one does: its money is owed, not held.
        Edge("ship", (State.PAID, State.ON_TERMS), State.SHIPPED, event="shipped"),
        Edge("complete", (State.SHIPPED,), State.COMPLETED, event="completed"),
        Edge(
            "auto_complete",
            (State.SHIPPED,),
            State.COMPLETED,
            event="auto_completed",
            due="shipped_at",
            delay=auto_confirm_delay,
            sweep=f"{ORDER_ACTIONS}.auto_complete_order",
        ),
        Edge(
            "cancel",
            (State.AWAITING_PAYMENT, State.PAID, State.ON_TERMS),
            State.CANCELLED,
            event="cancelled",
        ),
        Edge(
            "expire",
            (State.AWAITING_PAYMENT,),
            State.EXPIRED,
            event="expired",
            due="expires_at",
            sweep=f"{ORDER_ACTIONS}.expire_order",
        ),
        # A refund that gives back all that is left closes the order, before receipt (paid or
        # shipped) or after; a partial one leaves it where it is. Its history is the refund
        # request's event (accepted, received back, or decided by the platform).
        Edge("refund", (State.PAID, State.SHIPPED, State.COMPLETED), State.REFUNDED),
    )

    # The task that makes each due edge at its time; the sweep is the backstop.
    due_tasks = {
        "auto_complete": "infoconnect.shop.tasks.auto_complete_order",
        "expire": "infoconnect.shop.tasks.expire_order",
    }

    def moved(self, order: Order, move: Move) -> None:
        edge = move.edge
        # A born order's first events are written by placing.py's insert, in its statement.
        if edge.sources and edge.event:
            record_event(
                order.pk,
                edge.event,
                actor_id=move.context.get("actor_id"),
                from_state=move.from_state,
                to_state=edge.target,
                note=move.context.get("note", ""),
            )
        for due in self.due_edges():
            if edge.target in due.sources:
                enqueue_on_commit(self.due_tasks[due.verb], order.pk, run_after=due.due_at(order))
        if order.company_id is not None and self.gives_money_back(move):
            company_order_closed.send(sender=Order, order=order, amount=order.total)
        if order.company_id is not None and edge.sources:
            company_order_moved.send(
                sender=Order, order=order, verb=edge.verb, from_state=move.from_state
            )
        order_moved.send(
            sender=Order,
            order=order,
            verb=edge.verb,
            from_state=move.from_state,
            actor_id=move.context.get("actor_id"),
        )

    def gives_money_back(self, move: Move) -> bool:
        """Whether the move returns the order's money: cancelled after it was paid (escrow
        refunds it in full) or placed on terms (the credit is released), or refunded in
        full (a company's order is only ever refunded whole, see actions/refunds.py)."""
        verb = move.edge.verb
        return verb == "refund" or (
            verb == "cancel" and move.from_state in (State.PAID, State.ON_TERMS)
        )

    def birth_history(self, verb: str) -> list[tuple[str, str, str]]:
        """(kind, from state, to state) of the events placing.py writes for an order born by
        ``verb``: placed, and paid too when it is born paid (or placed on terms)."""
        if verb == "place_on_terms":
            on_terms = self.edge(verb)
            return [(on_terms.event, "", on_terms.target)]
        place = self.edge("place")
        history = [(place.event, "", place.target)]
        if verb == "place_paid":
            paid = self.edge(verb)
            history.append((paid.event, place.target, paid.target))
        return history


# The order's event when its buyer asks for a refund (the request is born requested).
REFUND_REQUESTED = "refund_requested"


class RefundRequestLifecycle(Lifecycle):
    model = RefundRequest
    invalid_state = ShopError.INVALID_STATE
    edges = (
        Edge("accept", (RefundState.REQUESTED,), RefundState.ACCEPTED, event="refund_accepted"),
        # A return and refund: the merchant gives its return address, the buyer ships the goods
        # back with a tracking number, and the merchant's receipt of them refunds the buyer.
        Edge(
            "accept_return",
            (RefundState.REQUESTED,),
            RefundState.AWAITING_RETURN,
            event="return_accepted",
        ),
        Edge(
            "ship_return",
            (RefundState.AWAITING_RETURN,),
            RefundState.RETURN_SHIPPED,
            event="return_shipped",
        ),
        Edge(
            "receive_return",
            (RefundState.RETURN_SHIPPED,),
            RefundState.ACCEPTED,
            event="return_received",
        ),
        Edge(
            "decline",
            (RefundState.REQUESTED, RefundState.RETURN_SHIPPED),
            RefundState.DECLINED,
            event="refund_declined",
        ),
        Edge("dispute", (RefundState.DECLINED,), RefundState.DISPUTED, event="refund_disputed"),
        Edge("decide", (RefundState.DISPUTED,), RefundState.DECIDED, event="refund_decided"),
        Edge(
            "withdraw",
            (RefundState.REQUESTED, RefundState.DECLINED, RefundState.AWAITING_RETURN),
            RefundState.WITHDRAWN,
            event="refund_withdrawn",
        ),
    )

    def refunds_buyer(self, refund: RefundRequest) -> bool:
        """Whether the request, where it now stands, pays the buyer back (the order is refunded):
        the merchant accepted, or the platform decided for the buyer."""
        return refund.state == RefundState.ACCEPTED or (
            refund.state == RefundState.DECIDED and refund.decision == RefundRequest.Decision.REFUND
        )

    def moved(self, refund: RefundRequest, move: Move) -> None:
        # A refund that closes the order moves it in the same transaction (the granting
        # action says from where, as "order_from"): the event says so.
        order_from = move.context.get("order_from", "")
        record_event(
            refund.order_id,
            move.edge.event,
            actor_id=move.context.get("actor_id"),
            note=move.context.get("note", ""),
            from_state=order_from,
            to_state=orders.edge("refund").target if order_from else "",
        )
        refund_moved.send(
            sender=RefundRequest,
            refund=refund,
            verb=move.edge.verb,
            from_state=move.from_state,
            actor_id=move.context.get("actor_id"),
        )


def move_source(edge: Edge) -> str:
    """The one state an edge leaves from (for edges that have exactly one)."""
    (source,) = edge.sources
    return source


def record_event(
    order_id: int,
    kind: str,
    *,
    actor_id: int | None,
    from_state: str = "",
    to_state: str = "",
    note: str = "",
) -> OrderEvent:
    """One line of an order's history (actor None: the platform)."""
    return OrderEvent.objects.create(
        order_id=order_id,
        actor_id=actor_id,
        kind=kind,
        from_state=from_state,
        to_state=to_state,
        note=note[:500],
    )


orders = register(OrderLifecycle())
refunds = register(RefundRequestLifecycle())

# Orders that were bought and not undone: paid, shipped or completed (campaign revenue, the
# "has bought" audiences).
BOUGHT_STATES = orders.targets("pay", "ship", "complete")
