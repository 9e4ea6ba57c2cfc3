"""seed_demo's company: Huaxia Design, verified by the operator, with its admin, buyer and
approver, made through the actions and not added again by a second seed."""

import pytest
from django.apps import apps
from django.core.management import call_command

from infoconnect.core.management.demo import demo_logins
from infoconnect.invoicing.models import Invoice
from infoconnect.procurement import demo
from infoconnect.procurement.models import (
    Company,
    Membership,
    PaymentTerms,
    PriceList,
    Quote,
    RoleAssignment,
    Statement,
)


def _row_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


@pytest.fixture
def seeded(db):
    call_command("seed_demo", stdout=None)
    first = _row_counts()
    call_command("seed_demo")
    assert _row_counts() == first
    return first


def test_seed_twice_adds_nothing(seeded):
    assert seeded["procurement.Company"] == 1
    assert seeded["procurement.CompanyReview"] == 1
    assert seeded["procurement.Membership"] == 4
    assert seeded["procurement.RoleAssignment"] == 4
    # Design with its Studio cost centre, and Operations; an address for each department.
    assert seeded["procurement.Department"] == 3
    assert seeded["procurement.ShipToAddress"] == 2


def test_huaxia_design_is_verified_with_its_licence_and_trail(seeded):
    company = Company.objects.get()
    assert (company.legal_name, company.uscc, company.status) == (
        "华夏设计有限公司",
        "91110108551385082Q",
        "verified",
    )
    assert company.licence.name.startswith("companies/licences/")
    assert list(company.reviews.values_list("action", "actor__username")) == [
        ("verify", "operator")
    ]


def test_its_members_hold_their_roles_and_log_in_with_the_demo_password(seeded):
    assert sorted(
        RoleAssignment.objects.values_list("membership__user__username", "role", "department")
    ) == [
        ("huaxia_admin", "admin", None),
        ("huaxia_approver", "approver", None),
        ("huaxia_buyer", "buyer", None),
        ("huaxia_finance", "finance", None),
    ]
    for membership in Membership.objects.select_related("user"):
        assert membership.ended_at is None
        assert membership.user.check_password("infoconnect-demo")
    assert [username for username, *_ in demo.MEMBERS] == [
        "huaxia_admin",
        "huaxia_buyer",
        "huaxia_approver",
        "huaxia_finance",
    ]


def test_the_start_up_banner_lists_the_company_logins():
    logins = demo_logins()
    assert ("Company admin, Huaxia Design", "huaxia_admin") in logins
    assert ("Company buyer, Huaxia Design", "huaxia_buyer") in logins
    assert ("Company approver, Huaxia Design", "huaxia_approver") in logins
    assert ("Company finance, Huaxia Design", "huaxia_finance") in logins
    assert logins[0] == ("Operator (admin)", "operator")


def test_huaxia_buys_from_byte_gadgets_on_its_terms(seeded):
    company = Company.objects.get()
    assert list(
        PriceList.objects.filter(company=company).values_list("merchant__username", "name")
    ) == [("bytegadgets", "2026 framework")]
    terms = PaymentTerms.objects.get(company=company)
    assert (terms.merchant.username, terms.net_days, terms.credit_limit) == (
        "bytegadgets", 30, 5_000_000,
    )  # fmt: skip
    quote = Quote.objects.get(company=company)
    assert quote.state == Quote.State.ACCEPTED
    assert quote.requisition.lines.filter(locked=True).count() == 2
    invoice = Invoice.objects.get(company=company)
    assert (invoice.merchant.username, invoice.kind) == ("bytegadgets", "special")
    assert Statement.objects.filter(company=company, merchant__username="bytegadgets").count() == 1
