"""update_credentials, preferences and account search."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from infoconnect.accounts.models import User
from infoconnect.accounts.tests.images import image_upload
from infoconnect.api.tests.conftest import ACCOUNT_FIELDS, BASE, error
from infoconnect.social import actions

pytestmark = pytest.mark.django_db
URL = "/api/v1/accounts/update_credentials"


@pytest.fixture
def alice(make_user):
    return make_user("alice", display_name="Alice", bio="Old bio")


def patch_json(client, body):
    return client.patch(URL, json.dumps(body), content_type="application/json")


def test_update_credentials_from_json(api_client, alice):
    response = patch_json(
        api_client(alice),
        {
            "display_name": "Alice Li",
            "note": "Tea & cakes",
            "locked": True,
            "discoverable": False,
            "indexable": False,
            "hide_collections": True,
            "source": {"privacy": "private", "sensitive": True, "language": "zh"},
        },
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == ACCOUNT_FIELDS | {"source", "role"}
    assert {
        key: body[key]
        for key in (
            "display_name",
            "note",
            "locked",
            "discoverable",
            "indexable",
            "hide_collections",
        )
    } == {
        "display_name": "Alice Li",
        "note": "<p>Tea &amp; cakes</p>",
        "locked": True,
        "discoverable": False,
        "indexable": False,
        "hide_collections": True,
    }
    assert body["source"] == {
        "privacy": "private",
        "sensitive": True,
        "language": "zh",
        "note": "Tea & cakes",
        "fields": [],
        "follow_requests_count": 0,
    }
    assert api_client(alice).get("/api/v1/preferences").json() == {
        "posting:default:visibility": "private",
        "posting:default:sensitive": True,
        "posting:default:language": "zh",
        "reading:expand:media": "default",
        "reading:expand:spoilers": False,
    }


def test_what_is_not_sent_stays(api_client, alice):
    response = api_client(alice).patch(
        URL, "source[privacy]=unlisted", "application/x-www-form-urlencoded"
    )

    assert response.status_code == 200
    alice.refresh_from_db()
    assert (alice.display_name, alice.bio, alice.default_privacy, alice.locked) == (
        "Alice",
        "Old bio",
        "unlisted",
        False,
    )


def test_update_credentials_takes_an_avatar_in_a_multipart_patch(api_client, alice):
    body = encode_multipart(BOUNDARY, {"avatar": image_upload(), "display_name": "Pictured"})

    response = api_client(alice).patch(URL, body, content_type=MULTIPART_CONTENT)

    assert response.status_code == 200, response.content
    alice.refresh_from_db()
    assert alice.display_name == "Pictured"
    assert alice.avatar.name.startswith("avatars/")
    assert response.json()["avatar"] == f"{BASE}{alice.avatar.url}"


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        (
            {"display_name": "A", "source": {"privacy": "friends"}},
            "profile_invalid",
            "source[privacy]",
        ),
        (
            {"display_name": "A", "source": {"language": "Chinese!"}},
            "profile_invalid",
            "source[language]",
        ),
        ({"display_name": "A", "note": "x" * 501}, "profile_invalid", "bio"),
        ({"display_name": "A", "locked": "maybe"}, "validation_error", "locked"),
        ({"display_name": "A", "header": "x"}, "validation_error", "header"),
        ({"display_name": "A", "bot": True}, "validation_error", "bot"),
        ({"display_name": 5}, "validation_error", "display_name"),
    ],
)
def test_bad_credentials_change_nothing(api_client, alice, body, code, field):
    response = patch_json(api_client(alice), body)

    assert response.status_code == 422
    assert error(response)["code"] == code
    assert field in response.json()["fields"]
    alice.refresh_from_db()
    assert (alice.display_name, alice.bio, alice.default_privacy, alice.locked) == (
        "Alice",
        "Old bio",
        "public",
        False,
    )


def test_an_unsupported_parameter_is_named(api_client, alice):
    response = api_client(alice).patch(
        URL, "fields_attributes[0][name]=x&note=hi", "application/x-www-form-urlencoded"
    )

    assert error(response)["error"] == "InfoConnect does not support fields_attributes[0][name]."
    alice.refresh_from_db()
    assert alice.bio == "Old bio"


def test_a_bad_avatar_changes_nothing(api_client, alice):
    junk = SimpleUploadedFile("me.png", b"not an image", content_type="image/png")
    body = encode_multipart(BOUNDARY, {"display_name": "New", "avatar": junk})

    response = api_client(alice).patch(URL, body, content_type=MULTIPART_CONTENT)

    assert response.status_code == 422
    assert error(response)["code"] == "avatar_not_image"
    alice.refresh_from_db()
    assert (alice.display_name, alice.avatar.name) == ("Alice", "")


def test_credentials_and_preferences_need_a_token(api_client):
    assert api_client().patch(URL, "{}", "application/json").status_code == 401
    assert api_client().get("/api/v1/preferences").status_code == 401


def test_hidden_collections_are_empty_to_others(api_client, alice, make_user):
    bob = make_user("bob")
    actions.follow(follower=bob, target=alice)
    User.objects.filter(pk=alice.pk).update(hide_collections=True)

    assert api_client(bob).get(f"/api/v1/accounts/{alice.pk}/followers").json() == []
    own = api_client(alice).get(f"/api/v1/accounts/{alice.pk}/followers").json()
    assert [row["username"] for row in own] == ["bob"]


def test_account_search(api_client, alice, make_user):
    teacup = make_user("teacup", display_name="Tea Cup")
    make_user("teapot", display_name="Tea Pot")
    make_user("coffee")
    actions.follow(follower=alice, target=teacup)
    client = api_client(alice)

    found = client.get("/api/v1/accounts/search?q=tea&resolve=true")
    followed = client.get("/api/v1/accounts/search?q=tea&following=true")
    one = client.get("/api/v1/accounts/search?q=tea&limit=1")

    assert found.status_code == 200
    assert [row["username"] for row in found.json()] == ["teacup", "teapot"]
    assert set(found.json()[0]) == ACCOUNT_FIELDS
    assert [row["username"] for row in followed.json()] == ["teacup"]
    assert [row["username"] for row in one.json()] == ["teacup"]
    second = client.get("/api/v1/accounts/search?q=tea&limit=1&offset=1")
    assert [row["username"] for row in second.json()] == ["teapot"]
    assert client.get("/api/v1/accounts/search").status_code == 422
    assert api_client().get("/api/v1/accounts/search?q=tea").status_code == 401


def test_posts_of_an_account_that_is_not_indexable_are_not_found_by_others(
    api_client, alice, make_user, make_post
):
    bob = make_user("bob")
    make_post(alice, "oolong harvest")
    patch_json(api_client(alice), {"indexable": False})

    by_bob = api_client(bob).get("/api/v2/search?q=oolong&type=statuses").json()
    by_alice = api_client(alice).get("/api/v2/search?q=oolong&type=statuses").json()

    assert by_bob["statuses"] == []
    assert [row["content"] for row in by_alice["statuses"]] == ["<p>oolong harvest</p>"]


def test_a_status_without_options_takes_the_author_s_posting_defaults(api_client, make_user):
    alice = make_user("alice")
    client = api_client(alice)
    client.patch(
        "/api/v1/accounts/update_credentials",
        "source[privacy]=unlisted&source[sensitive]=true&source[language]=zh",
        content_type="application/x-www-form-urlencoded",
    )
    status = client.post("/api/v1/statuses", {"status": "Tea"}).json()
    assert (status["visibility"], status["sensitive"], status["language"]) == (
        "unlisted",
        True,
        "zh",
    )
    chosen = client.post(
        "/api/v1/statuses",
        {"status": "Tea", "visibility": "public", "sensitive": "false", "language": "en"},
    ).json()
    assert (chosen["visibility"], chosen["sensitive"], chosen["language"]) == (
        "public",
        False,
        "en",
    )
