"""``{% if membership|sees_company_wallet %}``: whether a member may open the company wallet."""

from django import template

from infoconnect.procurement.models import Membership
from infoconnect.wallet import selectors

register = template.Library()


@register.filter
def sees_company_wallet(membership: Membership | None) -> bool:
    return membership is not None and selectors.sees_company_wallet(membership)
