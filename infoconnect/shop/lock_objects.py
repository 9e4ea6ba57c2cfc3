"""Row locks the shop takes, always in a fixed order so two transactions never deadlock."""

from django.db.models import QuerySet

from infoconnect.shop.models import Order, Sku


def skus_for_update(sku_ids: list[int]) -> QuerySet[Sku]:
    return Sku.objects.select_for_update().filter(pk__in=sku_ids).order_by("pk")


def order_for_update(order_id: int) -> QuerySet[Order]:
    return Order.objects.select_for_update(of=("self",)).filter(pk=order_id)
