"""Filters every template may use without {% load %} (registered as builtins in settings)."""

from django import template
from django.utils import timezone
from django.utils.safestring import mark_safe

from infoconnect.core import humane, icons
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


@register.simple_tag
def icon(name: str, label: str = "") -> str:
    """{% icon "heart" %}: an outline heroicon, decorative unless given a label for screen
    readers. The SVG is inlined from the heroicons package, so no request leaves the site."""
    return icons.render(name, label=label)


@register.simple_tag
def reltime(value) -> str:
    """{% reltime post.created_at %}: a <time> reading "just now", "5 min", "Yesterday 14:03"
    (刚刚, 5分钟前, 昨天 14:03), with the exact time on hover."""
    return humane.reltime(value)


@register.filter
def compact(number) -> str:
    """{{ account.followers_count|compact }}: 1,234, 1.2万 or 12.3K, as the reader's language
    abbreviates large counts."""
    return humane.compact_number(number)


@register.simple_tag(takes_context=True)
def current_page(context, url: str, exact: bool = False) -> str:
    """` aria-current="page"` on the navigation link of the section the page is in."""
    request = context.get("request")
    if request is None or not url:
        return ""
    path = request.path
    here = path == url if exact or url == "/" else path.startswith(url)
    return mark_safe(' aria-current="page"') if here else ""


@register.filter
def hue(number) -> int:
    """One of eight colours for a placeholder (an avatar without a picture), kept per account."""
    try:
        return int(number) % 8
    except (TypeError, ValueError):
        return 0
