"""Reads for the seller centre's overview: a merchant's day in a few counts."""

from __future__ import annotations

from datetime import datetime, time

from django.db.models import Count, Sum
from django.utils import timezone

from infoconnect.shop.lifecycle import BOUGHT_STATES, orders, refunds
from infoconnect.shop.models import Order, RefundRequest

# Refund requests waiting for the merchant: to answer, or goods on their way back to it (as
# the refunds page lists them).
REFUNDS_WAITING = refunds.sources("accept", "decline", "receive_return", "ship_return")


def start_of_today(now: datetime | None = None) -> datetime:
    """Midnight of the site's day (Asia/Shanghai), as an aware time."""
    local = timezone.localtime(now)
    return timezone.make_aware(datetime.combine(local.date(), time.min), local.tzinfo)


def sales_today(*, merchant_id: int, now: datetime | None = None) -> dict[str, int]:
    """Orders paid since midnight that are not undone (paid, shipped or completed), and what
    they brought in fen."""
    figures = Order.objects.filter(
        merchant_id=merchant_id, state__in=BOUGHT_STATES, paid_at__gte=start_of_today(now)
    ).aggregate(orders=Count("id"), revenue=Sum("total"))
    return {"orders": figures["orders"], "revenue": figures["revenue"] or 0}


def orders_to_ship_count(*, merchant_id: int) -> int:
    """The merchant's orders waiting to be shipped: paid, or bought on terms."""
    return Order.objects.filter(merchant_id=merchant_id, state__in=orders.sources("ship")).count()


def refunds_waiting_count(*, merchant_id: int) -> int:
    return RefundRequest.objects.filter(
        order__merchant_id=merchant_id, state__in=REFUNDS_WAITING
    ).count()
