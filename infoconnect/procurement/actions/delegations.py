"""Approvers' delegations: an approver names another current member to approve in their stead
for a dated period (at most 90 days, not in the past); a company-wide admin may set one on an
approver's behalf. The delegator or a company-wide admin revokes it.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from infoconnect.core.errors import DomainError
from infoconnect.core.ids import parse_id
from infoconnect.procurement import delegation_reads, selectors
from infoconnect.procurement.errors import ProcurementError
from infoconnect.procurement.models import Delegation, Membership

if TYPE_CHECKING:
    from infoconnect.accounts.models import User

MAX_LENGTH = datetime.timedelta(days=90)
# A form's "from now" is typed a little before it is sent.
STARTS_GRACE = datetime.timedelta(minutes=15)


def _aware(moment: object) -> datetime.datetime:
    if not isinstance(moment, datetime.datetime):
        raise DomainError(ProcurementError.DELEGATION_INVALID)
    if timezone.is_naive(moment):
        return timezone.make_aware(moment)
    return moment


def _current_member(company_id: int, *, user_id: object = None, username: str = "") -> Membership:
    rows = Membership.objects.select_related("user").filter(
        company_id=company_id, ended_at__isnull=True
    )
    found = parse_id(user_id) if user_id not in (None, "") else None
    name = (username or "").strip().lstrip("@")
    if found is not None:
        membership = rows.filter(user_id=found).first()
    elif name:
        membership = rows.filter(user__username__iexact=name).first()
    else:
        membership = None
    if membership is None:
        raise DomainError(ProcurementError.DELEGATION_INVALID)
    return membership


@transaction.atomic
def create_delegation(
    *,
    user: User,
    company_id: int,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    delegate_user_id: object = None,
    delegate_username: str = "",
    delegator_user_id: object = None,
) -> Delegation:
    """``user`` (or, by a company-wide admin, ``delegator_user_id``) delegates to the member
    named by id or username from ``starts_at`` until ``ends_at``."""
    membership = selectors.require_member(user=user, company_id=company_id)
    if delegator_user_id in (None, "") or parse_id(delegator_user_id) == user.pk:
        delegator = membership
        if not delegation_reads.is_approver(delegator):
            raise DomainError(ProcurementError.ROLE_REQUIRED)
    else:
        if not selectors.is_company_admin(membership):
            raise DomainError(ProcurementError.ROLE_REQUIRED)
        delegator = _current_member(membership.company_id, user_id=delegator_user_id)
        if not delegation_reads.is_approver(delegator):
            raise DomainError(ProcurementError.DELEGATOR_NOT_APPROVER)
    delegate = _current_member(
        membership.company_id, user_id=delegate_user_id, username=delegate_username
    )
    starts_at, ends_at = _aware(starts_at), _aware(ends_at)
    if delegate.user_id == delegator.user_id or ends_at <= starts_at:
        raise DomainError(ProcurementError.DELEGATION_INVALID)
    if starts_at < timezone.now() - STARTS_GRACE:
        raise DomainError(ProcurementError.DELEGATION_IN_PAST)
    if ends_at - starts_at > MAX_LENGTH:
        raise DomainError(ProcurementError.DELEGATION_TOO_LONG)
    return Delegation.objects.create(
        company_id=membership.company_id,
        delegator_id=delegator.user_id,
        delegate_id=delegate.user_id,
        starts_at=starts_at,
        ends_at=ends_at,
    )


@transaction.atomic
def revoke_delegation(*, user: User, company_id: int, delegation_id: object) -> Delegation:
    """End the delegation now (revoking it twice changes nothing)."""
    membership = selectors.require_member(user=user, company_id=company_id)
    delegation = delegation_reads.delegation_for(membership=membership, delegation_id=delegation_id)
    if delegation.delegator_id != user.pk and not selectors.is_company_admin(membership):
        raise DomainError(ProcurementError.ROLE_REQUIRED)
    Delegation.objects.filter(pk=delegation.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    return delegation_reads.delegation_for(membership=membership, delegation_id=delegation.pk)
