"""Price cells: a line's VAT parts, and a product's SKUs at the acting company's prices."""

from django import template

from infoconnect.procurement import price_list_reads
from infoconnect.procurement.pricing import net_price, rate_words

register = template.Library()


@register.filter
def net_of(amount: int | None, rate_bp: int | None) -> int | None:
    """``{{ line.unit_price|net_of:line.sku.tax_rate }}``: the amount before VAT."""
    if amount is None:
        return None
    return net_price(int(amount), 1300 if rate_bp is None else int(rate_bp))


@register.filter
def vat_rate(rate_bp: int | None) -> str:
    """1300 → "13%" (a line without its SKU any more: the standard rate)."""
    return rate_words(1300 if rate_bp is None else int(rate_bp))


@register.simple_tag(takes_context=True)
def company_sku_prices(context, company, product, skus) -> list:
    """[(sku, Price)] for one unit of each SKU, for a member of ``company`` only."""
    request = context.get("request")
    if company is None or request is None:
        return []
    for sku in skus:
        sku.product = product
    return price_list_reads.member_sku_prices(
        user=request.user, company_id=company.pk, skus=list(skus)
    )
