"""In Chromium: a person registers a company and sees it pending review, an operator verifies
it in the admin with the audit trail showing, the company's admin adds a member and makes
them a buyer, and the member switches the header to act for the company."""

import pytest

from infoconnect.procurement.models import Company, RoleAssignment
from infoconnect.procurement.tests.factories import VALID_2


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_register_verify_add_a_buyer_and_act_for_the_company(
    browser, live_server, page, login, make_user
):
    from playwright.sync_api import expect

    make_user("alice")
    make_user("bob")
    make_user("op", is_staff=True, is_superuser=True)

    login("alice")
    page.goto("/companies/")
    page.get_by_label("Legal name").fill("华夏设计有限公司")
    page.get_by_label("Unified social credit code").fill(VALID_2.lower())
    page.get_by_role("button", name="Register company").click()
    expect(page.locator("#company-status")).to_have_text("Pending review")
    expect(page.locator("#company-uscc")).to_have_text(VALID_2)
    company = Company.objects.get()

    op_context = browser.new_context(base_url=live_server.url, locale="en-US")
    op_page = op_context.new_page()
    login("op", target=op_page)
    op_page.goto("/admin/procurement/company/?status__exact=pending")
    op_page.get_by_role("link", name="华夏设计有限公司").click()
    op_page.get_by_label("Reason").fill("Licence and code checked.")
    op_page.get_by_role("button", name="Verify company").click()
    expect(op_page.locator(".messagelist")).to_contain_text("华夏设计有限公司 is now Verified.")
    trail = op_page.locator("#reviews-group")
    expect(trail).to_contain_text("Verified")
    expect(trail).to_contain_text("Licence and code checked.")
    expect(trail).to_contain_text("op")
    op_context.close()

    page.reload()
    expect(page.locator("#company-status")).to_have_text("Verified")
    page.get_by_label("Add a member by username").fill("bob")
    page.get_by_role("button", name="Add member").click()
    expect(page.locator(".flash-success")).to_have_text("bob is now a member.")
    member = page.locator("#member-bob")
    member.get_by_label("Role for @bob").select_option(label="Buyer")
    member.get_by_role("button", name="Grant role").click()
    expect(page.locator(".flash-success")).to_have_text("Role granted.")
    expect(page.locator("#member-bob [data-testid=role]")).to_have_text(["Buyer"])
    assert RoleAssignment.objects.filter(membership__user__username="bob", role="buyer").exists()

    bob_context = browser.new_context(base_url=live_server.url, locale="en-US")
    bob_page = bob_context.new_page()
    login("bob", target=bob_page)
    acting = bob_page.get_by_label("Acting for")
    expect(acting).to_have_value("")
    with bob_page.expect_navigation():
        acting.select_option(label="华夏设计有限公司")
    expect(bob_page.get_by_label("Acting for")).to_have_value(str(company.pk))
    bob_page.goto(f"/companies/{company.pk}/")
    expect(bob_page.locator("#acting-here")).to_have_text("You are acting for this company.")
    with bob_page.expect_navigation():
        bob_page.get_by_label("Acting for").select_option(label="Myself")
    expect(bob_page.get_by_label("Acting for")).to_have_value("")
    bob_context.close()
