import pytest
from playwright.sync_api import expect

from conftest import TEST_PASSWORD
from infoconnect.accounts.models import User


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_new_person_signs_up_and_is_logged_in(page, live_server):
    page.goto("/accounts/signup/")
    page.get_by_label("Username").fill("Newbie_42")
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.get_by_label("Password again").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Create account").click()

    page.wait_for_url(f"{live_server.url}/")
    header = page.locator("header.site-header")
    expect(header.get_by_role("link", name="@Newbie_42")).to_be_visible()
    expect(header.get_by_role("button", name="Log out")).to_be_visible()
    assert User.objects.filter(username="Newbie_42").exists()
