"""Password reset by e-mail, with Django's own views."""

import re

import pytest
from django.core import mail
from django.test import Client

from infoconnect.accounts.models import User

pytestmark = pytest.mark.django_db

RESET = "/accounts/password/reset/"
NEW_PASSWORD = "a-brand-new-secret-77"


def ask(client: Client, email: str):
    return client.post(RESET, {"email": email})


def link_in(message) -> str:
    return re.search(r"http://testserver(/accounts/password/reset/\S+/)", message.body).group(1)


def test_the_login_page_links_to_the_reset():
    page = Client().get("/accounts/login/").content.decode()
    assert f'<a href="{RESET}">Forgot your password?</a>' in page


def test_the_mail_carries_a_link_that_sets_a_new_password(make_user):
    make_user("alice", email="alice@example.com")
    client = Client()
    assert client.get(RESET).status_code == 200
    response = ask(client, "Alice@Example.com")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/sent/"
    assert "Check your e-mail" in client.get(response["Location"]).content.decode()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@example.com"]
    assert message.subject == "Reset your password on testserver"
    assert "the account @alice on testserver" in message.body

    form_page = client.get(link_in(message), follow=True)
    assert "Choose a new password" in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done["Location"] == "/accounts/password/reset/complete/"
    assert "Your new password is set." in client.get(done["Location"]).content.decode()
    assert User.objects.get(username="alice").check_password(NEW_PASSWORD)
    assert Client().login(username="alice", password=NEW_PASSWORD)


def test_a_used_link_fails(make_user):
    make_user("alice", email="alice@example.com")
    client = Client()
    ask(client, "alice@example.com")
    link = link_in(mail.outbox[0])
    set_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    again = Client().get(link, follow=True)
    page = again.content.decode()
    assert 'data-error-code="reset_link_invalid"' in page
    assert "This link is not valid: it was used already or is too old." in page
    assert 'name="new_password1"' not in page


def test_a_weak_password_is_refused_and_nothing_changes(make_user):
    make_user("alice", email="alice@example.com")
    client = Client()
    ask(client, "alice@example.com")
    set_url = client.get(link_in(mail.outbox[0]), follow=True).redirect_chain[-1][0]
    refused = client.post(set_url, {"new_password1": "12345678", "new_password2": "12345678"})
    assert refused.status_code == 200
    assert "This password is too common." in refused.content.decode()
    assert not User.objects.get(username="alice").check_password("12345678")


def test_an_unknown_address_shows_the_same_page_and_sends_nothing(make_user):
    make_user("alice", email="alice@example.com")
    response = ask(Client(), "nobody@example.com")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/sent/"
    assert mail.outbox == []


def test_resets_are_limited_per_ip(settings, make_user):
    settings.RATELIMIT_ENABLE = True
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "password_reset": "2/h"}
    make_user("alice", email="alice@example.com")
    here = Client(REMOTE_ADDR="10.0.0.5")
    assert ask(here, "alice@example.com").status_code == 302
    assert ask(here, "alice@example.com").status_code == 302
    refused = ask(here, "alice@example.com")
    assert refused.status_code == 429
    # django-ratelimit's hour is a fixed window: what is left of it is anything up to an hour.
    assert 1 <= int(refused["Retry-After"]) <= 3600
    assert "Too many requests; try again in " in refused.content.decode()
    assert len(mail.outbox) == 2
    # The form still shows, and another address may ask.
    assert here.get(RESET).status_code == 200
    assert ask(Client(REMOTE_ADDR="10.0.0.6"), "alice@example.com").status_code == 302


def test_the_reset_pages_are_translated(make_user):
    client = Client()
    client.cookies["django_language"] = "zh-hans"
    page = client.get(RESET).content.decode()
    assert "重置密码" in page and "发送链接" in page
