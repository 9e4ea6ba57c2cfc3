"""Reads for company purchasing, and the rules of who may see and do what in a company.

Every read of a company's data goes through a membership: a person who is not a current
member gets "not a member" (a 404, so another company's existence is not revealed), and a
role applies over the whole company or over the subtree of the department it was given on.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, Prefetch, Q, QuerySet

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
    ShipToAddress,
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


# --- the organisation: departments, cost centres and their ship-to addresses ----------------
# Every current member reads the whole tree (buyers choose a department and an address from
# it); where an admin may change it is their AdminScope.


@dataclass(frozen=True)
class AdminScope:
    """Where a member may organise: everywhere (a company-wide admin), or the subtrees of the
    departments their admin roles were given on. The same rule as ``holds_role``, answered
    for a whole tree from one query."""

    company_wide: bool
    department_ids: frozenset[int]

    def covers(self, department: Department | None) -> bool:
        """Whether the member may change ``department`` (None: the company's top level)."""
        if self.company_wide:
            return True
        if department is None:
            return False
        return not self.department_ids.isdisjoint(ancestor_ids(department))


def admin_scope(membership: Membership) -> AdminScope:
    given_on = set(
        RoleAssignment.objects.filter(membership=membership, role=Role.ADMIN).values_list(
            "department_id", flat=True
        )
    )
    return AdminScope(
        company_wide=None in given_on,
        department_ids=frozenset(pk for pk in given_on if pk is not None),
    )


def _found(rows: QuerySet, pk: object, error: ProcurementError, *, lock: bool = False):
    """The row of ``rows`` with id ``pk`` (locked for update with ``lock``), or ``error``."""
    found = parse_id(pk)
    if found is not None:
        rows = rows.filter(pk=found)
        found = (rows.select_for_update() if lock else rows).first()
    if found is None:
        raise DomainError(error)
    return found


def department_for(
    *, membership: Membership, department_id: object, lock: bool = False
) -> Department:
    """One of the member's company's departments (locked for update with ``lock``); another
    company's department, or none, is "department not found"."""
    return _found(
        Department.objects.filter(company_id=membership.company_id),
        department_id,
        ProcurementError.DEPARTMENT_NOT_FOUND,
        lock=lock,
    )


def _counted(company_id: int) -> QuerySet[Department]:
    return Department.objects.filter(company_id=company_id).annotate(
        children_count=Count("children", distinct=True),
        ship_to_count=Count("ship_to_addresses", distinct=True),
    )


def tree_order(departments: Iterable[Department]) -> list[Department]:
    """Depth first, each department before its children, siblings in the order they were
    made: the path's ids compared as numbers, so "/2/" comes before "/10/" whatever the
    database's collation says about the strings."""
    return sorted(departments, key=ancestor_ids)


def department_tree(*, membership: Membership, with_addresses: bool = False) -> list[Department]:
    """The company's departments in tree order, each with ``depth``, ``children_count``,
    ``ship_to_count`` and (``with_addresses``) its ship-to addresses prefetched."""
    departments = _counted(membership.company_id).order_by()
    if with_addresses:
        departments = departments.prefetch_related(
            Prefetch("ship_to_addresses", queryset=ShipToAddress.objects.order_by("pk"))
        )
    return tree_order(departments)


def department_summary(*, membership: Membership, department_id: object) -> Department:
    """One department with the counts ``department_tree`` gives each."""
    return _found(
        _counted(membership.company_id), department_id, ProcurementError.DEPARTMENT_NOT_FOUND
    )


def move_targets(
    department: Department, tree: list[Department], scope: AdminScope
) -> list[Department]:
    """Where ``department`` may move, among ``tree``: a department (a cost centre holds
    nothing) outside its own subtree that the member may change, other than where it is."""
    return [
        other
        for other in tree
        if other.kind == Department.Kind.DEPARTMENT
        and not other.path.startswith(department.path)
        and other.pk != department.parent_id
        and scope.covers(other)
    ]


@dataclass
class Organisation:
    """The organisation page's reads: the tree, with what this member may change in it.

    Each department carries ``trail`` (its ancestors' names and its own), ``manageable`` (the
    member may change it) and, when it is, ``move_targets`` and ``can_move_to_top_level``."""

    company: Company
    departments: list[Department]
    scope: AdminScope

    @property
    def can_add_top_level(self) -> bool:
        return self.scope.company_wide

    @property
    def can_manage(self) -> bool:
        return self.scope.company_wide or bool(self.scope.department_ids)


def organisation(*, membership: Membership) -> Organisation:
    scope = admin_scope(membership)
    tree = department_tree(membership=membership, with_addresses=True)
    names = {department.pk: department.name for department in tree}
    for department in tree:
        # "Design › UX": where it is, for the lists that choose a department.
        department.trail = " › ".join(names[pk] for pk in ancestor_ids(department) if pk in names)
        department.manageable = scope.covers(department)
        department.move_targets = (
            move_targets(department, tree, scope) if department.manageable else []
        )
        department.can_move_to_top_level = scope.company_wide and department.parent_id is not None
    return Organisation(company=membership.company, departments=tree, scope=scope)


def ship_to_addresses(*, membership: Membership, department_id: object) -> list[ShipToAddress]:
    department = department_for(membership=membership, department_id=department_id)
    return list(department.ship_to_addresses.order_by("pk"))


def ship_to_for(*, department: Department, address_id: object, lock: bool = False) -> ShipToAddress:
    """One of ``department``'s ship-to addresses (locked for update with ``lock``)."""
    return _found(
        ShipToAddress.objects.filter(department_id=department.pk),
        address_id,
        ProcurementError.ADDRESS_NOT_FOUND,
        lock=lock,
    )
