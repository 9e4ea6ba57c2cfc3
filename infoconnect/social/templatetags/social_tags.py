"""Post text and page positions as the microblog's templates need them."""

from django import template
from django.utils.safestring import mark_safe

from infoconnect.social import text as post_text
from infoconnect.social.views import current_path

register = template.Library()


@register.filter
def post_html(value: str) -> str:
    """Post text as HTML; render_html escapes every piece of user text itself."""
    return mark_safe(post_text.render_html(value or ""))  # noqa: S308


@register.filter
def indent(depth: int) -> int:
    """Indentation level (0-5, an ``indent-N`` class) of a comment; capped so a phone keeps its width."""
    return min(int(depth or 0), 5)


@register.simple_tag(takes_context=True)
def page_path(context) -> str:
    """The page the person is on, also inside an htmx fragment (whose request is the POST)."""
    request = context.get("request")
    return current_path(request) if request is not None else "/"
