"""What a refund request is worth, and the grant that pays it to the buyer at once.

A request asks back an amount: the whole of what is left, an amount the buyer types, or the
value of some lines (their price less their share of the coupon's discount; every unit left
takes the shipping fee too). A full refund of an order never shipped puts its units back. Whatever it is, it is at most what was paid less what refunds
gave back, checked when asked and again, in one conditional UPDATE, when granted.

The grant locks the order's row first (then the request's: the same order everywhere, so no
deadlock), moves the request, raises ``Order.refunded_amount``, closes the order as refunded
when nothing is left, and has the wallet pay the buyer back, all in one transaction. The wallet
always credits whoever paid: from escrow before the merchant was paid, after it from the
merchant's balance, then its deposit, then a debt, so a grant never fails for lack of money.
"""

from __future__ import annotations

from typing import Any

from django.db.models import F
from django.utils import timezone

from infoconnect.core.errors import DomainError
from infoconnect.shop.actions.orders import release_stock
from infoconnect.shop.errors import ShopError
from infoconnect.shop.lifecycle import orders, refunds
from infoconnect.shop.models import Order, RefundRequest
from infoconnect.shop.selectors import refunded_quantities
from infoconnect.wallet import actions as wallet_actions


def _quantity(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def clean_lines(order: Order, lines: list) -> tuple[list[dict], int]:
    """The lines asked back as [{"line": id, "quantity": n}] in line order, and their value."""
    bought = {line.pk: line for line in order.lines.all()}
    given = refunded_quantities(order)
    asked: dict[int, int] = {}
    for item in lines if isinstance(lines, list) else [None]:
        line_id = _quantity(item.get("line")) if isinstance(item, dict) else None
        quantity = _quantity(item.get("quantity")) if isinstance(item, dict) else None
        if line_id not in bought or line_id in asked or quantity is None:
            raise DomainError(ShopError.INVALID_REFUND_LINES)
        if not 1 <= quantity <= bought[line_id].quantity - given.get(line_id, 0):
            raise DomainError(ShopError.INVALID_REFUND_LINES)
        asked[line_id] = quantity
    if not asked:
        raise DomainError(ShopError.INVALID_REFUND_LINES)
    left = {pk: line.quantity - given.get(pk, 0) for pk, line in bought.items()}
    if all(asked.get(pk, 0) == units for pk, units in left.items() if units):
        # Everything not yet given back: what is left of the payment, shipping fee and all.
        return [{"line": pk, "quantity": asked[pk]} for pk in sorted(asked)], order.refundable
    subtotal = sum(line.line_total for line in bought.values())
    value = sum(bought[pk].unit_price * q for pk, q in asked.items())
    # Each line bears the coupon's discount in proportion to its price.
    value = value * (subtotal - order.discount) // subtotal if subtotal else 0
    cleaned = [{"line": pk, "quantity": asked[pk]} for pk in sorted(asked)]
    return cleaned, min(value, order.refundable)


def asked_amount(order: Order, *, amount: int | None, lines: list | None) -> tuple[int, list]:
    """What a new request asks back (fen) and which lines, refused with a 422 and its code."""
    cleaned: list[dict] = []
    if lines:
        cleaned, value = clean_lines(order, lines)
        if amount is None:
            amount = value
        elif _quantity(amount) is not None and amount > value:
            raise DomainError(ShopError.REFUND_TOO_MUCH)
    elif amount is None:
        amount = order.refundable
    if _quantity(amount) is None or amount < 1:
        raise DomainError(ShopError.INVALID_REFUND_AMOUNT)
    if amount > order.refundable:
        raise DomainError(ShopError.REFUND_TOO_MUCH)
    if order.company_id is not None and amount != order.refundable:
        raise DomainError(ShopError.COMPANY_REFUND_WHOLE)
    return amount, cleaned


def grant(
    refund: RefundRequest, verb: str, *, actor_id: int | None, note: str = "", **fields: Any
) -> RefundRequest:
    """Take ``verb`` (an edge after which the buyer is refunded) and pay the buyer back now.

    Runs inside the caller's transaction.
    """
    order = Order.objects.select_for_update(no_key=True).get(pk=refund.order_id)
    # Grants of one order queue on its lock: the request's state is read again after it, so
    # a second grant of the same request is refused as such.
    now_in = RefundRequest.objects.values_list("state", flat=True).get(pk=refund.pk)
    if now_in != refund.state or not refunds.allows(refund, verb):
        raise DomainError(ShopError.INVALID_STATE)
    amount = refund.amount
    if order.state not in orders.sources("refund"):
        raise DomainError(ShopError.INVALID_STATE)
    if amount > order.refundable:
        raise DomainError(ShopError.REFUND_TOO_MUCH)
    closes = amount == order.refundable
    from_state = order.state
    now = timezone.now()
    refunds.move(
        refund,
        verb,
        now=now,
        context={
            "actor_id": actor_id,
            "note": note,
            "order_from": from_state if closes else "",
        },
        refunded_at=now,
        **fields,
    )
    # The row is locked, yet the guard stays in the statement: the CHECK's twin, race-proof.
    raised = Order.objects.filter(
        pk=order.pk,
        state__in=orders.sources("refund"),
        refunded_amount__lte=F("total") - amount,
    ).update(refunded_amount=F("refunded_amount") + amount)
    if raised != 1:
        raise DomainError(ShopError.REFUND_TOO_MUCH)
    order.refunded_amount += amount
    if closes:
        orders.move(order, "refund", now=now, closed_at=now)
        if from_state == Order.State.PAID:
            # Never shipped: the units go back on sale, as a cancel puts them.
            release_stock(order.pk)
    if not order.on_terms:
        # An order on terms is paid through its receivable: the move's receiver credits it.
        wallet_actions.refund_order_money(
            order_id=order.pk,
            refund_id=refund.pk,
            buyer_id=order.buyer_id,
            merchant_id=order.merchant_id,
            amount=amount,
            currency=order.currency,
        )
    refund.order = order
    return refund
