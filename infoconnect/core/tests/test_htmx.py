"""An htmx request whose session has ended is not answered with the log-in page."""

import pytest
from django.urls import reverse

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.mark.django_db
def test_a_background_refresh_after_log_out_leaves_the_page_and_its_cookies_alone(client):
    response = client.get(reverse("social:notifications_badge"), **HTMX)
    assert response.status_code == 204
    assert response.content == b""
    # Rendering the log-in form would have handed out a new CSRF cookie.
    assert "csrftoken" not in response.cookies
    assert "HX-Redirect" not in response


@pytest.mark.django_db
def test_an_action_after_log_out_takes_the_whole_page_to_the_log_in_page(client):
    response = client.post(reverse("social:notifications_read"), **HTMX)
    assert response.status_code == 401
    assert response["HX-Redirect"].startswith(reverse("accounts:login") + "?next=")


@pytest.mark.django_db
def test_the_same_holds_for_pages_behind_djangos_own_login_required(client):
    refresh = client.get(reverse("wallet:home"), **HTMX)
    assert refresh.status_code == 204
    action = client.post(reverse("wallet:home"), **HTMX)
    assert action.status_code == 401
    assert action["HX-Redirect"].startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_a_page_loaded_after_log_out_is_still_sent_to_the_log_in_page(client):
    response = client.get(reverse("social:notifications_badge"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_a_signed_in_refresh_is_answered_as_before(client, make_user):
    client.force_login(make_user("alice"))
    response = client.get(reverse("social:notifications_badge"), **HTMX)
    assert response.status_code == 200
