"""Icons from the heroicons set (MIT), inlined as SVG from the installed package: the site
needs no icon font or CDN, which keeps it working offline and in China."""

from functools import lru_cache

import heroicons
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe


@lru_cache(maxsize=256)
def _svg(name: str) -> str:
    return heroicons._render_icon(
        "outline", name, None, {"class": "icon", "aria-hidden": "true", "focusable": "false"}
    )


def render(name: str, *, label: str = "") -> SafeString:
    """The icon; with a label, the label follows it for screen readers only."""
    svg = mark_safe(_svg(name))
    if label:
        return format_html('{}<span class="sr-only">{}</span>', svg, label)
    return svg
