"""In Chromium: after an approved requisition, the company admin opens the dashboard and sees
the Design budget's bar and the spend chart."""

import pytest

from infoconnect.procurement.actions import approvals
from infoconnect.procurement.tests.dashboard.budgets import month_budget
from infoconnect.procurement.tests.requisitions.world import make_world, submitted


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_admin_sees_the_budget_bar_and_the_spend_chart(page, login, make_user):
    from playwright.sync_api import expect

    world = make_world(make_user)
    month_budget(world.design, 2_000_000)
    requisition = submitted(world, (world.sku_a, 1), (world.sku_b, 2))
    approvals.approve_requisition(user=world.approver, requisition_id=requisition.pk)

    login("boss")
    page.goto(f"/companies/{world.company.pk}/")
    page.get_by_role("link", name="Dashboard").click()
    bar = page.get_by_role("progressbar")
    expect(bar).to_have_attribute("aria-valuetext", "¥6,200.00 of ¥20,000.00 used")
    expect(bar).to_have_attribute("aria-valuenow", "620000")
    expect(page.locator("[data-testid=budget-used]")).to_have_text("¥6,200.00 of ¥20,000.00 used")
    by_department = page.locator("#spend-department")
    expect(by_department.get_by_role("row")).to_have_count(1)
    expect(by_department).to_contain_text("Design")
    expect(by_department).to_contain_text("¥6,200.00")
    expect(page.locator("#spend-merchant [data-testid=spend-bar]")).to_have_count(2)
    expect(page.locator("#spend-month [data-testid=spend-bar]")).to_have_count(12)
