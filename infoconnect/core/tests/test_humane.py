"""Relative times and compact counts, in English and Chinese."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import translation

from infoconnect.core.humane import compact_number, relative_label, reltime

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 4, 15, 0, tzinfo=SHANGHAI)


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("when", "english", "chinese"),
    [
        (at(2026, 12, 4, 14, 59, 30), "just now", "刚刚"),
        (at(2026, 12, 4, 14, 55), "5 min", "5分钟前"),
        (at(2026, 12, 4, 12, 0), "3 h", "3小时前"),
        (at(2026, 12, 3, 14, 3), "Yesterday 14:03", "昨天 14:03"),
        (at(2026, 3, 1, 9, 5), "Mar 1 09:05", "3月1日 09:05"),
        (at(2025, 12, 31, 23, 0), "2025-12-31", "2025-12-31"),
    ],
)
def test_relative_times_read_as_people_expect(when, english, chinese):
    with translation.override("en"):
        assert relative_label(when, NOW) == english
    with translation.override("zh-hans"):
        assert relative_label(when, NOW) == chinese


def test_the_exact_time_is_on_hover_in_shanghai_time():
    when = datetime(2026, 12, 4, 6, 55, tzinfo=ZoneInfo("UTC"))
    with translation.override("en"):
        html = reltime(when, NOW)
    assert html == (
        '<time datetime="2026-12-04T14:55:00+08:00" title="2026-12-04 14:55">5 min</time>'
    )


@pytest.mark.parametrize(
    ("number", "english", "chinese"),
    [
        (0, "0", "0"),
        (999, "999", "999"),
        (1234, "1,234", "1,234"),
        (12_000, "12K", "1.2万"),
        (12_345, "12.3K", "1.2万"),
        (987_654, "987.7K", "98.8万"),
        (1_500_000, "1.5M", "150万"),
        (230_000_000, "230M", "2.3亿"),
        ("not a number", "", ""),
    ],
)
def test_large_counts_are_abbreviated_in_the_readers_language(number, english, chinese):
    with translation.override("en"):
        assert compact_number(number) == english
    with translation.override("zh-hans"):
        assert compact_number(number) == chinese


def test_templates_use_them_without_loading_anything():
    template = Template('{{ n|compact }} {% icon "heart" label="Like" %}')
    html = template.render(Context({"n": 12_000}))
    assert html.startswith("12K <svg")
    assert 'aria-hidden="true"' in html and '<span class="sr-only">Like</span>' in html
