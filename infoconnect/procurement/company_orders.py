"""Reads of the orders a company's requisitions placed, and who may see and confirm them.

A member sees the company's orders within the scope of their roles: a role held over the
whole company sees them all, a role given on a department sees the orders of requisitions for
that department and the departments under it; everyone sees the orders they bought
themselves. Receipt of a shipped order may be confirmed by its buyer, by a member holding the
buyer role over the requisition's department, or by a company-wide administrator.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from infoconnect.core.errors import DomainError
from infoconnect.core.pagination import PageParams, paginate
from infoconnect.procurement.errors import ProcurementError
from infoconnect.procurement.models import Department, Membership, RequisitionOrder, Role
from infoconnect.procurement.selectors import ancestor_ids, holds_role

ORDERS_PAGE = 50


def may_confirm(membership: Membership, buyer_id: int, department: Department | None) -> bool:
    """Whether the member may confirm receipt of an order its buyer ``buyer_id`` placed for
    ``department`` (None: the whole company)."""
    return (
        buyer_id == membership.user_id
        or holds_role(membership, Role.BUYER, department)
        or holds_role(membership, Role.ADMIN)
    )


@dataclass(frozen=True)
class OrderScope:
    """A member's roles, read once, answering for a whole page of orders what ``may_confirm``
    answers for one (the same rule)."""

    user_id: int
    sees_all: bool
    seen_paths: tuple[str, ...]
    confirms_all: bool
    buyer_department_ids: frozenset[int]

    @property
    def has_role(self) -> bool:
        return self.sees_all or bool(self.seen_paths)

    def may_confirm(self, link: RequisitionOrder) -> bool:
        if link.order.buyer_id == self.user_id or self.confirms_all:
            return True
        department = link.requisition.department
        return department is not None and not self.buyer_department_ids.isdisjoint(
            ancestor_ids(department)
        )


def order_scope(membership: Membership) -> OrderScope:
    roles = list(membership.roles.values_list("role", "department_id", "department__path"))
    company_wide = {role for role, department_id, _path in roles if department_id is None}
    return OrderScope(
        user_id=membership.user_id,
        sees_all=bool(company_wide),
        seen_paths=tuple(sorted({path for _role, department_id, path in roles if department_id})),
        confirms_all=Role.ADMIN in company_wide or Role.BUYER in company_wide,
        buyer_department_ids=frozenset(
            department_id
            for role, department_id, _path in roles
            if role == Role.BUYER and department_id is not None
        ),
    )


def _visible(membership: Membership, scope: OrderScope) -> QuerySet[RequisitionOrder]:
    links = RequisitionOrder.objects.filter(requisition__company_id=membership.company_id)
    if scope.sees_all:
        return links
    seen = Q(order__buyer_id=membership.user_id)
    for path in scope.seen_paths:
        seen |= Q(requisition__department__path__startswith=path)
    return links.filter(seen)


def company_orders(
    *, membership: Membership, scope: OrderScope, page: PageParams
) -> list[RequisitionOrder]:
    """A page of the orders the member sees, newest first, each with its order (and merchant)
    and its requisition (and department); ``role_required`` for a member without a role."""
    if not scope.has_role:
        raise DomainError(ProcurementError.ROLE_REQUIRED)
    links = _visible(membership, scope).select_related("order__merchant", "requisition__department")
    return paginate(links, page, field="order_id")


def company_order(*, membership: Membership, order_id: int) -> RequisitionOrder:
    """One order a requisition of the member's company placed, with its requisition (and
    department), or ``company_order_not_found``."""
    link = (
        RequisitionOrder.objects.select_related("order", "requisition__department")
        .filter(order_id=order_id, requisition__company_id=membership.company_id)
        .first()
    )
    if link is None:
        raise DomainError(ProcurementError.COMPANY_ORDER_NOT_FOUND)
    return link
