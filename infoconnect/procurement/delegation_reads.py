"""Reads of approvers' delegations: who stands in for an approver at a moment, and the lists
the delegations page and the API show.

A delegation counts from ``starts_at`` until ``ends_at`` (not included) unless revoked, and
only while its delegate is still a current member. It does not pass on: the delegate of a
delegate does not stand in for the first approver.
"""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from infoconnect.core.errors import DomainError
from infoconnect.core.ids import parse_id
from infoconnect.procurement import selectors
from infoconnect.procurement.approvers import delegates
from infoconnect.procurement.errors import ProcurementError
from infoconnect.procurement.models import (
    Delegation,
    LevelApprover,
    Membership,
    Role,
    RoleAssignment,
)

STANDING_LABELS = {
    "scheduled": _("Scheduled"),
    "active": _("Active"),
    "ended": _("Ended"),
    "revoked": _("Revoked"),
}


def active_delegations(*, company_id: int, user_id: int, at: datetime.datetime) -> list[int]:
    """The ids of the members standing in for ``user_id`` in the company at ``at`` (the
    approval code's own answer, for one approver)."""
    return sorted(set(delegates(company_id, {user_id}, at).get(user_id, [])))


def is_approver(membership: Membership) -> bool:
    """Whether the member approves requisitions: holds the approver role anywhere, or is
    named on a level of one of the company's rules."""
    return (
        RoleAssignment.objects.filter(membership=membership, role=Role.APPROVER).exists()
        or LevelApprover.objects.filter(
            user_id=membership.user_id, level__rule__company_id=membership.company_id
        ).exists()
    )


def approver_ids(*, company_id: int) -> set[int]:
    """The current members who approve requisitions (the approver role anywhere, or named on
    a rule's level): those who may delegate."""
    by_role = RoleAssignment.objects.filter(
        role=Role.APPROVER, membership__company_id=company_id, membership__ended_at__isnull=True
    ).values_list("membership__user_id", flat=True)
    named = LevelApprover.objects.filter(
        level__rule__company_id=company_id, user_id__isnull=False
    ).values_list("user_id", flat=True)
    current = set(
        Membership.objects.filter(company_id=company_id, ended_at__isnull=True).values_list(
            "user_id", flat=True
        )
    )
    return (set(by_role) | set(named)) & current


def standing_of(delegation: Delegation, now: datetime.datetime | None = None) -> str:
    now = now or timezone.now()
    if delegation.revoked_at is not None:
        return "revoked"
    if now < delegation.starts_at:
        return "scheduled"
    if now < delegation.ends_at:
        return "active"
    return "ended"


def _listed(rows: QuerySet[Delegation]) -> list[Delegation]:
    now = timezone.now()
    found = list(rows.select_related("delegator", "delegate").order_by("-starts_at", "-pk"))
    for delegation in found:
        delegation.standing = standing_of(delegation, now)
        delegation.standing_label = STANDING_LABELS[delegation.standing]
    return found


def delegations_of(*, membership: Membership) -> list[Delegation]:
    """The member's delegations, given or received, newest first, each with ``standing``."""
    mine = Q(delegator_id=membership.user_id) | Q(delegate_id=membership.user_id)
    return _listed(Delegation.objects.filter(mine, company_id=membership.company_id))


def company_delegations(*, membership: Membership) -> list[Delegation]:
    """Every delegation of the company, for a company-wide admin."""
    if not selectors.is_company_admin(membership):
        raise DomainError(ProcurementError.ROLE_REQUIRED)
    return _listed(Delegation.objects.filter(company_id=membership.company_id))


def delegation_for(*, membership: Membership, delegation_id: object) -> Delegation:
    """A delegation the member gave or received, or (a company-wide admin) any of the
    company's; else "delegation not found"."""
    found = parse_id(delegation_id)
    rows = Delegation.objects.filter(pk=found, company_id=membership.company_id)
    if not selectors.is_company_admin(membership):
        rows = rows.filter(Q(delegator_id=membership.user_id) | Q(delegate_id=membership.user_id))
    delegation = rows.select_related("delegator", "delegate").first() if found else None
    if delegation is None:
        raise DomainError(ProcurementError.DELEGATION_NOT_FOUND)
    delegation.standing = standing_of(delegation)
    delegation.standing_label = STANDING_LABELS[delegation.standing]
    return delegation
