"""Times and counts as people read them: relative times where feeds show them, large counts
abbreviated the way the reader's language does (1.2万 in Chinese, 12K in English)."""

from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext, ngettext, pgettext


def _chinese() -> bool:
    return (get_language() or "").lower().startswith("zh")


def relative_label(value: datetime, now: datetime | None = None) -> str:
    now = timezone.localtime(now or timezone.now())
    local = timezone.localtime(value)
    seconds = (now - local).total_seconds()
    if seconds < 60:
        return gettext("just now")
    if seconds < 3600:
        minutes = int(seconds // 60)
        return ngettext("%(count)d min", "%(count)d min", minutes) % {"count": minutes}
    if local.date() == now.date():
        hours = int(seconds // 3600)
        return ngettext("%(count)d h", "%(count)d h", hours) % {"count": hours}
    if local.date() == now.date() - timedelta(days=1):
        return gettext("Yesterday %(time)s") % {"time": format_date(local, "H:i")}
    if local.year == now.year:
        # Translators: a date this year, in PHP date() letters: "Dec 1 14:03"; 12月1日 14:03.
        return format_date(local, pgettext("date this year", "M j H:i"))
    return format_date(local, "Y-m-d")


def reltime(value: datetime | None, now: datetime | None = None) -> SafeString | str:
    if not value:
        return ""
    local = timezone.localtime(value)
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        local.isoformat(),
        format_date(local, "Y-m-d H:i"),
        relative_label(value, now),
    )


def compact_number(number) -> str:
    try:
        number = int(number)
    except (TypeError, ValueError):
        return ""
    size = abs(number)
    if _chinese():
        steps = ((100_000_000, "亿"), (10_000, "万"))
    else:
        steps = ((1_000_000_000, "B"), (1_000_000, "M"), (10_000, "K"))
    for step, unit in steps:
        if size >= step:
            divisor = 1000 if unit == "K" else step
            shown = f"{number / divisor:.1f}".removesuffix(".0")
            return f"{shown}{unit}"
    return f"{number:,}"
