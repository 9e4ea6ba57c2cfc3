"""Locked accounts: following one makes a request, which the account accepts or refuses."""

import pytest

from infoconnect.api.tests.conftest import error, links
from infoconnect.social import actions
from infoconnect.social.models import Follow, FollowRequest, Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(make_user):
    return make_user("alice")


@pytest.fixture
def bob(make_user):
    return make_user("bob", locked=True)


def test_following_a_locked_account_asks_it(api_client, alice, bob):
    response = api_client(alice).post(f"/api/v1/accounts/{bob.pk}/follow")

    assert response.status_code == 200
    body = response.json()
    assert (body["following"], body["requested"]) == (False, True)
    assert not Follow.objects.exists()
    assert FollowRequest.objects.filter(follower=alice, target=bob).count() == 1
    bob.refresh_from_db()
    assert bob.followers_count == 0
    seen = api_client(bob).get("/api/v1/notifications").json()
    assert [(row["type"], row["account"]["username"]) for row in seen] == [
        ("follow_request", "alice")
    ]
    assert (
        api_client(bob)
        .get(f"/api/v1/accounts/relationships?id[]={alice.pk}")
        .json()[0]["requested_by"]
        is True
    )
    account = api_client().get(f"/api/v1/accounts/{bob.pk}").json()
    assert account["locked"] is True
    me = api_client(bob).get("/api/v1/accounts/verify_credentials").json()
    assert me["source"]["follow_requests_count"] == 1
    # Asking twice is asking once.
    api_client(alice).post(f"/api/v1/accounts/{bob.pk}/follow")
    assert FollowRequest.objects.count() == 1
    assert Notification.objects.filter(kind="follow_request").count() == 1


def test_the_locked_account_lists_and_authorizes_requests(api_client, alice, bob, make_user):
    carol = make_user("carol")
    actions.follow(follower=alice, target=bob)
    actions.follow(follower=carol, target=bob)
    client = api_client(bob)

    waiting = client.get("/api/v1/follow_requests")
    assert [row["username"] for row in waiting.json()] == ["carol", "alice"]
    first = client.get("/api/v1/follow_requests?limit=1")
    assert [row["username"] for row in client.get(links(first)["next"]).json()] == ["alice"]

    response = client.post(f"/api/v1/follow_requests/{alice.pk}/authorize")

    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["followed_by"], body["requested_by"]) == (str(alice.pk), True, False)
    assert Follow.objects.filter(follower=alice, target=bob).exists()
    bob.refresh_from_db()
    alice.refresh_from_db()
    assert (bob.followers_count, alice.following_count) == (1, 1)
    assert [row["username"] for row in client.get("/api/v1/follow_requests").json()] == ["carol"]
    assert not Notification.objects.filter(actor=alice, kind="follow_request").exists()
    relation = api_client(alice).get(f"/api/v1/accounts/relationships?id[]={bob.pk}").json()[0]
    assert (relation["following"], relation["requested"]) == (True, False)


def test_reject_makes_no_follow(api_client, alice, bob):
    actions.follow(follower=alice, target=bob)

    response = api_client(bob).post(f"/api/v1/follow_requests/{alice.pk}/reject")

    assert response.status_code == 200
    assert (response.json()["followed_by"], response.json()["requested_by"]) == (False, False)
    assert not Follow.objects.exists()
    assert not FollowRequest.objects.exists()


def test_only_the_asked_account_decides_and_only_once(api_client, alice, bob, make_user):
    carol = make_user("carol")
    actions.follow(follower=alice, target=bob)

    by_carol = api_client(carol).post(f"/api/v1/follow_requests/{alice.pk}/authorize")
    by_alice = api_client(alice).post(f"/api/v1/follow_requests/{bob.pk}/authorize")
    unknown = api_client(bob).post("/api/v1/follow_requests/nope/reject")

    for response in (by_carol, by_alice, unknown):
        assert response.status_code == 404
        assert error(response) == {
            "error": "That account has not asked to follow you.",
            "code": "follow_request_not_found",
        }
    assert FollowRequest.objects.count() == 1
    assert not Follow.objects.exists()
    api_client(bob).post(f"/api/v1/follow_requests/{alice.pk}/authorize")
    again = api_client(bob).post(f"/api/v1/follow_requests/{alice.pk}/reject")
    assert again.status_code == 404
    assert Follow.objects.filter(follower=alice, target=bob).exists()
    assert api_client().get("/api/v1/follow_requests").status_code == 401


def test_unfollow_withdraws_a_request_and_a_block_drops_it(api_client, alice, bob):
    actions.follow(follower=alice, target=bob)

    response = api_client(alice).post(f"/api/v1/accounts/{bob.pk}/unfollow")

    assert response.json()["requested"] is False
    assert not FollowRequest.objects.exists()
    actions.follow(follower=alice, target=bob)
    actions.block(blocker=bob, target=alice)
    assert not FollowRequest.objects.exists()


def test_unlocking_accepts_everyone_waiting(api_client, alice, bob):
    actions.follow(follower=alice, target=bob)

    response = api_client(bob).patch(
        "/api/v1/accounts/update_credentials", "locked=false", "application/x-www-form-urlencoded"
    )

    assert response.status_code == 200
    assert response.json()["locked"] is False
    assert response.json()["followers_count"] == 1
    assert Follow.objects.filter(follower=alice, target=bob).exists()
    assert not FollowRequest.objects.exists()


def test_a_withdrawn_request_takes_its_notification_along(api_client, alice, bob):
    actions.follow(follower=alice, target=bob)
    assert Notification.objects.filter(recipient=bob, kind="follow_request").count() == 1

    actions.unfollow(follower=alice, target=bob)

    assert not Notification.objects.filter(recipient=bob, kind="follow_request").exists()
    assert api_client(bob).get("/api/v1/notifications").json() == []
