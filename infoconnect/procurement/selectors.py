"""Reads for company purchasing, and the rules of who may see and do what in a company.

Every read of a company's data goes through a membership: a person who is not a current
member gets "not a member" (a 404, so another company's existence is not revealed), and a
role applies over the whole company or over the subtree of the department it was given on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Prefetch, Q

from infoconnect.core.errors import DomainError
from infoconnect.core.ids import is_id, parse_id
from infoconnect.procurement.errors import ProcurementError
from infoconnect.procurement.models import (
    Company,
    CompanyReview,
    Department,
    Membership,
    Role,
    RoleAssignment,
)

if TYPE_CHECKING:
    from infoconnect.accounts.models import User


def current_membership(*, user: User, company_id: object) -> Membership | None:
    if not (user.is_authenticated and is_id(company_id)):
        return None
    return (
        Membership.objects.select_related("company")
        .filter(company_id=company_id, user_id=user.pk, ended_at__isnull=True)
        .first()
    )


def require_member(*, user: User, company_id: object) -> Membership:
    membership = current_membership(user=user, company_id=company_id)
    if membership is None:
        raise DomainError(ProcurementError.NOT_A_MEMBER)
    return membership


def ancestor_ids(department: Department) -> list[int]:
    """The department's own id and its ancestors' ids, from its materialized path."""
    return [int(part) for part in department.path.strip("/").split("/") if part]


def holds_role(membership: Membership, role: str, department: Department | None = None) -> bool:
    """Whether the member holds ``role`` over the whole company, or (with ``department``) over
    that department through it or one of its ancestors."""
    scope = Q(department__isnull=True)
    if department is not None:
        scope |= Q(department_id__in=ancestor_ids(department))
    return RoleAssignment.objects.filter(scope, membership=membership, role=role).exists()


def require_role(
    *, user: User, company_id: object, role: str, department: Department | None = None
) -> Membership:
    """The user's current membership if it holds ``role`` (over ``department``); an admin of
    the whole company may do everything an admin may do anywhere in it."""
    membership = require_member(user=user, company_id=company_id)
    if not holds_role(membership, role, department):
        raise DomainError(ProcurementError.ROLE_REQUIRED)
    return membership


def roles_of(membership: Membership) -> list[RoleAssignment]:
    return list(membership.roles.select_related("department").order_by("role", "department__path"))


def companies_of(*, user: User) -> list[Company]:
    """The companies the person is a current member of."""
    if not user.is_authenticated:
        return []
    return list(
        Company.objects.filter(
            memberships__user_id=user.pk, memberships__ended_at__isnull=True
        ).order_by("legal_name", "pk")
    )


def is_company_admin(membership: Membership) -> bool:
    return holds_role(membership, Role.ADMIN)


# --- companies and members as their pages and the API show them -----------------------------


def company_for(*, user: User, company_id: object) -> Company:
    """The company, for one of its current members (else ``not_a_member``)."""
    return require_member(user=user, company_id=company_id).company


def current_members(*, company: Company) -> list[Membership]:
    """The company's current members with their roles (and their departments), by username."""
    return list(
        Membership.objects.filter(company=company, ended_at__isnull=True)
        .select_related("user")
        .prefetch_related(
            Prefetch(
                "roles",
                queryset=RoleAssignment.objects.select_related("department").order_by(
                    "role", "department__path"
                ),
            )
        )
        .order_by("user__username")
    )


def review_trail(*, company: Company) -> list[CompanyReview]:
    """Every audited change of the company's review, newest first."""
    return list(company.reviews.select_related("actor").order_by("-created_at", "-pk"))


def suspension_reason(*, company: Company) -> str:
    """What the operator wrote when suspending the company ("" unless it is suspended)."""
    if company.status != Company.Status.SUSPENDED:
        return ""
    review = company.reviews.filter(action=CompanyReview.Action.SUSPEND).order_by("-pk").first()
    return review.reason if review else ""


def acting_company(*, user: User, company_id: object) -> Company | None:
    """The company the person acts for, if they are still one of its members."""
    membership = current_membership(user=user, company_id=company_id)
    return membership.company if membership else None


def departments_of(*, company: Company) -> list[Department]:
    """The company's departments and cost centres in tree order."""
    return list(Department.objects.filter(company=company).order_by("path", "pk"))


def member_of(*, company_id: int, user_id: object) -> Membership:
    """The current membership of ``user_id`` in the company, or ``member_not_found``."""
    found = parse_id(user_id)
    membership = (
        Membership.objects.select_related("user")
        .filter(company_id=company_id, user_id=found, ended_at__isnull=True)
        .first()
        if found
        else None
    )
    if membership is None:
        raise DomainError(ProcurementError.MEMBER_NOT_FOUND)
    return membership


def company_department(*, company_id: int, department_id: object) -> Department | None:
    """None for the whole company; otherwise one of this company's departments."""
    if department_id in (None, ""):
        return None
    found = parse_id(department_id)
    department = (
        Department.objects.filter(pk=found, company_id=company_id).first() if found else None
    )
    if department is None:
        raise DomainError(ProcurementError.DEPARTMENT_NOT_FOUND)
    return department
