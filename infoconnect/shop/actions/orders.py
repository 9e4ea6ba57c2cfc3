"""An order after it is placed: paid, shipped, confirmed (or confirmed automatically),
cancelled, expired, refunded.

Every state change is a move along an edge declared in shop/lifecycle.py (one conditional
UPDATE; the hook records the order's history and queues what comes next), except the pay,
which is one hand-written statement declared on its edge. Money moves through the wallet's
actions in the same transaction, so a failure anywhere leaves neither order nor ledger
half-written; units go back to stock in ascending SKU id order.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from infoconnect.accounts.models import User
from infoconnect.core import sweeps
from infoconnect.core.errors import DomainError
from infoconnect.core.ids import is_id
from infoconnect.core.models import PlatformSettings
from infoconnect.shop.actions.rules import clean_text, commission_for
from infoconnect.shop.errors import ShopError
from infoconnect.shop.lifecycle import move_source, orders
from infoconnect.shop.models import Order, OrderLine, Sku
from infoconnect.wallet import actions as wallet_actions

State = Order.State


def buyer_order(buyer: User, order_id: int) -> Order:
    order = Order.objects.filter(pk=order_id, buyer_id=buyer.pk).first()
    if order is None:
        raise DomainError(ShopError.ORDER_NOT_FOUND)
    return order


def merchant_order(merchant: User, order_id: int) -> Order:
    order = Order.objects.filter(pk=order_id, merchant_id=merchant.pk).first()
    if order is None:
        raise DomainError(ShopError.ORDER_NOT_FOUND)
    return order


def release_stock(order_id: int) -> None:
    """Put an order's units back, in ascending SKU id order."""
    totals: dict[int, int] = defaultdict(int)
    for sku_id, quantity in OrderLine.objects.filter(
        order_id=order_id, sku_id__isnull=False
    ).values_list("sku_id", "quantity"):
        totals[sku_id] += quantity
    for sku_id in sorted(totals):
        Sku.objects.filter(pk=sku_id).update(stock=F("stock") + totals[sku_id])


# The pay edge's hot path: one statement both checks and moves the order, and locks the row
# against a concurrent expiry or a second click until the transaction ends.
_PAY_SQL = (
    "UPDATE shop_order SET state = %s, paid_at = %s "
    "WHERE id = %s AND buyer_id = %s AND state = %s AND expires_at > %s "
    "RETURNING total, currency"
)


@transaction.atomic
def pay_order(*, buyer: User, order_id: int) -> Order:
    """Move the order's total from the buyer's wallet into escrow."""
    if not is_id(order_id):
        raise DomainError(ShopError.ORDER_NOT_FOUND)
    pay = orders.edge("pay")
    unpaid = move_source(pay)
    now = timezone.now()
    at = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        cursor.execute(_PAY_SQL, [pay.target, at, order_id, buyer.pk, unpaid, at])
        row = cursor.fetchone()
    if row is None:
        order = buyer_order(buyer, order_id)
        if orders.allows(order, "pay") and order.expires_at <= now:
            raise DomainError(ShopError.ORDER_EXPIRED)
        raise DomainError(ShopError.INVALID_STATE)
    total, currency = row
    wallet_actions.pay_order(buyer_id=buyer.pk, order_id=order_id, amount=total, currency=currency)
    order = Order.objects.get(pk=order_id)
    orders.report(order, "pay", from_state=unpaid, now=now, context={"actor_id": buyer.pk})
    return order


@transaction.atomic
def ship_order(*, merchant: User, order_id: int, carrier: str, tracking_number: str) -> Order:
    order = merchant_order(merchant, order_id)
    carrier = clean_text(carrier, field="carrier", max_length=60, required=True)
    tracking_number = clean_text(
        tracking_number, field="tracking_number", max_length=60, required=True
    )
    now = timezone.now()
    orders.move(
        order,
        "ship",
        now=now,
        context={"actor_id": merchant.pk, "note": f"{carrier} {tracking_number}"},
        shipped_at=now,
        carrier=carrier,
        tracking_number=tracking_number,
    )
    return order


def _complete(order: Order, *, verb: str, actor_id: int | None, strict: bool) -> bool:
    """Escrow pays the merchant what refunds left of the order, less the platform's
    commission on that (an order on terms has no escrow: the move's company_order_moved
    receiver makes its receivable due instead)."""
    # Locked first, as a refund's grant locks it: what it refunded is final until commit.
    refunded = (
        Order.objects.select_for_update(no_key=True)
        .values_list("refunded_amount", flat=True)
        .get(pk=order.pk)
    )
    order.refunded_amount = refunded
    released = order.total - refunded
    now = timezone.now()
    commission = commission_for(released, PlatformSettings.current().commission_basis_points)
    if not orders.move(
        order,
        verb,
        strict=strict,
        now=now,
        context={"actor_id": actor_id},
        completed_at=now,
        commission=commission,
    ):
        return False
    if order.on_terms:
        return True
    wallet_actions.release_escrow(
        order_id=order.pk,
        merchant_id=order.merchant_id,
        amount=released,
        commission=commission,
        currency=order.currency,
    )
    return True


@transaction.atomic
def confirm_receipt(*, buyer: User, order_id: int) -> Order:
    """The buyer has the goods: escrow pays the merchant, less the platform's commission."""
    order = buyer_order(buyer, order_id)
    _complete(order, verb="complete", actor_id=buyer.pk, strict=True)
    return order


@transaction.atomic
def confirm_receipt_for(*, order_id: int, actor_id: int) -> Order:
    """Receipt confirmed by someone the caller has allowed on the buyer's behalf (a
    colleague of a company's buyer): as ``confirm_receipt``, with that person recorded."""
    order = Order.objects.filter(pk=order_id).first()
    if order is None:
        raise DomainError(ShopError.ORDER_NOT_FOUND)
    _complete(order, verb="complete", actor_id=actor_id, strict=True)
    return order


@transaction.atomic
def auto_complete_order(*, order_id: int, now: datetime | None = None) -> bool:
    """Confirm a shipped order whose confirmation period has passed; False if it is not due."""
    now = now or timezone.now()
    order = Order.objects.filter(
        pk=order_id,
        state__in=orders.sources("auto_complete"),
        shipped_at__lte=orders.edge("auto_complete").cutoff(now),
    ).first()
    if order is None:
        return False
    return _complete(order, verb="auto_complete", actor_id=None, strict=False)


def auto_complete_shipped_orders(*, now: datetime | None = None, batch: int = 500) -> int:
    """Sweep: confirm every shipped order past the auto-confirm period. Safe to run repeatedly."""
    return sweeps.sweep_edge(orders, "auto_complete", now=now, batch=batch)


@transaction.atomic
def cancel_order(*, person: User, order_id: int, note: str = "") -> Order:
    """Buyer or merchant cancels before shipping: a paid order is refunded in full, and the
    units go back into stock."""
    order = Order.objects.filter(pk=order_id).first()
    if order is None or person.pk not in (order.buyer_id, order.merchant_id):
        raise DomainError(ShopError.ORDER_NOT_FOUND)
    from_state = order.state
    orders.move(
        order, "cancel", context={"actor_id": person.pk, "note": note}, closed_at=timezone.now()
    )
    if from_state == State.PAID:
        # What partial refunds before shipping left (the move holds the row: it is final).
        left = order.total - Order.objects.values_list("refunded_amount", flat=True).get(
            pk=order.pk
        )
        wallet_actions.refund_escrow(
            order_id=order.pk, buyer_id=order.buyer_id, amount=left, currency=order.currency
        )
    release_stock(order.pk)
    return order


@transaction.atomic
def expire_order(*, order_id: int, now: datetime | None = None) -> bool:
    """Close an unpaid order past its deadline and put its units back; False if not due."""
    now = now or timezone.now()
    order = Order.objects.filter(
        pk=order_id, state__in=orders.sources("expire"), expires_at__lte=now
    ).first()
    if order is None or not orders.move(
        order, "expire", strict=False, where={"expires_at__lte": now}, now=now, closed_at=now
    ):
        return False
    release_stock(order.pk)
    return True


def expire_unpaid_orders(*, now: datetime | None = None, batch: int = 500) -> int:
    """Sweep: expire every unpaid order past its deadline. Safe to run repeatedly."""
    return sweeps.sweep_edge(orders, "expire", now=now, batch=batch)
