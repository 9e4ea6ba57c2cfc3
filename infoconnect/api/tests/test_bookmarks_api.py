"""Bookmarks, pins, favourites, mutes, blocks, and who reblogged or favourited a status."""

import pytest

from infoconnect.api.tests.conftest import BASE, error, links
from infoconnect.social import actions
from infoconnect.social.models import PINS_PER_ACCOUNT, Bookmark, Like, Pin, Post

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(make_user):
    return make_user("alice")


@pytest.fixture
def bob(make_user):
    return make_user("bob")


def test_bookmark_and_unbookmark(api_client, alice, bob, make_post):
    post = make_post(bob, "keep this")
    client = api_client(alice)

    kept = client.post(f"/api/v1/statuses/{post.pk}/bookmark")

    assert kept.status_code == 200
    assert (kept.json()["id"], kept.json()["bookmarked"]) == (str(post.pk), True)
    assert client.get(f"/api/v1/statuses/{post.pk}").json()["bookmarked"] is True
    # Twice is once.
    assert client.post(f"/api/v1/statuses/{post.pk}/bookmark").status_code == 200
    assert Bookmark.objects.filter(user=alice).count() == 1
    # Someone else's view of the post is not theirs.
    assert api_client(bob).get(f"/api/v1/statuses/{post.pk}").json()["bookmarked"] is False

    dropped = client.post(f"/api/v1/statuses/{post.pk}/unbookmark")

    assert dropped.json()["bookmarked"] is False
    assert not Bookmark.objects.exists()


def test_bookmarking_a_plain_repost_bookmarks_the_original(api_client, alice, bob, make_post):
    post = make_post(bob, "original")
    shared = actions.repost(user=bob, post_id=post.pk)

    response = api_client(alice).post(f"/api/v1/statuses/{shared.pk}/bookmark")

    assert response.json()["bookmarked"] is True
    assert list(Bookmark.objects.values_list("post_id", flat=True)) == [post.pk]


def test_bookmarks_are_listed_newest_bookmark_first_and_paged(api_client, alice, bob, make_post):
    first, second = make_post(bob, "first"), make_post(bob, "second")
    client = api_client(alice)
    client.post(f"/api/v1/statuses/{second.pk}/bookmark")
    client.post(f"/api/v1/statuses/{first.pk}/bookmark")
    older = Bookmark.objects.get(post=second)

    page = client.get("/api/v1/bookmarks?limit=1")

    assert [row["content"] for row in page.json()] == ["<p>first</p>"]
    newer = Bookmark.objects.get(post=first)
    assert links(page) == {
        "next": f"{BASE}/api/v1/bookmarks?limit=1&max_id={newer.pk}",
        "prev": f"{BASE}/api/v1/bookmarks?limit=1&min_id={newer.pk}",
    }
    rest = client.get(links(page)["next"])
    assert [row["content"] for row in rest.json()] == ["<p>second</p>"]
    assert links(rest)["next"].endswith(f"max_id={older.pk}")
    assert api_client(bob).get("/api/v1/bookmarks").json() == []
    assert api_client().get("/api/v1/bookmarks").status_code == 401


def test_a_post_one_may_not_see_cannot_be_bookmarked(api_client, alice, bob, make_post):
    post = make_post(bob, "hidden")
    actions.block(blocker=bob, target=alice)

    response = api_client(alice).post(f"/api/v1/statuses/{post.pk}/bookmark")

    assert response.status_code == 404
    assert error(response)["code"] == "post_not_found"
    assert api_client(alice).post("/api/v1/statuses/999999/bookmark").status_code == 404
    assert api_client().post(f"/api/v1/statuses/{post.pk}/bookmark").status_code == 401
    assert not Bookmark.objects.exists()


def test_bookmarks_of_posts_hidden_since_are_left_out(api_client, alice, bob, make_post):
    post = make_post(bob, "later hidden")
    api_client(alice).post(f"/api/v1/statuses/{post.pk}/bookmark")
    actions.mute(muter=alice, target=bob)

    assert api_client(alice).get("/api/v1/bookmarks").json() == []


def test_pin_own_posts_and_read_them_from_the_profile(api_client, alice, make_post):
    first, second = make_post(alice, "first"), make_post(alice, "second")
    client = api_client(alice)

    pinned = client.post(f"/api/v1/statuses/{first.pk}/pin")
    client.post(f"/api/v1/statuses/{second.pk}/pin")

    assert pinned.status_code == 200
    assert pinned.json()["pinned"] is True
    shown = api_client().get(f"/api/v1/accounts/{alice.pk}/statuses?pinned=true")
    assert [row["content"] for row in shown.json()] == ["<p>second</p>", "<p>first</p>"]
    assert client.post(f"/api/v1/statuses/{second.pk}/unpin").json()["pinned"] is False
    shown = api_client().get(f"/api/v1/accounts/{alice.pk}/statuses?pinned=true")
    assert [row["content"] for row in shown.json()] == ["<p>first</p>"]


def test_only_own_public_or_unlisted_posts_are_pinned(api_client, alice, bob, make_post):
    others = make_post(bob, "bob's")
    private = make_post(alice, "followers only")
    Post.objects.filter(pk=private.pk).update(visibility="private")
    unlisted = make_post(alice, "unlisted")
    Post.objects.filter(pk=unlisted.pk).update(visibility="unlisted")
    client = api_client(alice)

    not_mine = client.post(f"/api/v1/statuses/{others.pk}/pin")
    not_public = client.post(f"/api/v1/statuses/{private.pk}/pin")

    assert not_mine.status_code == 422
    assert error(not_mine) == {"error": "You can only pin your own posts.", "code": "pin_not_yours"}
    assert error(not_public) == {
        "error": "Only public and unlisted posts can be pinned.",
        "code": "pin_not_public",
    }
    assert not Pin.objects.exists()
    assert client.post(f"/api/v1/statuses/{unlisted.pk}/pin").json()["pinned"] is True


def test_at_most_five_pins(api_client, alice, make_post):
    client = api_client(alice)
    posts = [make_post(alice, f"post {n}") for n in range(PINS_PER_ACCOUNT + 1)]
    for post in posts[:PINS_PER_ACCOUNT]:
        assert client.post(f"/api/v1/statuses/{post.pk}/pin").status_code == 200

    response = client.post(f"/api/v1/statuses/{posts[-1].pk}/pin")

    assert response.status_code == 422
    assert error(response) == {"error": "You can pin at most 5 posts.", "code": "pin_limit_reached"}
    assert Pin.objects.count() == PINS_PER_ACCOUNT
    # Pinning one already pinned is not a sixth.
    assert client.post(f"/api/v1/statuses/{posts[0].pk}/pin").status_code == 200


def test_favourites_are_the_callers_likes_newest_like_first(api_client, alice, bob, make_post):
    first, second = make_post(bob, "first"), make_post(bob, "second")
    actions.like(user=alice, post_id=second.pk)
    actions.like(user=alice, post_id=first.pk)
    actions.like(user=bob, post_id=second.pk)
    newest = Like.objects.get(user=alice, post=first)

    response = api_client(alice).get("/api/v1/favourites?limit=1")

    body = response.json()
    assert [row["content"] for row in body] == ["<p>first</p>"]
    assert body[0]["favourited"] is True
    assert links(response)["next"] == f"{BASE}/api/v1/favourites?limit=1&max_id={newest.pk}"
    assert [row["content"] for row in api_client(alice).get(links(response)["next"]).json()] == [
        "<p>second</p>"
    ]
    assert api_client().get("/api/v1/favourites").status_code == 401


def test_who_reblogged_and_favourited_a_status(api_client, alice, bob, make_user, make_post):
    carol = make_user("carol")
    post = make_post(alice, "popular")
    actions.repost(user=bob, post_id=post.pk)
    actions.repost(user=carol, post_id=post.pk)
    actions.repost(user=bob, post_id=post.pk, text="with a comment")
    actions.like(user=carol, post_id=post.pk)

    reblogs = api_client().get(f"/api/v1/statuses/{post.pk}/reblogged_by")
    likes = api_client(bob).get(f"/api/v1/statuses/{post.pk}/favourited_by")

    assert [row["username"] for row in reblogs.json()] == ["carol", "bob"]
    assert [row["username"] for row in likes.json()] == ["carol"]
    one = api_client().get(f"/api/v1/statuses/{post.pk}/reblogged_by?limit=1")
    assert [row["username"] for row in api_client().get(links(one)["next"]).json()] == ["bob"]
    missing = api_client().get("/api/v1/statuses/999999/favourited_by")
    assert (missing.status_code, error(missing)["code"]) == (404, "post_not_found")
    actions.block(blocker=alice, target=bob)
    hidden = api_client(bob).get(f"/api/v1/statuses/{post.pk}/reblogged_by")
    assert hidden.status_code == 404


def test_mutes_and_blocks_list_accounts_latest_first(api_client, alice, bob, make_user):
    carol = make_user("carol")
    actions.mute(muter=alice, target=bob)
    actions.mute(muter=alice, target=carol)
    actions.block(blocker=alice, target=carol)
    client = api_client(alice)

    mutes = client.get("/api/v1/mutes")
    blocks = client.get("/api/v1/blocks")

    assert [row["username"] for row in mutes.json()] == ["carol", "bob"]
    assert [row["username"] for row in blocks.json()] == ["carol"]
    first = client.get("/api/v1/mutes?limit=1")
    assert [row["username"] for row in client.get(links(first)["next"]).json()] == ["bob"]
    assert api_client(bob).get("/api/v1/mutes").json() == []
    assert api_client().get("/api/v1/blocks").status_code == 401
