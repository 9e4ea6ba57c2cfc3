"""``{% order_totals order %}``: a placed order's lines, shipping, coupon saving and total, drawn
by the same partial as the cart's and the checkout's."""

from django import template

from infoconnect.shop.models import Order
from infoconnect.shop.pricing import OrderQuote

register = template.Library()


@register.inclusion_tag("shop/_order_totals.html")
def order_totals(order: Order, prefix: str = "order") -> dict:
    return {"totals": OrderQuote.of(order), "currency": order.currency, "prefix": prefix}
