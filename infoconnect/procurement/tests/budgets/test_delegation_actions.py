"""Delegations: an approver (by role or named on a rule's level) names a current member for a
period of at most 90 days, not in the past; a company-wide admin may on an approver's behalf;
the delegator or a company-wide admin revokes; ``active_delegations`` says who stands in."""

import datetime

import pytest
from django.utils import timezone

from infoconnect.core.errors import DomainError
from infoconnect.procurement import delegation_reads
from infoconnect.procurement.actions import delegations
from infoconnect.procurement.models import (
    ApprovalLevel,
    ApprovalRule,
    Delegation,
    LevelApprover,
    Membership,
    Role,
)
from infoconnect.procurement.tests.budgets.conftest import remove, snapshot

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


def _delegate(user, company, delegate, *, starts=None, ends=None, **kwargs):
    starts = starts or timezone.now() + HOUR
    return delegations.create_delegation(
        user=user,
        company_id=company.pk,
        delegate_user_id=delegate.pk if delegate is not None else None,
        starts_at=starts,
        ends_at=ends or starts + 7 * DAY,
        **kwargs,
    )


def _refused(code: str, work) -> None:
    before = snapshot()
    with pytest.raises(DomainError) as refused:
        work()
    assert refused.value.code == code
    assert snapshot() == before


def test_an_approver_delegates_and_the_delegate_stands_in(company, member):
    sun = member(role=Role.APPROVER, username="sun")
    li = member(role=Role.BUYER, username="li")
    starts = timezone.now() + HOUR
    delegation = _delegate(sun, company, li, starts=starts, ends=starts + 2 * DAY)
    assert (delegation.delegator, delegation.delegate, delegation.revoked_at) == (sun, li, None)

    def standing_in(at):
        return delegation_reads.active_delegations(company_id=company.pk, user_id=sun.pk, at=at)

    assert standing_in(starts - datetime.timedelta(seconds=1)) == []
    assert standing_in(starts) == [li.pk]
    assert standing_in(starts + 2 * DAY - datetime.timedelta(seconds=1)) == [li.pk]
    assert standing_in(starts + 2 * DAY) == []
    # Nobody stands in for the delegate: it does not pass on.
    assert (
        delegation_reads.active_delegations(company_id=company.pk, user_id=li.pk, at=starts + HOUR)
        == []
    )


def test_a_member_named_on_a_level_delegates_by_username(company, company_admin, member):
    named = member(role=Role.VIEWER, username="named")
    li = member(role=Role.BUYER, username="li")
    rule = ApprovalRule.objects.create(company=company, name="All", position=1)
    level = ApprovalLevel.objects.create(rule=rule, position=1)
    LevelApprover.objects.create(level=level, user=named)
    delegation = delegations.create_delegation(
        user=named,
        company_id=company.pk,
        delegate_username="@LI",
        starts_at=timezone.now(),
        ends_at=timezone.now() + DAY,
    )
    assert delegation.delegate == li


def test_a_naive_moment_is_the_companys_local_time(company, member):
    sun = member(role=Role.APPROVER)
    li = member(role=Role.BUYER)
    tomorrow = timezone.localtime().replace(tzinfo=None, microsecond=0) + DAY
    delegation = _delegate(sun, company, li, starts=tomorrow, ends=tomorrow + DAY)
    assert timezone.localtime(delegation.starts_at).replace(tzinfo=None) == tomorrow


@pytest.mark.parametrize("role", [Role.VIEWER, Role.BUYER, Role.FINANCE, None])
def test_who_does_not_approve_does_not_delegate(company, member, role):
    someone = member(role=role)
    li = member(role=Role.BUYER)
    _refused("role_required", lambda: _delegate(someone, company, li))


def test_a_removed_member_or_another_company_is_not_a_member(
    company, member, other_member, other_company
):
    sun = member(role=Role.APPROVER)
    li = member(role=Role.BUYER)
    remove(Membership.objects.get(user=sun))
    _refused("not_a_member", lambda: _delegate(sun, company, li))
    _refused("not_a_member", lambda: _delegate(other_member, company, li))


def test_bad_input_writes_nothing(company, member, other_member):
    sun = member(role=Role.APPROVER)
    li = member(role=Role.BUYER)
    gone = member(role=Role.BUYER)
    remove(Membership.objects.get(user=gone))
    now = timezone.now()
    cases = [
        ("delegation_invalid", dict(delegate=sun)),
        ("delegation_invalid", dict(delegate=gone)),
        ("delegation_invalid", dict(delegate=other_member)),
        ("delegation_invalid", dict(delegate=None)),
        ("delegation_invalid", dict(delegate=li, starts=now + DAY, ends=now + DAY)),
        ("delegation_invalid", dict(delegate=li, starts=now + DAY, ends=now + HOUR)),
        ("delegation_invalid", dict(delegate=li, starts="tomorrow", ends=now + DAY)),
        ("delegation_in_past", dict(delegate=li, starts=now - HOUR, ends=now + DAY)),
        ("delegation_too_long", dict(delegate=li, starts=now + HOUR, ends=now + HOUR + 91 * DAY)),
    ]
    for code, case in cases:
        delegate = case.pop("delegate")
        _refused(code, lambda: _delegate(sun, company, delegate, **case))  # noqa: B023
    assert _delegate(sun, company, li, starts=now + HOUR, ends=now + HOUR + 90 * DAY)


def test_an_admin_delegates_for_an_approver(company, company_admin, member):
    sun = member(role=Role.APPROVER, username="sun")
    li = member(role=Role.BUYER, username="li")
    delegation = _delegate(company_admin, company, li, delegator_user_id=sun.pk)
    assert (delegation.delegator, delegation.delegate) == (sun, li)
    _refused(
        "delegator_not_approver",
        lambda: _delegate(company_admin, company, sun, delegator_user_id=li.pk),
    )
    _refused(
        "delegation_invalid",
        lambda: _delegate(company_admin, company, li, delegator_user_id=999_999),
    )


def test_only_a_company_wide_admin_delegates_for_another(company, member, design):
    sun = member(role=Role.APPROVER)
    li = member(role=Role.BUYER)
    other_approver = member(role=Role.APPROVER)
    design_admin = member(role=Role.ADMIN, department=design)
    for someone in (other_approver, design_admin):
        _refused(
            "role_required",
            lambda: _delegate(someone, company, li, delegator_user_id=sun.pk),  # noqa: B023
        )


def _revoke(user, company, delegation):
    return delegations.revoke_delegation(
        user=user, company_id=company.pk, delegation_id=delegation.pk
    )


def test_the_delegator_revokes_and_the_stand_in_stops(company, member):
    sun = member(role=Role.APPROVER)
    li = member(role=Role.BUYER)
    delegation = _delegate(sun, company, li, starts=timezone.now())
    revoked = _revoke(sun, company, delegation)
    assert revoked.revoked_at is not None
    assert revoked.standing == "revoked"
    at = timezone.now()
    assert delegation_reads.active_delegations(company_id=company.pk, user_id=sun.pk, at=at) == []
    # Again: nothing changes.
    assert _revoke(sun, company, delegation).revoked_at == revoked.revoked_at


def test_a_company_wide_admin_revokes_anyones(company, company_admin, member):
    sun = member(role=Role.APPROVER)
    delegation = _delegate(sun, company, member(role=Role.BUYER))
    assert _revoke(company_admin, company, delegation).revoked_at is not None


def test_who_may_not_revoke(company, member, other_member, design):
    sun = member(role=Role.APPROVER)
    li = member(role=Role.BUYER)
    delegation = _delegate(sun, company, li)
    # The stand-in sees it but does not end it; others do not see it.
    _refused("role_required", lambda: _revoke(li, company, delegation))
    for someone in (member(role=Role.APPROVER), member(role=Role.ADMIN, department=design)):
        _refused("delegation_not_found", lambda: _revoke(someone, company, delegation))  # noqa: B023
    _refused("not_a_member", lambda: _revoke(other_member, company, delegation))
    remove(Membership.objects.get(user=sun))
    _refused("not_a_member", lambda: _revoke(sun, company, delegation))
    assert Delegation.objects.get().revoked_at is None


def test_a_removed_delegate_no_longer_stands_in(company, member):
    sun = member(role=Role.APPROVER)
    li = member(role=Role.BUYER)
    delegation = _delegate(sun, company, li, starts=timezone.now())
    at = delegation.starts_at + HOUR
    assert delegation_reads.active_delegations(company_id=company.pk, user_id=sun.pk, at=at) == [
        li.pk
    ]
    remove(Membership.objects.get(user=li))
    assert delegation_reads.active_delegations(company_id=company.pk, user_id=sun.pk, at=at) == []


def test_the_lists(company, company_admin, member):
    sun = member(role=Role.APPROVER, username="sun")
    li = member(role=Role.BUYER, username="li")
    wu = member(role=Role.APPROVER, username="wu")
    given = _delegate(sun, company, li, starts=timezone.now() + DAY)
    other = _delegate(wu, company, company_admin, starts=timezone.now() + 2 * DAY)

    def listed(user):
        membership = Membership.objects.get(company=company, user=user)
        return delegation_reads.delegations_of(membership=membership)

    assert listed(sun) == [given]
    assert listed(li) == [given]
    assert listed(sun)[0].standing == "scheduled"
    admin = Membership.objects.get(company=company, user=company_admin)
    assert delegation_reads.company_delegations(membership=admin) == [other, given]
    with pytest.raises(DomainError) as refused:
        delegation_reads.company_delegations(membership=Membership.objects.get(user=sun))
    assert refused.value.code == "role_required"
