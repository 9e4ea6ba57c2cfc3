"""Receipt of a company's order confirmed by the buyer or by a colleague whose role allows it;
the shop completes the order (escrow pays the merchant) with that person recorded."""

from __future__ import annotations

from django.db import transaction

from infoconnect.accounts.models import User
from infoconnect.core.errors import DomainError
from infoconnect.core.ids import parse_id
from infoconnect.procurement.company_orders import company_order, may_confirm
from infoconnect.procurement.errors import ProcurementError
from infoconnect.procurement.models import RequisitionOrder
from infoconnect.procurement.selectors import require_member
from infoconnect.shop import actions as shop_actions
from infoconnect.shop.lifecycle import orders
from infoconnect.shop.models import Order


def confirmable(*, user: User, company_id: object, order_id: object) -> RequisitionOrder:
    """The company's order if ``user`` may confirm its receipt: ``not_a_member`` (404) for a
    non-member, ``company_order_not_found`` (404) for an order not the company's,
    ``role_required`` (403) for a member whose roles do not reach it."""
    membership = require_member(user=user, company_id=company_id)
    found = parse_id(order_id)
    if found is None:
        raise DomainError(ProcurementError.COMPANY_ORDER_NOT_FOUND)
    link = company_order(membership=membership, order_id=found)
    if not may_confirm(membership, link.order.buyer_id, link.requisition.department):
        raise DomainError(ProcurementError.ROLE_REQUIRED)
    return link


@transaction.atomic
def confirm_company_order(*, user: User, company_id: object, order_id: object) -> Order:
    """The goods arrived: the order completes and escrow pays the merchant, less commission."""
    link = confirmable(user=user, company_id=company_id, order_id=order_id)
    if not orders.allows(link.order, "complete"):
        raise DomainError(ProcurementError.ORDER_NOT_SHIPPED)
    return shop_actions.confirm_receipt_for(order_id=link.order_id, actor_id=user.pk)
