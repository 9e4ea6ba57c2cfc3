"""Reads of requisitions, and who may see which (reads only).

A requisition is seen by its requester and by members whose role covers its department:
an approver, finance, viewer or administrator over the department (or the whole company).
A buyer sees only their own. Anyone else, another company's member included, is told the
requisition does not exist.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Prefetch, Q, QuerySet

from infoconnect.core.errors import DomainError
from infoconnect.core.ids import parse_id
from infoconnect.procurement.errors import ProcurementError
from infoconnect.procurement.joined import joined
from infoconnect.procurement.models import (
    ApprovalDecision,
    ApprovalStep,
    Company,
    Department,
    Membership,
    Requisition,
    RequisitionLine,
    Role,
    RoleAssignment,
    ShipToAddress,
    StepAssignee,
)
from infoconnect.procurement.selectors import ancestor_ids, current_membership

if TYPE_CHECKING:
    from infoconnect.accounts.models import User

UserModel = get_user_model()
# Roles that see the requisitions of the departments they cover.
OVERSEEING_ROLES = (Role.ADMIN, Role.APPROVER, Role.FINANCE, Role.VIEWER)


def oversees(membership: Membership, requisition: Requisition) -> bool:
    scope = Q(department__isnull=True)
    if requisition.department_id:
        scope |= Q(department_id__in=ancestor_ids(requisition.department))
    return RoleAssignment.objects.filter(
        scope, membership=membership, role__in=OVERSEEING_ROLES
    ).exists()


def is_assignee(user_id: int, requisition: Requisition) -> bool:
    return StepAssignee.objects.filter(step__requisition=requisition, user_id=user_id).exists()


def may_see(membership: Membership, requisition: Requisition) -> bool:
    return (
        requisition.requester_id == membership.user_id
        or oversees(membership, requisition)
        or is_assignee(membership.user_id, requisition)
    )


# The requisition, its company, the company's account, its department, ship-to address and
# requester; the relations are set on the requisition (the account on the company).
_LAYOUT = [
    (Requisition, "r", None), (Company, "c", None), (UserModel, "ca", None),
    (Department, "d", None), (ShipToAddress, "s", None), (UserModel, "u", None),
]  # fmt: skip
_FROM = """
FROM procurement_requisition r
JOIN procurement_company c ON c.id = r.company_id
LEFT JOIN accounts_user ca ON ca.id = c.account_id
LEFT JOIN procurement_department d ON d.id = r.department_id
LEFT JOIN procurement_shiptoaddress s ON s.id = r.ship_to_id
JOIN accounts_user u ON u.id = r.requester_id
WHERE r.id = %s
"""


def requisition_with_relations(pk: int, *, lock: bool = False) -> Requisition | None:
    """The requisition with its company (and the company's account), department, ship-to
    address and requester loaded; locked with ``lock``. Hand-written (``joined.py``): every
    submit and decision reads it."""
    sql = _FROM
    if lock and connection.features.has_select_for_update:
        sql += " FOR UPDATE OF r"
    rows = joined("requisition", _LAYOUT).rows(sql, [pk])
    if not rows:
        return None
    requisition, company, account, department, ship_to, requester = rows[0]
    Company.account.field.set_cached_value(company, account)
    for relation, value in (
        (Requisition.company, company),
        (Requisition.department, department),
        (Requisition.ship_to, ship_to),
        (Requisition.requester, requester),
    ):
        relation.field.set_cached_value(requisition, value)
    return requisition


def member_requisition(
    *, user: User, requisition_id: object, lock: bool = False
) -> tuple[Requisition, Membership]:
    """The requisition and the user's current membership of its company, if they may see it;
    else ``requisition_not_found``."""
    pk = parse_id(requisition_id)
    requisition = requisition_with_relations(pk, lock=lock) if pk else None
    membership = (
        current_membership(user=user, company_id=requisition.company_id) if requisition else None
    )
    if requisition is None or membership is None or not may_see(membership, requisition):
        raise DomainError(ProcurementError.REQUISITION_NOT_FOUND)
    return requisition, membership


def draft_of(*, user: User, company_id: int) -> Requisition | None:
    """The member's "for company X" cart."""
    return (
        Requisition.objects.filter(
            company_id=company_id, requester_id=user.pk, state=Requisition.State.DRAFT
        )
        .select_related("department", "ship_to")
        .first()
    )


def visible_requisitions(*, membership: Membership) -> QuerySet[Requisition]:
    """What the member may list: their own, and those of the departments their roles cover."""
    own = Q(requester_id=membership.user_id)
    scopes = list(
        RoleAssignment.objects.filter(membership=membership, role__in=OVERSEEING_ROLES)
        .select_related("department")
        .values_list("department_id", "department__path")
    )
    rows = Requisition.objects.filter(company_id=membership.company_id)
    if any(department_id is None for department_id, _path in scopes):
        return rows
    covered = Q()
    for _department_id, path in scopes:
        covered |= Q(department__path__startswith=path)
    assigned = Q(steps__assignees__user_id=membership.user_id)
    return rows.filter(own | covered | assigned).distinct()


def awaiting_me(*, membership: Membership) -> QuerySet[Requisition]:
    """Requisitions whose waiting step the member may decide."""
    return Requisition.objects.filter(
        company_id=membership.company_id,
        state=Requisition.State.PENDING,
        steps__state__in=[ApprovalStep.State.WAITING, ApprovalStep.State.ESCALATED],
        steps__assignees__user_id=membership.user_id,
    ).distinct()


def with_details(pk: int) -> Requisition:
    """One requisition with its lines, steps (assignees, decisions), orders and trail."""
    return (
        Requisition.objects.select_related("company", "department", "ship_to", "requester")
        .prefetch_related(
            Prefetch(
                "lines", queryset=RequisitionLine.objects.select_related("sku").order_by("pk")
            ),
            Prefetch(
                "steps",
                queryset=ApprovalStep.objects.order_by("round", "position").prefetch_related(
                    Prefetch("assignees", queryset=StepAssignee.objects.select_related("user")),
                    Prefetch(
                        "decisions",
                        queryset=ApprovalDecision.objects.select_related(
                            "approver", "on_behalf_of"
                        ),
                    ),
                ),
            ),
            "orders__order",
            "events__actor",
        )
        .get(pk=pk)
    )
