"""The refund section's reads, for the templates that include it (the order page's view
stays as it is: the section brings what it shows)."""

from django import template

from infoconnect.accounts.models import REGIONS
from infoconnect.shop import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def refund_panel(context, order) -> dict:
    """``{% refund_panel order as panel %}``: selectors.refund_panel for the viewer."""
    return selectors.refund_panel(order=order, user=context["request"].user)


@register.simple_tag(takes_context=True)
def return_addresses(context) -> list:
    """``{% return_addresses as addresses %}``: the viewing merchant's saved addresses."""
    return selectors.return_addresses(merchant=context["request"].user)


@register.filter
def evidence_by(refund, person_id) -> list:
    """The request's photos from one side (buyer or merchant), from the prefetched ones."""
    return [photo for photo in refund.evidence.all() if photo.uploaded_by_id == person_id]


@register.filter
def refund_lines(refund, order) -> list:
    """[(order line, units asked back)] of a request for some lines."""
    bought = {line.pk: line for line in order.lines.all()}
    return [
        (bought[item["line"]], item["quantity"]) for item in refund.lines if item["line"] in bought
    ]


@register.simple_tag
def regions() -> list:
    """The provinces a typed return address picks from, as (code, name)."""
    return list(REGIONS)
