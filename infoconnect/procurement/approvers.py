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

from django.db import connection

from infoconnect.procurement.models import (
    ApprovalLevel,
    Department,
    Requisition,
    Role,
    StepAssignee,
)
from infoconnect.procurement.selectors import ancestor_ids

Via = StepAssignee.Via


@dataclass(frozen=True)
class Approver:
    user_id: int
    via: str
    on_behalf_of_id: int | None = None


# Written by hand: each submit and each step's activation asks all three, and the ORM spent
# more on building them than the database on answering.
_MEMBERS_SQL = (
    "SELECT user_id FROM procurement_membership"
    " WHERE company_id = %s AND ended_at IS NULL AND user_id IN ({users})"
)
_HOLDERS_SQL = (
    "SELECT m.user_id FROM procurement_roleassignment a"
    " JOIN procurement_membership m ON m.id = a.membership_id"
    " WHERE a.role = %s AND m.company_id = %s AND m.ended_at IS NULL"
    " AND (a.department_id IS NULL{departments})"
)
# In Delegation's own order (its Meta), which orders the delegates beside their approver.
_DELEGATIONS_SQL = (
    "SELECT delegator_id, delegate_id FROM procurement_delegation"
    " WHERE company_id = %s AND delegator_id IN ({users}) AND starts_at <= %s AND ends_at > %s"
    " AND revoked_at IS NULL ORDER BY starts_at DESC, id DESC"
)


def _marks(values) -> str:
    return ", ".join(["%s"] * len(values))


def _rows(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def current_member_ids(company_id: int, user_ids: set[int]) -> set[int]:
    if not user_ids:
        return set()
    users = sorted(user_ids)
    return {
        user_id
        for (user_id,) in _rows(_MEMBERS_SQL.format(users=_marks(users)), [company_id, *users])
    }


def role_holders(company_id: int, role: str, department: Department | None) -> set[int]:
    """Current members holding ``role`` over ``department`` (None: company-wide only)."""
    ancestors = ancestor_ids(department) if department is not None else []
    departments = f" OR a.department_id IN ({_marks(ancestors)})" if ancestors else ""
    sql = _HOLDERS_SQL.format(departments=departments)
    return {user_id for (user_id,) in _rows(sql, [role, company_id, *ancestors])}


def delegates(company_id: int, user_ids: set[int], at: datetime) -> dict[int, list[int]]:
    """Approver id → the current members standing in for them at ``at``."""
    if not user_ids:
        return {}
    users = sorted(user_ids)
    moment = connection.ops.adapt_datetimefield_value(at)
    rows = _rows(_DELEGATIONS_SQL.format(users=_marks(users)), [company_id, *users, moment, moment])
    found: dict[int, list[int]] = {}
    if not rows:
        return found
    members = current_member_ids(company_id, {delegate for _d, delegate in rows})
    for delegator, delegate in rows:
        if delegate in members:
            found.setdefault(delegator, []).append(delegate)
    return found


def _add_delegates(
    chosen: list[Approver], stand_ins: dict[int, list[int]], requester_id: int
) -> list[Approver]:
    """``chosen`` with the delegates standing in for them beside them (never the requester)."""
    chosen = list(chosen)
    seen = {a.user_id for a in chosen}
    principals = set(seen)
    for delegator, delegates_of in stand_ins.items():
        if delegator not in principals:
            continue
        for delegate in delegates_of:
            if delegate in seen or delegate == requester_id:
                continue
            seen.add(delegate)
            chosen.append(Approver(delegate, Via.DELEGATE, delegator))
    return chosen


def _with_delegates(
    company_id: int, principals: list[Approver], requester_id: int, allow_self: bool, at: datetime
) -> list[Approver]:
    chosen = [a for a in principals if allow_self or a.user_id != requester_id]
    return _add_delegates(
        chosen, delegates(company_id, {a.user_id for a in chosen}, at), requester_id
    )


def level_approvers(
    level: ApprovalLevel, requisition: Requisition, *, allow_self: bool, at: datetime
) -> list[Approver]:
    """Who may decide ``level`` for ``requisition`` now, in a stable order."""
    return levels_approvers([(level, allow_self)], requisition, at=at)[0]


def levels_approvers(
    levels: list[tuple[ApprovalLevel, bool]], requisition: Requisition, *, at: datetime
) -> list[list[Approver]]:
    """``level_approvers`` of each (level, allow_self) given, as one set of reads: a round's
    levels often name the same role, and each read is a round trip."""
    company_id = requisition.company_id
    holders: dict[tuple[str, int | None], list[int]] = {}
    wanted: list[tuple[list[int], list[int], bool]] = []
    # The rules' read prefetches each level's approvers; a level read alone fetches them.
    for level, allow_self in levels:
        named: list[int] = []
        by_role: list[int] = []
        for approver in level.approvers.all():
            if approver.user_id:
                named.append(approver.user_id)
                continue
            department = approver.department or requisition.department
            key = (approver.role, department.pk if department is not None else None)
            if key not in holders:
                holders[key] = sorted(role_holders(company_id, approver.role, department))
            by_role += holders[key]
        wanted.append((named, by_role, allow_self))
    members = current_member_ids(company_id, {u for named, _r, _a in wanted for u in named})
    chosen: list[list[Approver]] = []
    for named, by_role, allow_self in wanted:
        principals: list[Approver] = []
        seen: set[int] = set()
        for user_id, via in [(u, Via.NAMED) for u in named] + [(u, Via.ROLE) for u in by_role]:
            if user_id in seen or (via == Via.NAMED and user_id not in members):
                continue
            seen.add(user_id)
            principals.append(Approver(user_id, via))
        chosen.append(
            [a for a in principals if allow_self or a.user_id != requisition.requester_id]
        )
    stand_ins = delegates(company_id, {a.user_id for found in chosen for a in found}, at)
    return [_add_delegates(found, stand_ins, requisition.requester_id) for found in chosen]


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
