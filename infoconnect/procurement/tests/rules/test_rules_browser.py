"""In Chromium: a company admin sets a ¥5,000.00 rule with an approver, and "Which rule would
fire?" shows it firing for ¥6,200.00 and not for ¥4,000.00."""

import pytest

from infoconnect.procurement.models import ApprovalRule, Role


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_admin_sets_the_5000_rule_and_checks_it(page, login, company, company_admin, member):
    from playwright.sync_api import expect

    member(role=Role.APPROVER, username="sun")
    login(company_admin.username)
    page.goto(f"/companies/{company.pk}/")
    page.locator("#company-rules").click()
    expect(page.get_by_test_id("no-rules")).to_have_text(
        "No approval rules yet: requisitions need no approval."
    )

    page.get_by_text("Add a rule").click()
    form = page.get_by_test_id("create-rule")
    form.get_by_label("Name", exact=True).fill("Over ¥5,000.00")
    form.get_by_label("Total at least (¥)").fill("5000.00")
    form.get_by_role("button", name="Add rule").click()
    expect(page.locator(".flash-success")).to_have_text("Rule added.")
    rule = ApprovalRule.objects.get()
    card = page.locator(f"#rule-{rule.pk}")
    expect(card.get_by_test_id("rule-conditions")).to_have_text(
        "When the total is at least ¥5,000.00."
    )

    card.get_by_role("button", name="Add level").click()
    expect(page.locator(".flash-success")).to_have_text("Level added.")
    card = page.locator(f"#rule-{rule.pk}")
    expect(card.get_by_test_id("no-levels")).to_have_count(0)
    card.get_by_text("Add an approver").click()
    card.get_by_label("Approver", exact=True).select_option(label="@sun")
    card.get_by_role("button", name="Add approver").click()
    expect(page.locator(".flash-success")).to_have_text("Approver added.")
    card = page.locator(f"#rule-{rule.pk}")
    expect(card.get_by_test_id("level")).to_contain_text("@sun (any one)")

    check = page.get_by_test_id("check")
    check.get_by_label("Total (¥)").fill("6200.00")
    check.get_by_role("button", name="Check").click()
    expect(page.get_by_test_id("fired")).to_have_text(
        "Over ¥5,000.00: Needs approval by @sun (any one) because the total is at least ¥5,000.00."
    )
    check = page.get_by_test_id("check")
    check.get_by_label("Total (¥)").fill("4000.00")
    check.get_by_role("button", name="Check").click()
    expect(page.get_by_test_id("nothing-fires")).to_have_text(
        "No rule fires for ¥4,000.00: no approval needed."
    )
    expect(page.get_by_test_id("fired")).to_have_count(0)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_rules_page_fits_a_phone(browser, live_server, company, company_admin, login):
    context = browser.new_context(
        base_url=live_server.url, locale="en-US", viewport={"width": 375, "height": 740}
    )
    phone = context.new_page()
    login(company_admin.username, target=phone)
    phone.goto(f"/companies/{company.pk}/rules/")
    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    context.close()
    assert overflow <= 0
