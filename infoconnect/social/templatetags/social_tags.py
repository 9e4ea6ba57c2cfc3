"""Post text and account names as the microblog pages show them."""

from urllib.parse import urlsplit

from django import template
from django.template.loader import select_template
from django.utils.safestring import mark_safe

from infoconnect.social import text as post_text

register = template.Library()


@register.filter
def post_html(value: str) -> str:
    """Post text as HTML; render_html escapes every piece of user text itself."""
    return mark_safe(post_text.render_html(value or ""))  # noqa: S308


@register.simple_tag(takes_context=True)
def account_part(context, part: str, account, large: bool = False) -> str:
    """The accounts app's include for an account's name or avatar (a plain fallback without it)."""
    chosen = select_template([f"accounts/_{part}.html", f"social/_fallback_{part}.html"])
    values = context.flatten()
    values.update({"account": account, "large": large})
    return chosen.render(values, context.get("request"))


@register.filter
def indent(depth: int) -> int:
    """Left indentation in pixels of a comment; capped so a phone keeps its width."""
    return min(int(depth or 0), 5) * 16


@register.simple_tag(takes_context=True)
def page_path(context) -> str:
    """The page the person is on, also inside an htmx fragment (whose request is the POST)."""
    request = context.get("request")
    if request is None:
        return "/"
    current = request.headers.get("HX-Current-URL")
    if current:
        parts = urlsplit(current)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return request.get_full_path()
