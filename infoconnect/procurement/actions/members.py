"""A company's members and their roles: added by an administrator, removed or leaving.

Ending a membership keeps its row (``ended_at``, ``ended_by``) and the roles it held, so the
history stays; someone added again gets a new membership. Every change takes the company's
row lock first, so the company always keeps at least one current administrator over the whole
company, however many of them leave or are demoted at once.
"""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from infoconnect.accounts.models import User
from infoconnect.accounts.selectors import get_user_by_username
from infoconnect.core.errors import DomainError
from infoconnect.messaging import actions as messaging
from infoconnect.procurement.actions.companies import lock_company
from infoconnect.procurement.errors import ProcurementError
from infoconnect.procurement.models import Department, Membership, Role, RoleAssignment
from infoconnect.procurement.selectors import (
    company_department,
    current_membership,
    member_of,
    require_member,
    require_role,
)

logger = logging.getLogger(__name__)


def admin_membership(
    *, user: User, company_id: int, department: Department | None = None
) -> Membership:
    """The user's membership if they administer the company (or ``department``'s subtree),
    checked again under the company's lock so an administrator removed meanwhile is refused.
    Strangers are refused before anything is locked."""
    require_role(user=user, company_id=company_id, role=Role.ADMIN, department=department)
    lock_company(company_id)
    return require_role(user=user, company_id=company_id, role=Role.ADMIN, department=department)


def is_last_admin(membership: Membership) -> bool:
    """Whether no other current member administers the whole company."""
    company_admin = RoleAssignment.objects.filter(
        membership__company_id=membership.company_id, role=Role.ADMIN, department__isnull=True
    )
    if not company_admin.filter(membership=membership).exists():
        return False
    return (
        not company_admin.filter(membership__ended_at__isnull=True)
        .exclude(membership=membership)
        .exists()
    )


@transaction.atomic
def add_member(
    *, admin_user: User, company_id: int, username: str, tell: bool = True
) -> Membership:
    """Add an existing active account by username; the person is told by a private message
    from the administrator when they accept one (their message settings and blocks apply).
    ``tell=False`` is for people who know already (the demo's, seeded together)."""
    admin = admin_membership(user=admin_user, company_id=company_id)
    person = get_user_by_username(username=str(username or "").strip().removeprefix("@"))
    if current_membership(user=person, company_id=company_id) is not None:
        raise DomainError(ProcurementError.ALREADY_A_MEMBER)
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                company_id=company_id, user=person, invited_by=admin_user
            )
    except IntegrityError:
        raise DomainError(ProcurementError.ALREADY_A_MEMBER) from None
    membership.company = admin.company
    if tell:
        tell_new_member(admin_user=admin_user, membership=membership)
    return membership


def tell_new_member(*, admin_user: User, membership: Membership) -> None:
    body = gettext(
        "I have added you to %(company)s on InfoConnect. You can act for it from the menu at "
        "the top of the page, or leave it on its page under Companies."
    ) % {"company": membership.company.legal_name}
    try:
        messaging.send_message(sender=admin_user, recipient_id=membership.user_id, body=body)
    except DomainError as refused:
        # The membership stands; the person finds the company under Companies.
        logger.info("Not messaging new member %s: %s", membership.user_id, refused.code)


def _end(membership: Membership, *, by: User) -> Membership:
    if is_last_admin(membership):
        raise DomainError(ProcurementError.LAST_ADMIN)
    now = timezone.now()
    ended = Membership.objects.filter(pk=membership.pk, ended_at__isnull=True).update(
        ended_at=now, ended_by=by
    )
    if not ended:
        raise DomainError(ProcurementError.MEMBER_NOT_FOUND)
    membership.ended_at, membership.ended_by = now, by
    return membership


@transaction.atomic
def remove_member(*, admin_user: User, company_id: int, member_user_id: int) -> Membership:
    """End someone's membership; it and the roles it held stay as history."""
    admin_membership(user=admin_user, company_id=company_id)
    return _end(member_of(company_id=company_id, user_id=member_user_id), by=admin_user)


@transaction.atomic
def leave_company(*, user: User, company_id: int) -> Membership:
    require_member(user=user, company_id=company_id)
    lock_company(company_id)
    return _end(require_member(user=user, company_id=company_id), by=user)


def clean_role(role: object) -> str:
    if role not in Role.values:
        raise DomainError(ProcurementError.INVALID_ROLE)
    return str(role)


def _scope(*, user: User, company_id: int, role: object, department_id: object):
    role = clean_role(role)
    # Strangers hear "not a member" before anything about the company's departments.
    require_member(user=user, company_id=company_id)
    department = company_department(company_id=company_id, department_id=department_id)
    # An administrator of a subtree manages roles within it; of the company, anywhere.
    admin_membership(user=user, company_id=company_id, department=department)
    return role, department


@transaction.atomic
def grant_role(
    *,
    admin_user: User,
    company_id: int,
    member_user_id: int,
    role: str,
    department_id: int | None = None,
) -> RoleAssignment:
    """Give a member a role over the whole company or over a department's subtree."""
    role, department = _scope(
        user=admin_user, company_id=company_id, role=role, department_id=department_id
    )
    membership = member_of(company_id=company_id, user_id=member_user_id)
    held = RoleAssignment.objects.filter(membership=membership, role=role, department=department)
    if held.exists():
        raise DomainError(ProcurementError.ROLE_ALREADY_HELD)
    try:
        with transaction.atomic():
            return RoleAssignment.objects.create(
                membership=membership, role=role, department=department, granted_by=admin_user
            )
    except IntegrityError:
        raise DomainError(ProcurementError.ROLE_ALREADY_HELD) from None


@transaction.atomic
def revoke_role(
    *,
    admin_user: User,
    company_id: int,
    member_user_id: int,
    role: str,
    department_id: int | None = None,
) -> None:
    """Take a role back; the last administrator of the whole company keeps theirs."""
    role, department = _scope(
        user=admin_user, company_id=company_id, role=role, department_id=department_id
    )
    membership = member_of(company_id=company_id, user_id=member_user_id)
    if role == Role.ADMIN and department is None and is_last_admin(membership):
        raise DomainError(ProcurementError.LAST_ADMIN)
    deleted, _rows = RoleAssignment.objects.filter(
        membership=membership, role=role, department=department
    ).delete()
    if not deleted:
        raise DomainError(ProcurementError.ROLE_NOT_HELD)
