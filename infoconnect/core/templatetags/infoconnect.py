"""Filters every template may use without {% load %} (registered as builtins in settings)."""

from django import template
from django.utils import timezone

from infoconnect.core.money import format_money

register = template.Library()


@register.filter
def money(amount_minor, currency: str = "CNY") -> str:
    """{{ sku.price|money }} -> ¥12.34"""
    return format_money(amount_minor, currency or "CNY")


@register.filter
def localtime(value):
    return timezone.localtime(value) if value else value
