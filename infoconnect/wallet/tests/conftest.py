"""Fixtures of the company wallet tests: a verified company with a finance member, an admin,
a buyer and a viewer; another company; an operator."""

from dataclasses import dataclass

import pytest

from infoconnect.accounts.models import User
from infoconnect.procurement.actions import companies, members
from infoconnect.procurement.models import Company, Role
from infoconnect.procurement.tests.factories import VALID, VALID_2, add


@dataclass
class Firm:
    company: Company
    admin: User
    finance: User
    buyer: User
    viewer: User


def make_firm(make_user, operator, *, prefix: str = "", code: str = VALID) -> Firm:
    admin = make_user(f"{prefix}boss")
    company = companies.register_company(user=admin, legal_name=f"{prefix}Huaxia", uscc=code)
    company = companies.verify_company(operator=operator, company_id=company.pk)
    finance = make_user(f"{prefix}fin")
    buyer = make_user(f"{prefix}buy")
    viewer = make_user(f"{prefix}view")
    add(company, admin, finance, Role.FINANCE)
    add(company, admin, buyer, Role.BUYER)
    add(company, admin, viewer, Role.VIEWER)
    return Firm(company, admin, finance, buyer, viewer)


@pytest.fixture
def operator(make_user):
    return make_user("op", is_staff=True, is_superuser=True)


@pytest.fixture
def firm(make_user, operator) -> Firm:
    return make_firm(make_user, operator)


@pytest.fixture
def other_firm(make_user, operator) -> Firm:
    return make_firm(make_user, operator, prefix="o", code=VALID_2)


def remove(firm: Firm, person: User) -> None:
    members.remove_member(
        admin_user=firm.admin, company_id=firm.company.pk, member_user_id=person.pk
    )
