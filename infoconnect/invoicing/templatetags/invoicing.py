from django import template

from infoconnect.invoicing.vat import rate_label

register = template.Library()


@register.filter
def vat_rate(rate_bp: int) -> str:
    """{{ line.tax_rate|vat_rate }} -> 13%"""
    return rate_label(int(rate_bp))
