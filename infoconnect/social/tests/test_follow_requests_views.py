"""Locked accounts on the web: the settings switch, the Requested button and the requests page."""

import pytest
from django.test import Client

from infoconnect.social import actions
from infoconnect.social.models import Follow, FollowRequest
from infoconnect.social.tests.test_views import client_for, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(make_user):
    return make_user("alice", display_name="Alice Wang")


@pytest.fixture
def bob(make_user):
    return make_user("bob", display_name="Bob Li", locked=True)


def test_following_a_locked_account_shows_requested(alice, bob):
    client = client_for(alice)

    response = client.post("/@bob/follow/", follow=True)

    assert "You asked to follow Bob Li; they will decide." in text_of(response)
    assert FollowRequest.objects.filter(follower=alice, target=bob).exists()
    page = text_of(client.get("/@bob/"))
    assert "Requested" in page
    assert "Approves followers by hand" in page
    client.post("/@bob/unfollow/")
    assert not FollowRequest.objects.exists()
    assert "Requested" not in text_of(client.get("/@bob/"))


def test_the_locked_person_accepts_or_refuses_on_a_page(alice, bob, make_user):
    carol = make_user("carol", display_name="Carol Zhou")
    actions.follow(follower=alice, target=bob)
    actions.follow(follower=carol, target=bob)
    client = client_for(bob)

    page = client.get("/follow-requests/")

    assert page.status_code == 200
    assert [name in text_of(page) for name in ("Alice Wang", "Carol Zhou")] == [True, True]
    accepted = client.post("/follow-requests/alice/accept/", follow=True)
    assert "Alice Wang now follows you." in text_of(accepted)
    refused = client.post("/follow-requests/carol/reject/", follow=True)
    assert "You refused Carol Zhou's request to follow you." in text_of(refused)
    assert list(Follow.objects.values_list("follower__username", flat=True)) == ["alice"]
    assert not FollowRequest.objects.exists()
    assert "Nobody is waiting for an answer." in text_of(client.get("/follow-requests/"))


def test_no_one_else_answers_a_request(alice, bob, make_user):
    actions.follow(follower=alice, target=bob)

    response = client_for(make_user("carol")).post("/follow-requests/alice/accept/")

    assert response.status_code == 404
    assert "That account has not asked to follow you." in text_of(response)
    assert FollowRequest.objects.count() == 1
    assert client_for(alice).get("/follow-requests/").status_code == 200
    assert client_for(bob).get("/follow-requests/alice/accept/").status_code == 405


def test_the_settings_switch_locks_and_unlocking_accepts_waiting(alice, bob):
    client = client_for(alice)
    form = {"display_name": "Alice Wang", "bio": "", "region": "", "message_policy": "everyone"}

    client.post("/accounts/settings/", {**form, "locked": "on"})

    alice.refresh_from_db()
    assert alice.locked is True
    actions.follow(follower=bob, target=alice)
    assert FollowRequest.objects.filter(target=alice).exists()
    client.post("/accounts/settings/", form)
    alice.refresh_from_db()
    assert alice.locked is False
    assert Follow.objects.filter(follower=bob, target=alice).exists()
    assert not FollowRequest.objects.exists()


def test_the_requests_page_and_button_speak_simplified_chinese(alice, bob):
    actions.follow(follower=alice, target=bob)
    asker = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    asker.force_login(alice)
    owner = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    owner.force_login(bob)

    profile = text_of(asker.get("/@bob/"))
    page = text_of(owner.get("/follow-requests/"))

    assert "已请求" in profile
    assert "手动批准关注者" in profile
    assert "关注请求" in page
    assert "接受" in page and "拒绝" in page
    accepted = text_of(owner.post("/follow-requests/alice/accept/", follow=True))
    assert "Alice Wang 现在关注了你。" in accepted


def test_the_settings_keep_the_reading_preferences(alice, api_client):
    form = {"display_name": "Alice Wang", "bio": "", "region": "", "message_policy": "everyone"}

    page = client_for(alice).get("/accounts/settings/")
    client_for(alice).post(
        "/accounts/settings/", {**form, "expand_media": "show_all", "expand_spoilers": "on"}
    )

    assert "Pictures marked sensitive" in text_of(page)
    assert "Always open content warnings" in text_of(page)
    preferences = api_client(alice).get("/api/v1/preferences").json()
    assert (preferences["reading:expand:media"], preferences["reading:expand:spoilers"]) == (
        "show_all",
        True,
    )
    bad = client_for(alice).post("/accounts/settings/", {**form, "expand_media": "sometimes"})
    assert bad.status_code == 422
    alice.refresh_from_db()
    assert alice.expand_media == "show_all"
