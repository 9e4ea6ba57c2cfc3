"""/api/v1/accounts/…: entities, relationships, follower lists and Link-header paging."""

import re

import pytest

from infoconnect.api.tests.conftest import (
    ACCOUNT_FIELDS,
    BASE,
    ISO_RE,
    RELATIONSHIP_FIELDS,
    STATUS_FIELDS,
    VIEWER_FIELDS,
    error,
    links,
)
from infoconnect.social import actions
from infoconnect.social.models import Follow

pytestmark = pytest.mark.django_db


def test_verify_credentials_is_the_token_owner_with_source(make_user, api_client, make_post):
    alice = make_user("alice", display_name="Alice Li", bio="Tea <b>lover</b>\nShanghai")
    post = make_post(alice, "first")

    response = api_client(alice).get("/api/v1/accounts/verify_credentials")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == ACCOUNT_FIELDS | {"source", "role"}
    assert body == {
        "id": str(alice.pk),
        "username": "alice",
        "acct": "alice",
        "display_name": "Alice Li",
        "note": "<p>Tea &lt;b&gt;lover&lt;/b&gt;<br />Shanghai</p>",
        "url": f"{BASE}/@alice/",
        "uri": f"{BASE}/@alice/",
        "avatar": f"{BASE}/static/api/default-avatar.png",
        "avatar_static": f"{BASE}/static/api/default-avatar.png",
        "header": f"{BASE}/static/api/default-header.png",
        "header_static": f"{BASE}/static/api/default-header.png",
        "locked": False,
        "bot": False,
        "group": False,
        "discoverable": True,
        "indexable": True,
        "hide_collections": False,
        "created_at": body["created_at"],
        "last_status_at": post.created_at.astimezone(__import__("datetime").UTC).date().isoformat(),
        "followers_count": 0,
        "following_count": 0,
        "statuses_count": 1,
        "fields": [],
        "emojis": [],
        "roles": [],
        "verified_merchant": False,
        "role": {
            "id": "-99",
            "name": "",
            "permissions": "65536",
            "color": "",
            "highlighted": False,
        },
        "source": {
            "privacy": "public",
            "sensitive": False,
            "language": "",
            "note": "Tea <b>lover</b>\nShanghai",
            "fields": [],
            "follow_requests_count": 0,
        },
    }
    assert re.match(ISO_RE, body["created_at"])


def test_verify_credentials_needs_a_valid_token(make_user, api_client):
    assert error(api_client().get("/api/v1/accounts/verify_credentials"))["code"] == (
        "not_authenticated"
    )
    from django.test import Client

    bad = Client(headers={"Authorization": "Bearer ic_not-a-real-token"})
    response = bad.get("/api/v1/accounts/verify_credentials")
    assert response.status_code == 401
    assert error(response) == {
        "error": "Log in or send a valid access token.",
        "code": "not_authenticated",
    }


def test_account_is_public_and_shows_the_verified_merchant(make_user, api_client):
    shop = make_user("acme", kind="merchant", verified=True)

    response = api_client().get(f"/api/v1/accounts/{shop.pk}")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == ACCOUNT_FIELDS
    assert body["username"] == "acme"
    assert body["display_name"] == ""
    assert body["note"] == ""
    assert body["verified_merchant"] is True
    assert body["last_status_at"] is None


@pytest.mark.parametrize("bad_id", ["999999", "abc", "-1", "0", "99999999999999999999", "1.5"])
def test_unknown_or_malformed_account_id_is_a_json_404(make_user, api_client, bad_id):
    alice = make_user("alice")
    response = api_client(alice).get(f"/api/v1/accounts/{bad_id}")
    assert response.status_code == 404
    assert error(response)["code"] == "account_not_found"


def test_lookup_by_acct(make_user, api_client):
    alice = make_user("Alice_1")
    client = api_client()
    for acct in ("alice_1", "@Alice_1", "alice_1@testserver"):
        response = client.get("/api/v1/accounts/lookup", {"acct": acct})
        assert response.status_code == 200, acct
        assert response.json()["id"] == str(alice.pk)
    assert (
        client.get("/api/v1/accounts/lookup", {"acct": "alice_1@elsewhere.example"}).status_code
        == 404
    )
    assert error(client.get("/api/v1/accounts/lookup", {"acct": "nobody"}))["code"] == (
        "account_not_found"
    )
    response = client.get("/api/v1/accounts/lookup")
    assert response.status_code == 422
    assert error(response)["code"] == "validation_error"


def test_account_statuses_pages_with_link_header(make_user, api_client, make_post):
    alice = make_user("alice")
    posts = [make_post(alice, f"post {n}") for n in range(5)]
    reply = make_post(alice, "a reply", in_reply_to=posts[0])
    client = api_client()

    response = client.get(f"/api/v1/accounts/{alice.pk}/statuses", {"limit": 2})
    assert response.status_code == 200
    body = response.json()
    assert [s["id"] for s in body] == [str(reply.pk), str(posts[4].pk)]
    assert set(body[0]) == STATUS_FIELDS  # anonymous: no viewer fields
    assert links(response) == {
        "next": f"{BASE}/api/v1/accounts/{alice.pk}/statuses?limit=2&max_id={posts[4].pk}",
        "prev": f"{BASE}/api/v1/accounts/{alice.pk}/statuses?limit=2&min_id={reply.pk}",
    }

    older = client.get(links(response)["next"])
    assert [s["id"] for s in older.json()] == [str(posts[3].pk), str(posts[2].pk)]

    no_replies = client.get(
        f"/api/v1/accounts/{alice.pk}/statuses", {"exclude_replies": "true", "limit": 1}
    )
    assert [s["id"] for s in no_replies.json()] == [str(posts[4].pk)]
    assert "exclude_replies=true" in links(no_replies)["next"]

    since = client.get(f"/api/v1/accounts/{alice.pk}/statuses", {"since_id": posts[3].pk})
    assert [s["id"] for s in since.json()] == [str(reply.pk), str(posts[4].pk)]
    after = client.get(f"/api/v1/accounts/{alice.pk}/statuses", {"min_id": posts[0].pk, "limit": 2})
    assert [s["id"] for s in after.json()] == [str(posts[2].pk), str(posts[1].pk)]

    assert client.get(f"/api/v1/accounts/{alice.pk}/statuses", {"pinned": "true"}).json() == []
    empty = client.get(f"/api/v1/accounts/{alice.pk}/statuses", {"max_id": posts[0].pk})
    assert empty.json() == []
    assert "Link" not in empty


def test_account_statuses_ignores_junk_paging_values(make_user, api_client, make_post):
    alice = make_user("alice")
    make_post(alice, "one")
    response = api_client().get(
        f"/api/v1/accounts/{alice.pk}/statuses",
        {"limit": "many", "since_id": "abc", "max_id": "99999999999999999999999"},
    )
    assert response.status_code == 200
    assert len(response.json()) == 1


def test_account_statuses_with_viewer_fields_and_exclude_reblogs(make_user, api_client, make_post):
    alice, bob = make_user("alice"), make_user("bob")
    original = make_post(bob, "by bob")
    shared = actions.repost(user=alice, post_id=original.pk)
    own = make_post(alice, "by alice")
    client = api_client(bob)

    body = client.get(f"/api/v1/accounts/{alice.pk}/statuses").json()
    assert [s["id"] for s in body] == [str(own.pk), str(shared.pk)]
    assert set(body[1]) == STATUS_FIELDS | VIEWER_FIELDS
    assert body[1]["reblog"]["id"] == str(original.pk)
    assert body[1]["reblog"]["reblogs_count"] == 1

    body = client.get(f"/api/v1/accounts/{alice.pk}/statuses", {"exclude_reblogs": "1"}).json()
    assert [s["id"] for s in body] == [str(own.pk)]


def test_blocked_account_cannot_see_the_blockers_statuses(make_user, api_client, make_post):
    alice, bob = make_user("alice"), make_user("bob")
    make_post(alice, "not for bob")
    actions.block(blocker=alice, target=bob)
    assert api_client(bob).get(f"/api/v1/accounts/{alice.pk}/statuses").json() == []
    assert len(api_client().get(f"/api/v1/accounts/{alice.pk}/statuses").json()) == 1


RELATIONSHIP_OFF = {
    "following": False,
    "showing_reblogs": False,
    "notifying": False,
    "languages": None,
    "followed_by": False,
    "blocking": False,
    "blocked_by": False,
    "muting": False,
    "muting_notifications": False,
    "requested": False,
    "requested_by": False,
    "domain_blocking": False,
    "endorsed": False,
    "note": "",
}


def test_follow_unfollow_return_relationships(make_user, api_client):
    alice, bob = make_user("alice"), make_user("bob")
    actions.follow(follower=bob, target=alice)
    client = api_client(alice)

    response = client.post(f"/api/v1/accounts/{bob.pk}/follow")
    assert response.status_code == 200
    assert response.json() == {
        **RELATIONSHIP_OFF,
        "id": str(bob.pk),
        "following": True,
        "showing_reblogs": True,
        "followed_by": True,
    }
    assert set(response.json()) == RELATIONSHIP_FIELDS
    # Following twice changes nothing.
    assert client.post(f"/api/v1/accounts/{bob.pk}/follow").json()["following"] is True
    assert Follow.objects.filter(follower=alice, target=bob).count() == 1
    bob.refresh_from_db()
    assert bob.followers_count == 1

    response = client.post(f"/api/v1/accounts/{bob.pk}/unfollow")
    assert response.json() == {**RELATIONSHIP_OFF, "id": str(bob.pk), "followed_by": True}
    bob.refresh_from_db()
    assert bob.followers_count == 0


def test_block_and_mute_and_their_undo(make_user, api_client):
    alice, bob = make_user("alice"), make_user("bob")
    actions.follow(follower=alice, target=bob)
    client = api_client(alice)

    assert client.post(f"/api/v1/accounts/{bob.pk}/block").json() == {
        **RELATIONSHIP_OFF,
        "id": str(bob.pk),
        "blocking": True,
    }
    assert api_client(bob).get("/api/v1/accounts/relationships", {"id[]": alice.pk}).json() == [
        {**RELATIONSHIP_OFF, "id": str(alice.pk), "blocked_by": True}
    ]
    assert client.post(f"/api/v1/accounts/{bob.pk}/unblock").json() == {
        **RELATIONSHIP_OFF,
        "id": str(bob.pk),
    }
    assert client.post(f"/api/v1/accounts/{bob.pk}/mute").json() == {
        **RELATIONSHIP_OFF,
        "id": str(bob.pk),
        "muting": True,
        "muting_notifications": True,
    }
    assert client.post(f"/api/v1/accounts/{bob.pk}/unmute").json() == {
        **RELATIONSHIP_OFF,
        "id": str(bob.pk),
    }


def test_blocked_account_cannot_follow(make_user, api_client):
    alice, bob = make_user("alice"), make_user("bob")
    actions.block(blocker=alice, target=bob)

    response = api_client(bob).post(f"/api/v1/accounts/{alice.pk}/follow")

    assert response.status_code == 403
    assert error(response) == {
        "error": "You cannot interact with this account.",
        "code": "blocked",
    }
    assert not Follow.objects.filter(follower=bob, target=alice).exists()


@pytest.mark.parametrize(
    ("verb", "code"),
    [
        ("follow", "cannot_follow_self"),
        ("block", "cannot_block_self"),
        ("mute", "cannot_mute_self"),
    ],
)
def test_cannot_act_on_oneself(make_user, api_client, verb, code):
    alice = make_user("alice")
    response = api_client(alice).post(f"/api/v1/accounts/{alice.pk}/{verb}")
    assert response.status_code == 422
    assert error(response)["code"] == code


@pytest.mark.parametrize("verb", ["follow", "unfollow", "block", "unblock", "mute", "unmute"])
def test_relationship_writes_need_a_token_and_a_real_account(make_user, api_client, verb):
    alice, bob = make_user("alice"), make_user("bob")
    anonymous = api_client().post(f"/api/v1/accounts/{bob.pk}/{verb}")
    assert anonymous.status_code == 401
    assert error(anonymous)["code"] == "not_authenticated"
    for bad in ("424242", "abc"):
        response = api_client(alice).post(f"/api/v1/accounts/{bad}/{verb}")
        assert response.status_code == 404
        assert error(response)["code"] == "account_not_found"
    assert Follow.objects.count() == 0


def test_relationships_for_several_ids(make_user, api_client):
    alice, bob, carol = make_user("alice"), make_user("bob"), make_user("carol")
    actions.follow(follower=alice, target=bob)
    actions.mute(muter=alice, target=carol)

    response = api_client(alice).get(
        f"/api/v1/accounts/relationships?id[]={bob.pk}&id[]={carol.pk}&id[]=nope&id[]=987654"
    )

    assert response.status_code == 200
    assert [(r["id"], r["following"], r["muting"]) for r in response.json()] == [
        (str(bob.pk), True, False),
        (str(carol.pk), False, True),
    ]
    assert api_client().get(f"/api/v1/accounts/relationships?id[]={bob.pk}").status_code == 401


def test_followers_and_following_page_by_follow_id(make_user, api_client):
    star = make_user("star")
    fans = [make_user(f"fan{n}") for n in range(3)]
    for fan in fans:
        actions.follow(follower=fan, target=star)
    follow_ids = list(
        Follow.objects.filter(target=star).order_by("pk").values_list("pk", flat=True)
    )
    client = api_client()

    response = client.get(f"/api/v1/accounts/{star.pk}/followers", {"limit": 2})
    assert response.status_code == 200
    assert [a["username"] for a in response.json()] == ["fan2", "fan1"]
    assert set(response.json()[0]) == ACCOUNT_FIELDS
    assert links(response) == {
        "next": f"{BASE}/api/v1/accounts/{star.pk}/followers?limit=2&max_id={follow_ids[1]}",
        "prev": f"{BASE}/api/v1/accounts/{star.pk}/followers?limit=2&min_id={follow_ids[2]}",
    }
    rest = client.get(links(response)["next"])
    assert [a["username"] for a in rest.json()] == ["fan0"]

    following = client.get(f"/api/v1/accounts/{fans[0].pk}/following")
    assert [a["username"] for a in following.json()] == ["star"]
    assert following.json()[0]["followers_count"] == 3
    assert client.get("/api/v1/accounts/abc/followers").status_code == 404
    assert client.get("/api/v1/accounts/31337/following").status_code == 404
