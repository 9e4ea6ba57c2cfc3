"""The operator's admin: the company list, the review with its reason and trail, the waived
check, and members and roles to read."""

import re

import pytest
from django.test import Client

from infoconnect.procurement.models import Company, CompanyReview, Membership
from infoconnect.procurement.tests.factories import (
    VALID,
    VALID_2,
    WRONG_CHECK,
    add,
    grant,
    make_company,
    make_department,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def op_client(operator):
    client = Client()
    client.force_login(operator)
    return client


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def change_url(company) -> str:
    return f"/admin/procurement/company/{company.pk}/change/"


def review(client, company, verb, reason=""):
    return client.post(
        f"/admin/procurement/company/{company.pk}/review/",
        {"verb": verb, "review_reason": reason},
        follow=True,
    )


def test_the_list_filters_by_status_and_searches_by_name_or_code(op_client, company, make_user):
    make_company(make_user("other"), name="Other Trading", code=VALID_2)
    page = text(op_client.get("/admin/procurement/company/?status__exact=pending"))
    assert "Huaxia Design" in page and "Other Trading" in page
    assert "Huaxia Design" not in text(
        op_client.get("/admin/procurement/company/?status__exact=verified")
    )
    by_name = text(op_client.get("/admin/procurement/company/?q=huaxia"))
    assert "Huaxia Design" in by_name and "Other Trading" not in by_name
    by_code = text(op_client.get("/admin/procurement/company/?q=9111 0108551385082q"))
    assert "Other Trading" in by_code and "Huaxia Design" not in by_code


def test_the_change_page_offers_the_moves_the_review_allows(op_client, company):
    page = text(op_client.get(change_url(company)))
    assert 'value="verify"' in page and 'value="suspend"' in page
    assert 'value="reinstate"' not in page


def test_verifying_suspending_and_reinstating_with_the_trail_shown(op_client, company, operator):
    page = text(review(op_client, company, "verify"))
    assert "Huaxia Design is now Verified." in page
    assert Company.objects.get().status == "verified"
    page = text(review(op_client, company, "suspend", "Licence expired."))
    assert "Huaxia Design is now Suspended." in page
    assert 'value="reinstate"' in page and 'value="verify"' not in page
    review(op_client, company, "reinstate", "Renewed licence seen.")
    page = text(op_client.get(change_url(company)))
    assert "Licence expired." in page and "Renewed licence seen." in page
    assert list(
        CompanyReview.objects.order_by("pk").values_list("action", "actor__username", "reason")
    ) == [
        ("verify", "op", ""),
        ("suspend", "op", "Licence expired."),
        ("reinstate", "op", "Renewed licence seen."),
    ]


def test_suspending_without_a_reason_is_refused(op_client, company):
    page = text(review(op_client, company, "suspend", "  "))
    assert "Write the reason (up to 1,000 characters)." in page
    assert Company.objects.get().status == "pending"
    assert CompanyReview.objects.count() == 0
    page = text(review(op_client, company, "reinstate"))
    assert "The company&#x27;s review does not allow that now." in page
    assert op_client.get(f"/admin/procurement/company/{company.pk}/review/").status_code == 405


def test_only_staff_reach_the_review(company, admin):
    client = Client()
    client.force_login(admin)
    response = client.post(f"/admin/procurement/company/{company.pk}/review/", {"verb": "verify"})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert Company.objects.get().status == "pending"


def test_the_bulk_verify_action(op_client, company, make_user):
    second = make_company(make_user("other"), name="Other", code=VALID_2)
    response = op_client.post(
        "/admin/procurement/company/",
        {"action": "verify_selected", "_selected_action": [company.pk, second.pk]},
        follow=True,
    )
    assert "2 companies verified." in text(response)
    assert set(Company.objects.values_list("status", flat=True)) == {"verified"}


def test_the_operator_registers_a_code_failing_its_check_with_a_reason(
    op_client, make_user, operator
):
    alice = make_user("alice")
    page = text(op_client.get("/admin/procurement/company/add/"))
    assert "Reason for accepting the code" in page
    response = op_client.post(
        "/admin/procurement/company/add/",
        {
            "legal_name": "Pilot Co.",
            "uscc": WRONG_CHECK,
            "registered_by": "alice",
            "reason": "Pilot code from 2015.",
        },
        follow=True,
    )
    company = Company.objects.get()
    assert (company.uscc_check_waived, company.status, company.registered_by) == (
        True,
        "pending",
        alice,
    )
    page = text(response)
    assert "Pilot Co. registered with its check character waived." in page
    assert "Pilot code from 2015." in page
    assert list(CompanyReview.objects.values_list("action", "actor", "reason")) == [
        ("waive_check", operator.pk, "Pilot code from 2015.")
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"uscc": VALID, "reason": "Why"},
            "This code passes the check: register the company without a waiver.",
        ),
        (
            {"uscc": "91350100M000100I43", "reason": "Why"},
            "Enter a valid 18-character unified social credit code.",
        ),
        ({"uscc": WRONG_CHECK, "reason": ""}, "This field is required."),
        (
            {"uscc": WRONG_CHECK, "reason": "Why", "registered_by": "ghost"},
            "That account does not exist.",
        ),
    ],
)
def test_a_waiver_the_rules_refuse_shows_why(op_client, make_user, data, message):
    make_user("alice")
    body = {"legal_name": "Pilot Co.", "registered_by": "alice", **data}
    response = op_client.post("/admin/procurement/company/add/", body)
    assert response.status_code == 422
    assert message in text(response)
    assert Company.objects.count() == 0


def test_members_and_roles_are_there_to_read(op_client, company, admin, make_user):
    bob = make_user("bob")
    sales = make_department(company, "Sales")
    add(company, admin, bob, "buyer")
    grant(company, admin, bob, "approver", department=sales)
    page = text(op_client.get(change_url(company)))
    assert "Administrator" in page and "Approver (Sales), Buyer" in page
    membership = Membership.objects.get(user=bob)
    listing = text(op_client.get("/admin/procurement/membership/?q=bob"))
    assert "Approver (Sales), Buyer" in listing
    detail = op_client.get(f"/admin/procurement/membership/{membership.pk}/change/")
    assert detail.status_code == 200 and 'name="_save"' not in detail.content.decode()
    assert op_client.get("/admin/procurement/membership/add/").status_code == 403
