"""In Chromium: the operator dashboard counts a pending merchant. A shop applies, a member of
staff logs in, sees one merchant waiting for verification on the admin's first page, and that
number opens the list of applications waiting for review, with the shop in it."""

import pytest
from django.contrib.auth.models import Permission

COLLECT = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_operator_dashboard_counts_a_pending_merchant(page, login, make_user):
    from playwright.sync_api import expect

    make_user("teahouse", kind="merchant")  # applied: waiting for verification
    make_user("oldshop", kind="merchant", verified=True)
    staff = make_user("clerk", is_staff=True)
    staff.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["view_merchantprofile", "view_order", "view_ledgerentry"]
        )
    )
    page.add_init_script(COLLECT)

    login("clerk")
    page.goto("/admin/")
    tile = page.locator("#merchants-pending")
    expect(tile).to_contain_text("Merchants waiting for verification")
    expect(tile.locator(".operator-tile-value")).to_have_text("1")
    # What this member of staff may not see is not counted for them.
    expect(page.locator("#companies-pending")).to_have_count(0)
    expect(page.locator("#chart-gmv .operator-chart-bar")).to_have_count(30)
    assert page.evaluate("window.__cspViolations") == []

    tile.get_by_role("link").click()
    page.wait_for_url("**/admin/accounts/merchantprofile/?status__exact=pending")
    results = page.locator("#result_list tbody tr")
    expect(results).to_have_count(1)
    expect(results).to_contain_text("teahouse shop")
    expect(results).to_contain_text("@teahouse")
    expect(page.locator("#changelist-filter")).to_contain_text("Pending review")
