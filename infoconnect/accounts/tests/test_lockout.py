"""Login lockout: wrong passwords past the limit lock the account and the IP for the cool-off,
the person is told when to try again, and the operator can unlock."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django.utils.formats import time_format

from conftest import TEST_PASSWORD
from infoconnect.accounts.models import User

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


@pytest.fixture(autouse=True)
def lockout_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_COOLOFF_TIME = 0.25  # hours


def attempt(client: Client, username: str, password: str = "wrong-password"):
    return client.post(LOGIN, {"username": username, "password": password})


def from_ip(ip: str) -> Client:
    return Client(REMOTE_ADDR=ip)


def fail(client: Client, username: str, times: int) -> list[int]:
    return [attempt(client, username).status_code for _ in range(times)]


def test_the_right_password_is_refused_until_the_cool_off_ends(make_user):
    make_user("alice")
    client = from_ip("10.0.0.1")
    assert fail(client, "alice", 4) == [200] * 4
    fifth = attempt(client, "alice", "still-wrong")
    assert fifth.status_code == 429

    refused = attempt(client, "alice", TEST_PASSWORD)
    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session
    ends = AccessAttempt.objects.get().attempt_time + timedelta(minutes=15)
    shown = time_format(timezone.localtime(ends), "H:i")
    page = refused.content.decode()
    assert f"Too many failed logins. You can try again at {shown} (in 15 minutes)." in page
    assert 14 * 60 <= int(refused["Retry-After"]) <= 15 * 60 + 1
    # The form is still there, with the link to reset the password.
    assert 'name="password"' in page and "Forgot your password?" in page

    # More attempts during the lockout do not move its end.
    attempt(client, "alice", TEST_PASSWORD)
    assert AccessAttempt.objects.get().attempt_time + timedelta(minutes=15) == ends

    # The cool-off passes.
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    logged_in = attempt(client, "alice", TEST_PASSWORD)
    assert logged_in.status_code == 302
    assert client.session["_auth_user_id"] == str(User.objects.get(username="alice").pk)


def test_the_fifth_failure_already_shows_the_lockout(make_user):
    make_user("alice")
    client = from_ip("10.0.0.1")
    assert fail(client, "alice", 5) == [200, 200, 200, 200, 429]


def test_the_account_is_locked_from_every_ip_in_any_case(make_user):
    make_user("alice")
    fail(from_ip("10.0.0.1"), "alice", 3)
    fail(from_ip("10.0.0.2"), "ALICE", 2)
    assert attempt(from_ip("10.0.0.3"), "Alice", TEST_PASSWORD).status_code == 429


def test_another_account_from_another_ip_is_not_locked(make_user):
    make_user("alice")
    make_user("bob")
    fail(from_ip("10.0.0.1"), "alice", 5)
    bob = from_ip("10.0.0.2")
    assert attempt(bob, "bob", TEST_PASSWORD).status_code == 302


def test_an_ip_trying_many_accounts_is_locked(make_user):
    make_user("alice")
    client = from_ip("10.0.0.9")
    for name in ("a1", "a2", "a3", "a4", "a5"):
        attempt(client, name)
    refused = attempt(client, "alice", TEST_PASSWORD)
    assert refused.status_code == 429
    assert "Too many failed logins. You can try again at " in refused.content.decode()
    # Alice herself, elsewhere, is not locked: only that address is.
    assert attempt(from_ip("10.0.0.10"), "alice", TEST_PASSWORD).status_code == 302


def test_a_good_login_clears_earlier_failures(make_user):
    make_user("alice")
    client = from_ip("10.0.0.1")
    fail(client, "alice", 4)
    assert attempt(client, "alice", TEST_PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    assert fail(client, "alice", 4) == [200] * 4


def test_the_operator_unlocks_with_the_command(make_user):
    make_user("alice")
    fail(from_ip("10.0.0.1"), "alice", 5)
    assert attempt(from_ip("10.0.0.1"), "alice", TEST_PASSWORD).status_code == 429
    call_command("axes_reset_username", "alice")
    assert attempt(from_ip("10.0.0.1"), "alice", TEST_PASSWORD).status_code == 302


def test_the_operator_sees_and_deletes_attempts_in_the_admin(make_user):
    make_user("alice")
    operator = make_user("ops", is_staff=True, is_superuser=True)
    fail(from_ip("10.0.0.1"), "alice", 5)
    admin = Client()
    admin.force_login(operator)
    listing = admin.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200
    assert "alice" in listing.content.decode()
    row = AccessAttempt.objects.get()
    deleted = admin.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"},
    )
    assert deleted.status_code == 302
    assert attempt(from_ip("10.0.0.1"), "alice", TEST_PASSWORD).status_code == 302


def test_the_lockout_message_is_translated(make_user):
    make_user("alice")
    client = from_ip("10.0.0.1")
    client.cookies["django_language"] = "zh-hans"
    fail(client, "alice", 5)
    page = attempt(client, "alice", TEST_PASSWORD).content.decode()
    assert "登录失败次数过多。您可以在 " in page
    assert "忘记密码？" in page


def test_the_admin_login_is_covered_too(make_user):
    make_user("ops", is_staff=True, is_superuser=True)
    client = from_ip("10.0.0.1")
    for _ in range(5):
        client.post("/admin/login/", {"username": "ops", "password": "wrong"})
    refused = client.post("/admin/login/", {"username": "ops", "password": TEST_PASSWORD})
    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session
