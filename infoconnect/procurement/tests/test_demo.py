"""seed_demo's company: Huaxia Design, verified by the operator, with its admin, buyer and
approver, made through the actions and not added again by a second seed."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone

from infoconnect.core.management.demo import demo_logins
from infoconnect.invoicing.models import Invoice
from infoconnect.procurement import demo, demo_last_month, statement_reads
from infoconnect.procurement.models import (
    Company,
    Membership,
    PaymentTerms,
    PriceList,
    Quote,
    Receivable,
    Requisition,
    RequisitionOrder,
    RoleAssignment,
    Statement,
)
from infoconnect.procurement.statement_reads import due_date, last_closed_month, month_bounds
from infoconnect.procurement.tests.terms.world import balance
from infoconnect.shop.models import Order
from infoconnect.wallet.models import AccountKind


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


def test_last_months_order_on_terms_fills_last_months_statement(seeded):
    company = Company.objects.get()
    requisition = Requisition.objects.get(company=company, po_number=demo_last_month.PO_NUMBER)
    assert (requisition.state, requisition.payment_method) == ("ordered", "on_terms")
    order = Order.objects.get(pk=RequisitionOrder.objects.get(requisition=requisition).order_id)
    month = last_closed_month()
    start, end = month_bounds(month)
    # Four docks at the framework's fixed ¥179.00, placed, shipped and received last month.
    assert (order.state, order.on_terms, order.total) == ("completed", True, 71_600)
    assert start <= order.created_at < order.shipped_at < order.completed_at < end
    assert [event.kind for event in order.events.order_by("pk")] == [
        "placed_on_terms", "shipped", "completed",
    ]  # fmt: skip
    receivable = Receivable.objects.get(order=order)
    assert (receivable.state, receivable.amount, receivable.paid) == ("due", 71_600, 0)
    assert receivable.due_on == timezone.localdate(order.completed_at) + timedelta(days=30)
    terms = PaymentTerms.objects.get(company=company)
    assert terms.outstanding == 71_600
    statement = Statement.objects.get(company=company, month=month)
    assert (statement.orders_total, statement.closing_balance) == (71_600, 71_600)
    assert statement.due_on == due_date(month, 30)
    assert statement_reads.open_to_pay(statement) == 71_600
    (line,) = statement_reads.statement_lines(statement)
    assert (line.po_number, line.quantity, line.amount) == (demo_last_month.PO_NUMBER, 4, 71_600)
    # On the ledger the merchant's receivable and the company's payable moved together.
    assert balance(AccountKind.RECEIVABLE, order.merchant_id) == 71_600
    assert balance(AccountKind.COMPANY_PAYABLE, company.pk) == -71_600


def test_last_months_statement_shows_its_line_to_finance(seeded, client):
    company = Company.objects.get()
    statement = Statement.objects.get(company=company)
    client.login(username="huaxia_finance", password="infoconnect-demo")
    page = client.get(f"/companies/{company.pk}/statements/{statement.pk}/").content.decode()
    assert '<td data-testid="closing"><strong>¥716.00</strong></td>' in page
    assert page.count('data-testid="statement-line"') == 1
    assert "Pay ¥716.00 from the company wallet" in page
