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


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_person_who_forgot_the_password_resets_it_by_e_mail(page, live_server, make_user, login):
    import re

    from django.core import mail

    make_user("alice", email="alice@example.com")
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill("alice@example.com")
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()

    link = re.search(r"https?://\S+/accounts/password/reset/\S+/", mail.outbox[0].body).group(0)
    page.goto(link)
    page.get_by_label("New password", exact=True).fill("a-brand-new-secret-77")
    page.get_by_label("New password confirmation").fill("a-brand-new-secret-77")
    page.get_by_role("button", name="Set the new password").click()
    expect(page.get_by_role("heading", name="Password changed")).to_be_visible()

    login("alice", "a-brand-new-secret-77")
    expect(page.locator("header.site-header").get_by_role("link", name="@alice")).to_be_visible()
