"""``{{ rate|percent }}``: a campaign's rate (a fraction) as the merchant reads it;
``{{ count|grouped }}``: a count of followers or messages with its thousands marked."""

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def percent(fraction: float | None) -> str:
    """0.1234 -> "12.3%"; None (nothing delivered yet) -> "—"."""
    if fraction is None:
        return "—"
    return f"{number_format(fraction * 100, 1)}%"


@register.filter
def grouped(count: int | None) -> str:
    """900000 -> "900,000", in every language, as amounts of money are written."""
    if count is None:
        return "—"
    return f"{int(count):,}"
