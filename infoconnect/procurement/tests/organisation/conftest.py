"""Company test fixtures, made directly with the ORM: a verified company with its company-wide
admin, members with a role (over the company or a department), and another company with a
member of its own.

    company_admin                      # the company's first admin, over the whole company
    member(role=Role.VIEWER)           # a new member holding one role
    member(role=Role.ADMIN, department=design)   # an admin of Design's subtree
    other_member                       # an admin of another company
"""

from __future__ import annotations

import itertools

import pytest
from django.utils import timezone

from infoconnect.procurement.models import (
    Company,
    Department,
    Membership,
    Role,
    RoleAssignment,
    ShipToAddress,
)

USCC = "91350100M000100Y43"
OTHER_USCC = "91110108551385082Q"

SHIP_TO = {
    "label": "Front desk",
    "recipient_name": "Wang Fang",
    "province": "SH",
    "city": "Shanghai",
    "district": "Xuhui",
    "street": "1200 Caoxi North Road",
    "mobile": "13912345678",
}


def make_company(registered_by, *, legal_name="Huaxia Design Co.", uscc=USCC, **fields) -> Company:
    fields.setdefault("status", Company.Status.VERIFIED)
    if fields["status"] == Company.Status.VERIFIED:
        fields.setdefault("verified_at", timezone.now())
    return Company.objects.create(
        legal_name=legal_name, uscc=uscc, registered_by=registered_by, **fields
    )


def join(company, user, *, role: str | None = None, department=None) -> Membership:
    """Make ``user`` a current member, holding ``role`` (over ``department``, or the company)."""
    membership, _ = Membership.objects.get_or_create(
        company=company, user=user, ended_at=None, defaults={"invited_by": company.registered_by}
    )
    if role is not None:
        RoleAssignment.objects.create(membership=membership, role=role, department=department)
    return membership


def remove(membership: Membership) -> None:
    """End a membership as an admin's removal does: the row (and its roles) stay."""
    Membership.objects.filter(pk=membership.pk).update(ended_at=timezone.now())


def make_department(company, name, *, parent=None, kind=Department.Kind.DEPARTMENT, code=""):
    """A department row with its path, for tests that need a tree without the action."""
    department = Department.objects.create(
        company=company, parent=parent, name=name, kind=kind, code=code
    )
    department.path = f"{parent.path if parent else '/'}{department.pk}/"
    department.save(update_fields=["path"])
    return department


def make_ship_to(department, **overrides) -> ShipToAddress:
    return ShipToAddress.objects.create(department=department, **{**SHIP_TO, **overrides})


def rows() -> list:
    """Everything the organisation's writes can touch, to prove a refusal changed nothing."""
    return [
        list(Department.objects.order_by("pk").values()),
        list(ShipToAddress.objects.order_by("pk").values()),
        list(RoleAssignment.objects.order_by("pk").values()),
    ]


@pytest.fixture
def company(make_user):
    """A verified company; its registrant is ``company_admin``."""
    return make_company(make_user("zhang"))


@pytest.fixture
def company_admin(company):
    join(company, company.registered_by, role=Role.ADMIN)
    return company.registered_by


@pytest.fixture
def member(company, make_user):
    """member(role=Role.BUYER, department=None, username=None) -> a new member of ``company``."""
    numbers = itertools.count(1)

    def make(*, role: str | None = Role.VIEWER, department=None, username: str | None = None):
        user = make_user(username or f"member{next(numbers)}")
        join(company, user, role=role, department=department)
        return user

    return make


@pytest.fixture
def other_company(make_user):
    return make_company(make_user("li"), legal_name="Beijing Paper Works", uscc=OTHER_USCC)


@pytest.fixture
def other_member(other_company):
    """Another company's company-wide admin: an admin, but not of ``company``."""
    join(other_company, other_company.registered_by, role=Role.ADMIN)
    return other_company.registered_by
