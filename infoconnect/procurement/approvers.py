"""Who may decide an approval step (reads only).

A level names its approvers: a member, or a role over a department (or over the whole
company). A role's holders are the current members whose assignment of it covers that
department (company-wide, or on it or one of its ancestors); with no department on the level,
the requisition's own department. An approver away on a dated delegation is stood in for by
the delegate, beside them. The requester is never among them unless the rule allows it (four
eyes), and escalation goes to the approvers of the parent department, or the company-wide
approvers and administrators at the top, never to the requester.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q

from infoconnect.procurement.models import (
    ApprovalLevel,
    Delegation,
    Department,
    Membership,
    Requisition,
    Role,
    RoleAssignment,
    StepAssignee,
)
from infoconnect.procurement.selectors import ancestor_ids

Via = StepAssignee.Via


@dataclass(frozen=True)
class Approver:
    user_id: int
    via: str
    on_behalf_of_id: int | None = None


def current_member_ids(company_id: int, user_ids: set[int]) -> set[int]:
    if not user_ids:
        return set()
    return set(
        Membership.objects.filter(
            company_id=company_id, user_id__in=user_ids, ended_at__isnull=True
        ).values_list("user_id", flat=True)
    )


def role_holders(company_id: int, role: str, department: Department | None) -> set[int]:
    """Current members holding ``role`` over ``department`` (None: company-wide only)."""
    scope = Q(department__isnull=True)
    if department is not None:
        scope |= Q(department_id__in=ancestor_ids(department))
    return set(
        RoleAssignment.objects.filter(
            scope,
            role=role,
            membership__company_id=company_id,
            membership__ended_at__isnull=True,
        ).values_list("membership__user_id", flat=True)
    )


def delegates(company_id: int, user_ids: set[int], at: datetime) -> dict[int, list[int]]:
    """Approver id → the current members standing in for them at ``at``."""
    if not user_ids:
        return {}
    rows = list(
        Delegation.objects.filter(
            company_id=company_id,
            delegator_id__in=user_ids,
            starts_at__lte=at,
            ends_at__gt=at,
            revoked_at__isnull=True,
        ).values_list("delegator_id", "delegate_id")
    )
    found: dict[int, list[int]] = {}
    if not rows:
        return found
    members = current_member_ids(company_id, {delegate for _d, delegate in rows})
    for delegator, delegate in rows:
        if delegate in members:
            found.setdefault(delegator, []).append(delegate)
    return found


def _with_delegates(
    company_id: int, principals: list[Approver], requester_id: int, allow_self: bool, at: datetime
) -> list[Approver]:
    chosen = [a for a in principals if allow_self or a.user_id != requester_id]
    seen = {a.user_id for a in chosen}
    for delegator, stand_ins in delegates(company_id, {a.user_id for a in chosen}, at).items():
        for delegate in stand_ins:
            if delegate in seen or delegate == requester_id:
                continue
            seen.add(delegate)
            chosen.append(Approver(delegate, Via.DELEGATE, delegator))
    return chosen


def level_approvers(
    level: ApprovalLevel, requisition: Requisition, *, allow_self: bool, at: datetime
) -> list[Approver]:
    """Who may decide ``level`` for ``requisition`` now, in a stable order."""
    company_id = requisition.company_id
    named: list[int] = []
    by_role: list[int] = []
    # The rules' read prefetches each level's approvers; a level read alone fetches them.
    for approver in level.approvers.all():
        if approver.user_id:
            named.append(approver.user_id)
        else:
            department = approver.department or requisition.department
            by_role += sorted(role_holders(company_id, approver.role, department))
    members = current_member_ids(company_id, set(named))
    principals: list[Approver] = []
    seen: set[int] = set()
    for user_id, via in [(u, Via.NAMED) for u in named] + [(u, Via.ROLE) for u in by_role]:
        if user_id in seen or (via == Via.NAMED and user_id not in members):
            continue
        seen.add(user_id)
        principals.append(Approver(user_id, via))
    return _with_delegates(company_id, principals, requisition.requester_id, allow_self, at)


def escalation_approvers(
    requisition: Requisition, *, already: set[int], at: datetime
) -> list[Approver]:
    """Past the deadline: the approvers over the parent of the requisition's department (or
    the company-wide approvers and administrators when there is no parent), never the
    requester nor those already asked."""
    company_id = requisition.company_id
    department = requisition.department
    parent = department.parent if department is not None and department.parent_id else None
    if parent is not None:
        users = role_holders(company_id, Role.APPROVER, parent)
    else:
        users = role_holders(company_id, Role.APPROVER, None) | role_holders(
            company_id, Role.ADMIN, None
        )
    users -= already | {requisition.requester_id}
    if not users and parent is not None:
        users = (
            (
                role_holders(company_id, Role.APPROVER, None)
                | role_holders(company_id, Role.ADMIN, None)
            )
            - already
            - {requisition.requester_id}
        )
    principals = [Approver(user_id, Via.ESCALATION) for user_id in sorted(users)]
    return _with_delegates(company_id, principals, requisition.requester_id, False, at)
