from django import template

from infoconnect.invoicing import selectors
from infoconnect.invoicing.vat import rate_label
from infoconnect.procurement.models import Membership

register = template.Library()


@register.filter
def vat_rate(rate_bp: int) -> str:
    """{{ line.tax_rate|vat_rate }} -> 13%"""
    return rate_label(int(rate_bp))


@register.filter
def reads_invoices(membership: Membership | None) -> bool:
    """{% if membership|reads_invoices %}: finance, admins and viewers read the invoices."""
    return membership is not None and selectors.may_read_invoices(membership)


@register.filter
def manages_invoice_titles(membership: Membership | None) -> bool:
    return membership is not None and selectors.may_manage_titles(membership)
