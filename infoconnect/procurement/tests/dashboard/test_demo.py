"""seed_demo's purchasing: this month's budgets for Design and Operations, and huaxia_buyer's
requisition waiting for huaxia_approver, not added again by a second seed."""

from datetime import date

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse

from infoconnect.messaging.models import Message
from infoconnect.procurement.dashboard_reads import today
from infoconnect.procurement.demo_purchasing import month_bounds
from infoconnect.procurement.models import ApprovalStep, Budget, Company, Requisition

WAITING = "HX-2026-0001"  # the buyer's requisition waiting for approval


def _row_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


@pytest.fixture
def seeded(db):
    call_command("seed_demo")
    first = _row_counts()
    call_command("seed_demo")
    assert _row_counts() == first
    return first


def test_seeding_twice_adds_no_budget_and_no_requisition(seeded):
    assert seeded["procurement.Budget"] == 2
    # The one waiting for approval, the accepted quote's, the invoiced order's and last
    # month's on terms (all three ordered at once: no rule fires under ¥5,000.00).
    assert seeded["procurement.Requisition"] == 4
    assert Requisition.objects.filter(po_number=WAITING).get().lines.count() == 2
    assert seeded["procurement.ApprovalStep"] == 1


def test_design_and_operations_have_this_months_budget(seeded):
    starts_on, ends_on = month_bounds(today())
    assert starts_on.day == 1 and ends_on.day == 1 and ends_on > starts_on
    assert sorted(
        Budget.objects.values_list("department__name", "period", "starts_on", "ends_on", "amount")
    ) == [
        ("Design", "month", starts_on, ends_on, 2_000_000),
        ("Operations", "month", starts_on, ends_on, 1_000_000),
    ]


def test_the_buyers_requisition_waits_for_the_approver(seeded):
    requisition = Requisition.objects.select_related("requester", "department", "ship_to").get(
        po_number=WAITING
    )
    assert requisition.state == Requisition.State.PENDING
    assert requisition.requester.username == "huaxia_buyer"
    assert requisition.department.name == "Design"
    assert requisition.ship_to.department_id == requisition.department_id
    assert requisition.po_number == "HX-2026-0001"
    assert requisition.total == 527_000 > 500_000
    assert len({line.merchant_id for line in requisition.lines.all()}) == 2
    step = requisition.steps.get()
    assert step.state == ApprovalStep.State.WAITING
    assert list(step.assignees.values_list("user__username", flat=True)) == ["huaxia_approver"]
    assert Message.objects.filter(
        conversation__participants__user__username="huaxia_approver",
        attachment_type="requisition",
        attachment_id=requisition.pk,
    ).exists()


def test_the_approver_sees_it_on_the_dashboard(seeded, client):
    company = Company.objects.get()
    requisition = Requisition.objects.get(po_number=WAITING)
    client.login(username="huaxia_approver", password="infoconnect-demo")
    response = client.get(reverse("procurement:dashboard", args=[company.pk]))
    assert response.context["page"].pending == [requisition]
    # Design's budget has spent what the accepted quote's order cost.
    assert "¥2,368.80 of ¥20,000.00 used" in response.content.decode()


def test_month_bounds_cross_the_year():
    assert month_bounds(date(2026, 12, 31)) == (date(2026, 12, 1), date(2027, 1, 1))
