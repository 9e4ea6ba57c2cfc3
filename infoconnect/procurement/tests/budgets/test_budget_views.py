"""The budgets, delegations and purchasing settings pages: what each member sees, the admin's
forms, a refused form shown again with its error at its status, and the company page's
links."""

import datetime

import pytest
from django.utils import timezone

from infoconnect.procurement.models import Budget, Company, Delegation, Membership, Role
from infoconnect.procurement.tests.budgets.conftest import charge, make_budget, remove, snapshot

pytestmark = pytest.mark.django_db


def _url(company, suffix=""):
    return f"/companies/{company.pk}/{suffix}"


def _page(client, company, query=""):
    response = client.get(_url(company, "budgets/") + query)
    assert response.status_code == 200
    return response.content.decode()


def test_the_board_shows_each_departments_bar(client, company, company_admin, member, design, ux):
    budget = make_budget(design, amount=2_000_000)
    charge(budget, member(role=Role.BUYER), committed=300_000, spent=200_050)
    Budget.objects.filter(pk=budget.pk).update(over_approved=10_000)
    client.force_login(company_admin)
    page = _page(client, company)
    assert "¥5,000.50 of ¥20,000.00 used" in page
    assert 'aria-valuenow="500050"' in page
    assert 'aria-valuemax="2000000"' in page
    assert "Committed ¥3,000.00, spent ¥2,000.50, ¥15,099.50 remaining." in page
    assert "Over-budget approvals allowed ¥100.00 beyond the budget." in page
    assert "Design › UX" in page
    assert "No budget for this period." in page  # UX's row
    assert "Add budget" in page and "Delete budget" in page


def test_another_period_by_its_day(client, company, company_admin, design):
    make_budget(design, amount=500_000, period="quarter", starts_on=datetime.date(2026, 5, 5))
    client.force_login(company_admin)
    page = _page(client, company, "?period=quarter&on=2026-06-30")
    assert "Quarter from 2026-04-01 to 2026-06-30" in page
    assert "¥0.00 of ¥5,000.00 used" in page
    assert "¥5,000.00" not in _page(client, company, "?period=month&on=2026-06-30")
    # A day that is not one: today's month.
    today = timezone.localdate()
    assert f"Month from {today.replace(day=1):%Y-%m-%d}" in _page(client, company, "?on=x")


def test_a_viewer_reads_without_the_forms(client, company, company_admin, member, design):
    make_budget(design)
    client.force_login(member(role=Role.VIEWER))
    page = _page(client, company)
    assert "¥0.00 of ¥20,000.00 used" in page
    assert "Save budget" not in page and "Add budget" not in page


def test_a_department_admin_manages_their_subtree_only(client, company, member, design, sales):
    client.force_login(member(role=Role.ADMIN, department=design))
    page = _page(client, company)
    assert page.count('data-testid="add-budget"') == 1
    assert "Sales" not in page


def test_an_admin_adds_changes_and_deletes(client, company, company_admin, design):
    client.force_login(company_admin)
    today = timezone.localdate()
    form = {"department": design.pk, "period": "month", "on": today.isoformat(), "amount": "20000"}
    response = client.post(_url(company, "budgets/new/"), form, follow=True)
    assert "Budget added." in response.content.decode()
    budget = Budget.objects.get()
    assert (budget.amount, budget.starts_on) == (2_000_000, today.replace(day=1))
    assert "¥0.00 of ¥20,000.00 used" in response.content.decode()

    response = client.post(
        _url(company, f"budgets/{budget.pk}/"), {**form, "amount": "¥25,000.50"}, follow=True
    )
    assert "Budget saved." in response.content.decode()
    assert Budget.objects.get().amount == 2_500_050

    response = client.post(_url(company, f"budgets/{budget.pk}/delete/"), form, follow=True)
    assert "Budget deleted." in response.content.decode()
    assert not Budget.objects.exists()


def test_a_refused_budget_form_shows_why(client, company, company_admin, member, design):
    client.force_login(company_admin)
    form = {"department": design.pk, "period": "month", "on": "2026-08-01", "amount": "twenty"}
    before = snapshot()
    response = client.post(_url(company, "budgets/new/"), form)
    assert response.status_code == 422
    page = response.content.decode()
    assert "an amount of at least ¥0.01" in page
    assert 'value="twenty"' in page
    budget = make_budget(design, amount=1_000_000, starts_on=datetime.date(2026, 8, 1))
    charge(budget, member(role=Role.BUYER), committed=600_000)
    before = snapshot()
    response = client.post(_url(company, f"budgets/{budget.pk}/"), {**form, "amount": "5000"})
    assert response.status_code == 409
    assert "less than what is already committed and spent" in response.content.decode()
    response = client.post(_url(company, f"budgets/{budget.pk}/delete/"), form)
    assert response.status_code == 409
    assert "Requisitions have already charged this budget" in response.content.decode()
    assert snapshot() == before


def test_who_may_not_write_budgets(client, company, member, other_member, design):
    form = {"department": design.pk, "period": "month", "on": "2026-08-01", "amount": "100"}
    for user, status in [(member(role=Role.BUYER), 403), (other_member, 404)]:
        client.force_login(user)
        assert client.post(_url(company, "budgets/new/"), form).status_code == status
    former = member(role=Role.ADMIN)
    remove(Membership.objects.get(user=former))
    client.force_login(former)
    assert client.get(_url(company, "budgets/")).status_code == 404
    assert client.post(_url(company, "budgets/new/"), form).status_code == 404
    assert not Budget.objects.exists()


def test_the_company_page_links(client, company, company_admin, member):
    client.force_login(member(role=Role.VIEWER))
    page = client.get(_url(company)).content.decode()
    assert f'href="/companies/{company.pk}/budgets/"' in page
    assert f'href="/companies/{company.pk}/delegations/"' in page
    assert f'href="/companies/{company.pk}/settings/"' in page


def _moment(at):
    return timezone.localtime(at).strftime("%Y-%m-%dT%H:%M")


def test_an_approver_delegates_and_revokes(client, company, member):
    sun = member(role=Role.APPROVER, username="sun")
    member(role=Role.BUYER, username="chen")
    client.force_login(sun)
    page = client.get(_url(company, "delegations/")).content.decode()
    assert "You have not delegated, and no one has delegated to you." in page
    starts = timezone.now() + datetime.timedelta(days=1)
    form = {
        "delegate": "chen",
        "starts_at": _moment(starts),
        "ends_at": _moment(starts + datetime.timedelta(days=3)),
    }
    response = client.post(_url(company, "delegations/new/"), form, follow=True)
    page = response.content.decode()
    assert "Delegation set." in page
    assert "@chen" in page and "Scheduled" in page
    delegation = Delegation.objects.get()
    response = client.post(_url(company, f"delegations/{delegation.pk}/revoke/"), follow=True)
    assert "Delegation revoked." in response.content.decode()
    assert Delegation.objects.get().revoked_at is not None


def test_a_refused_delegation_shows_why(client, company, member):
    sun = member(role=Role.APPROVER)
    member(role=Role.BUYER, username="chen")
    client.force_login(sun)
    starts = timezone.now() + datetime.timedelta(days=1)
    form = {
        "delegate": "chen",
        "starts_at": _moment(starts),
        "ends_at": _moment(starts + datetime.timedelta(days=100)),
    }
    response = client.post(_url(company, "delegations/new/"), form)
    assert response.status_code == 422
    assert "A delegation lasts at most 90 days." in response.content.decode()
    response = client.post(_url(company, "delegations/new/"), {**form, "ends_at": "later"})
    assert response.status_code == 422
    assert not Delegation.objects.exists()


def test_a_buyer_has_no_delegation_form(client, company, member):
    client.force_login(member(role=Role.BUYER))
    page = client.get(_url(company, "delegations/")).content.decode()
    assert 'data-testid="create-delegation"' not in page


def test_an_admin_sees_every_delegation(client, company, company_admin, member):
    sun = member(role=Role.APPROVER, username="sun")
    chen = member(role=Role.BUYER, username="chen")
    now = timezone.now()
    Delegation.objects.create(
        company=company,
        delegator=sun,
        delegate=chen,
        starts_at=now,
        ends_at=now + datetime.timedelta(days=1),
    )
    client.force_login(company_admin)
    page = client.get(_url(company, "delegations/")).content.decode()
    assert "Every delegation in the company" in page
    assert "Active" in page


def test_the_settings_page(client, company, company_admin, member):
    client.force_login(company_admin)
    response = client.post(
        _url(company, "settings/"), {"hold_days": "10", "po_required": "on"}, follow=True
    )
    assert "Purchasing settings saved." in response.content.decode()
    company.refresh_from_db()
    assert (company.hold_days, company.po_required, company.po_unique) == (10, True, False)
    response = client.post(_url(company, "settings/"), {"hold_days": "45"})
    assert response.status_code == 422
    assert "The stock hold is 1 to 30 days." in response.content.decode()
    assert Company.objects.get(pk=company.pk).hold_days == 10

    viewer = member(role=Role.VIEWER)
    client.force_login(viewer)
    page = client.get(_url(company, "settings/")).content.decode()
    assert "A company administrator changes these." in page
    assert client.post(_url(company, "settings/"), {"hold_days": "3"}).status_code == 403
    assert Company.objects.get(pk=company.pk).hold_days == 10


def test_the_pages_speak_chinese(client, company, company_admin, design):
    make_budget(design)
    client.force_login(company_admin)
    page = client.get(_url(company, "budgets/"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "已用 ¥0.00，共 ¥20,000.00" in page
    assert "保存预算" in page
    page = client.get(
        _url(company, "delegations/"), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert "委托你的审批" in page
    page = client.get(_url(company, "settings/"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "库存保留（天）" in page
    response = client.post(
        _url(company, "settings/"), {"hold_days": "0"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert "库存保留期为 1 至 30 天。" in response.content.decode()


def test_a_bar_beyond_its_budget_stays_full(client, company, company_admin, member, design):
    budget = make_budget(design, amount=100_000)
    Budget.objects.filter(pk=budget.pk).update(over_approved=50_000)
    charge(budget, member(role=Role.BUYER), committed=150_000)
    client.force_login(company_admin)
    page = _page(client, company)
    assert "¥1,500.00 of ¥1,000.00 used" in page
    assert 'aria-valuenow="100000"' in page
    assert 'class="w-100"' in page
    assert "Committed ¥1,500.00, spent ¥0.00, ¥0.00 remaining." in page
