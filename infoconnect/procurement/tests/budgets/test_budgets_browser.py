"""In Chromium: a company admin adds Design's ¥20,000.00 budget for this month from the company
page and sees its bar; an approver names a stand-in for next week."""

import datetime

import pytest
from django.utils import timezone

from infoconnect.procurement.models import Budget, Delegation, Role
from infoconnect.procurement.tests.budgets.conftest import make_budget

DAY = datetime.timedelta(days=1)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_admin_adds_designs_budget(page, login, company, company_admin, design):
    from playwright.sync_api import expect

    login(company_admin.username)
    page.goto(f"/companies/{company.pk}/")
    page.locator("#company-budgets").click()
    row = page.locator(f"#department-{design.pk}")
    expect(row.get_by_test_id("no-budget")).to_have_text("No budget for this period.")
    row.get_by_label("Amount (¥)").fill("20000")
    row.get_by_role("button", name="Add budget").click()
    expect(page.locator(".flash-success")).to_have_text("Budget added.")
    row = page.locator(f"#department-{design.pk}")
    bar = row.get_by_role("progressbar")
    expect(bar).to_have_attribute("aria-valuenow", "0")
    expect(bar).to_have_attribute("aria-valuetext", "¥0.00 of ¥20,000.00 used")
    expect(row.get_by_test_id("budget-used")).to_have_text("¥0.00 of ¥20,000.00 used")
    assert Budget.objects.get().amount == 2_000_000


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_approver_delegates(page, login, company, member):
    from playwright.sync_api import expect

    member(role=Role.APPROVER, username="sun")
    member(role=Role.BUYER, username="chen")
    login("sun")
    page.goto(f"/companies/{company.pk}/")
    page.locator("#company-delegations").click()
    form = page.get_by_test_id("create-delegation")
    form.get_by_label("Stand-in").select_option(label="@chen")
    form.get_by_role("button", name="Delegate").click()
    expect(page.locator(".flash-success")).to_have_text("Delegation set.")
    delegation = Delegation.objects.get()
    row = page.locator(f"#mine-{delegation.pk}")
    expect(row).to_contain_text("@chen stands in for @sun")
    expect(row.get_by_test_id("delegation-status")).to_have_text("Active")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_pages_fit_a_phone(browser, live_server, company, company_admin, member, design, login):
    sun = member(role=Role.APPROVER, username="sun")
    chen = member(role=Role.BUYER, username="chen")
    now = timezone.now()
    Delegation.objects.create(
        company=company, delegator=sun, delegate=chen, starts_at=now, ends_at=now + DAY
    )
    make_budget(design)
    context = browser.new_context(
        base_url=live_server.url, locale="en-US", viewport={"width": 375, "height": 740}
    )
    phone = context.new_page()
    login(company_admin.username, target=phone)
    overflows = {}
    for suffix in ("budgets/", "delegations/", "settings/"):
        phone.goto(f"/companies/{company.pk}/{suffix}")
        overflows[suffix] = phone.evaluate(
            "document.documentElement.scrollWidth - window.innerWidth"
        )
    context.close()
    assert overflows == {"budgets/": 0, "delegations/": 0, "settings/": 0}
