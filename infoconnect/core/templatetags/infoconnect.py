"""Filters every template may use without {% load %} (registered as builtins in settings)."""

from django import template
from django.utils import timezone

from infoconnect.core.lifecycle import lifecycle_of
from infoconnect.core.money import format_money

register = template.Library()


@register.filter
def money(amount_minor, currency: str = "CNY") -> str:
    """{{ sku.price|money }} -> ¥12.34"""
    return format_money(amount_minor, currency or "CNY")


@register.filter
def localtime(value):
    return timezone.localtime(value) if value else value


@register.filter
def allows(obj, verb: str) -> bool:
    """``{% if order|allows:"cancel" %}``: the row's lifecycle says whether ``verb`` may be taken."""
    return lifecycle_of(obj).allows(obj, verb)
