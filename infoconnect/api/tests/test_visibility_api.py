"""Visibility on every API read, for each pair of a status's visibility and a kind of
viewer (author, follower, mentioned, stranger, anonymous, blocked, blocker): the status,
the account's statuses, the home, public and tag timelines, search, context, reblogs and
quotes, notifications; the public timeline's parameters; the status fields visibility
brings; and the reblog Mastodon refuses."""

from datetime import UTC, datetime

import pytest

from infoconnect.api.tests.conftest import BASE, error, links
from infoconnect.social import actions
from infoconnect.social.models import Like, MediaAttachment, Post, Visibility
from infoconnect.social.tests.visibility_world import (
    PAIRS,
    READERS,
    VISIBILITIES,
    build_world,
    pair_id,
)

pytestmark = pytest.mark.django_db

SECRET = "Plans for the tea party"
pairs = pytest.mark.parametrize(("visibility", "viewer"), PAIRS, ids=map(pair_id, PAIRS))


@pytest.fixture
def world(make_user):
    return build_world(make_user)


@pytest.fixture
def as_viewer(api_client, world):
    return lambda kind: api_client(world[kind])


def ids_of(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [status["id"] for status in response.json()]


# One status ------------------------------------------------------------------------------


@pairs
def test_get_status(world, as_viewer, visibility, viewer):
    post = world.post(visibility, f"{SECRET} @mona")
    response = as_viewer(viewer).get(f"/api/v1/statuses/{post.pk}")
    if viewer in READERS[visibility]:
        assert response.status_code == 200
        assert (response.json()["id"], response.json()["visibility"]) == (
            str(post.pk),
            visibility,
        )
    else:
        assert response.status_code == 404
        assert error(response)["code"] == "post_not_found"


@pairs
def test_account_statuses(world, as_viewer, visibility, viewer):
    post = world.post(visibility, f"{SECRET} @mona")
    found = ids_of(as_viewer(viewer).get(f"/api/v1/accounts/{world.author.pk}/statuses"))
    assert found == ([str(post.pk)] if viewer in READERS[visibility] else [])


# Timelines -------------------------------------------------------------------------------


@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("viewer", ["author", "follower", "mentioned"])
def test_home_timeline(world, as_viewer, visibility, viewer):
    if viewer == "mentioned":
        actions.follow(follower=world["mentioned"], target=world.author)
    post = world.post(visibility, f"{SECRET} @mona")
    found = ids_of(as_viewer(viewer).get("/api/v1/timelines/home"))
    assert found == ([str(post.pk)] if viewer in READERS[visibility] else [])


@pairs
def test_public_timeline_lists_public_statuses_only(world, as_viewer, visibility, viewer):
    post = world.post(visibility, f"{SECRET} @mona")
    listed = visibility == Visibility.PUBLIC and viewer in READERS[visibility]
    for query in ("", "?local=true"):
        found = ids_of(as_viewer(viewer).get(f"/api/v1/timelines/public{query}"))
        assert found == ([str(post.pk)] if listed else [])


@pairs
def test_tag_timeline_lists_public_statuses_only(world, as_viewer, visibility, viewer):
    post = world.post(visibility, f"{SECRET} #tea @mona")
    listed = visibility == Visibility.PUBLIC and viewer in READERS[visibility]
    found = ids_of(as_viewer(viewer).get("/api/v1/timelines/tag/tea"))
    assert found == ([str(post.pk)] if listed else [])


@pairs
def test_search(world, as_viewer, visibility, viewer):
    post = world.post(visibility, f"{SECRET} @mona")
    response = as_viewer(viewer).get("/api/v2/search", {"q": "tea party", "type": "statuses"})
    assert response.status_code == 200
    found = viewer in READERS[visibility] and (
        visibility != Visibility.UNLISTED or viewer == "author"
    )
    assert [s["id"] for s in response.json()["statuses"]] == ([str(post.pk)] if found else [])


# Context, reblogs, quotes ----------------------------------------------------------------


@pairs
def test_context(world, make_user, as_viewer, visibility, viewer):
    carol = make_user("carol")
    root = actions.create_post(author=carol, text="What shall we bring?")
    comment = actions.create_post(
        author=world.author, text=f"{SECRET} @mona", in_reply_to_id=root.pk
    )
    Post.objects.filter(pk=comment.pk).update(visibility=visibility)
    response = as_viewer(viewer).get(f"/api/v1/statuses/{root.pk}/context")
    assert response.status_code == 200
    descendants = [s["id"] for s in response.json()["descendants"]]
    assert descendants == ([str(comment.pk)] if viewer in READERS[visibility] else [])
    # The comment's own context is as readable as the comment.
    own = as_viewer(viewer).get(f"/api/v1/statuses/{comment.pk}/context")
    assert own.status_code == (200 if viewer in READERS[visibility] else 404)


@pairs
def test_a_reblog_shows_only_where_its_original_may_be_read(
    world, make_user, as_viewer, visibility, viewer
):
    carol = make_user("carol")
    original = world.post(Visibility.PUBLIC, f"{SECRET} @mona")
    shared = actions.repost(user=carol, post_id=original.pk)
    quote = actions.repost(user=carol, post_id=original.pk, text="Carol agrees")
    Post.objects.filter(pk=original.pk).update(visibility=visibility)
    may = viewer in READERS[visibility]
    client = as_viewer(viewer)
    found = ids_of(client.get(f"/api/v1/accounts/{carol.pk}/statuses"))
    assert found == ([str(quote.pk), str(shared.pk)] if may else [])
    if viewer != "anonymous":
        # On the home timeline of an account following the reposter too.
        actions.follow(follower=world[viewer], target=carol)
        home = ids_of(client.get("/api/v1/timelines/home"))
        # Where the viewer follows the original's author too, the newer plain repost stands
        # for it: a post shows once on a timeline.
        assert home == ([str(quote.pk), str(shared.pk)] if may else [])
    for status in (shared, quote):
        assert client.get(f"/api/v1/statuses/{status.pk}").status_code == (200 if may else 404)


# Notifications ---------------------------------------------------------------------------


@pytest.mark.parametrize("visibility", VISIBILITIES)
def test_a_comment_notification_shows_only_when_the_comment_may_be_read(
    world, make_user, api_client, visibility
):
    carol = make_user("carol")
    root = actions.create_post(author=carol, text="Tea?")
    comment = actions.create_post(author=world.author, text=SECRET, in_reply_to_id=root.pk)
    Post.objects.filter(pk=comment.pk).update(visibility=visibility)
    rows = api_client(carol).get("/api/v1/notifications").json()
    readable = visibility in (Visibility.PUBLIC, Visibility.UNLISTED)
    assert [(n["type"], n["status"]["id"]) for n in rows] == (
        [("mention", str(comment.pk))] if readable else []
    )


@pytest.mark.parametrize("visibility", VISIBILITIES)
def test_a_mention_notification_leaves_when_the_author_blocks(world, as_viewer, visibility):
    post = world.post(visibility, f"{SECRET} @mona")
    client = as_viewer("mentioned")
    rows = client.get("/api/v1/notifications").json()
    assert [(n["type"], n["status"]["id"]) for n in rows] == [("mention", str(post.pk))]
    actions.block(blocker=world.author, target=world["mentioned"])
    assert client.get("/api/v1/notifications").json() == []


# Reblogs and favourites of what one may not read -----------------------------------------


@pytest.mark.parametrize("visibility", [Visibility.PRIVATE, Visibility.DIRECT])
@pytest.mark.parametrize("viewer", ["author", "mentioned"])
def test_reblog_of_a_followers_only_or_direct_status_is_refused(
    world, as_viewer, visibility, viewer
):
    post = world.post(visibility, f"{SECRET} @mona")
    client = as_viewer(viewer)
    response = client.post(f"/api/v1/statuses/{post.pk}/reblog")
    assert response.status_code == 422
    assert error(response) == {
        "error": "Only public and unlisted posts can be reposted.",
        "code": "cannot_repost",
    }
    quoted = client.post("/api/v1/statuses", {"status": "look", "quoted_status_id": str(post.pk)})
    assert (quoted.status_code, error(quoted)["code"]) == (422, "cannot_repost")
    assert Post.objects.count() == 1
    assert Post.objects.get().reposts_count == 0


@pytest.mark.parametrize("visibility", [Visibility.PUBLIC, Visibility.UNLISTED])
def test_reblog_of_an_open_status(world, as_viewer, visibility):
    post = world.post(visibility, f"{SECRET} @mona")
    response = as_viewer("stranger").post(f"/api/v1/statuses/{post.pk}/reblog")
    assert response.status_code == 200
    body = response.json()
    assert (body["visibility"], body["reblog"]["id"], body["reblog"]["visibility"]) == (
        "public",
        str(post.pk),
        visibility,
    )


OUTSIDERS = [(v, kind) for v, kind in PAIRS if kind not in READERS[v] and kind != "anonymous"]


@pytest.mark.parametrize(("visibility", "viewer"), OUTSIDERS, ids=map(pair_id, OUTSIDERS))
def test_acting_on_a_status_one_may_not_read(world, as_viewer, visibility, viewer):
    post = world.post(visibility, f"{SECRET} @mona")
    client = as_viewer(viewer)
    expected = ("blocked", 403) if viewer in ("blocked", "blocker") else ("post_not_found", 404)
    for response in (
        client.post(f"/api/v1/statuses/{post.pk}/favourite"),
        client.post(f"/api/v1/statuses/{post.pk}/reblog"),
        client.post("/api/v1/statuses", {"status": "me too", "in_reply_to_id": str(post.pk)}),
    ):
        assert (error(response)["code"], response.status_code) == expected
    assert Like.objects.count() == 0
    assert Post.objects.count() == 1


def test_favourite_of_a_followers_only_status_by_a_follower(world, as_viewer):
    post = world.post(Visibility.PRIVATE, f"{SECRET} @mona")
    response = as_viewer("follower").post(f"/api/v1/statuses/{post.pk}/favourite")
    assert response.status_code == 200
    assert (response.json()["favourites_count"], response.json()["favourited"]) == (1, True)


# The status entity -----------------------------------------------------------------------


def test_status_fields_come_from_the_row(world, as_viewer):
    post = world.post(Visibility.PRIVATE, f"{SECRET} @mona")
    edited = datetime(2026, 5, 4, 3, 2, 1, 456789, tzinfo=UTC)
    Post.objects.filter(pk=post.pk).update(
        spoiler_text="Party spoilers", sensitive=True, language="zh", edited_at=edited
    )
    body = as_viewer("follower").get(f"/api/v1/statuses/{post.pk}").json()
    assert {k: body[k] for k in ("visibility", "spoiler_text", "sensitive", "language")} == {
        "visibility": "private",
        "spoiler_text": "Party spoilers",
        "sensitive": True,
        "language": "zh",
    }
    assert body["edited_at"] == "2026-05-04T03:02:01.456Z"


def test_status_fields_when_unset(world, as_viewer):
    post = world.post(Visibility.UNLISTED, SECRET)
    body = as_viewer("anonymous").get(f"/api/v1/statuses/{post.pk}").json()
    assert {
        k: body[k] for k in ("visibility", "spoiler_text", "sensitive", "language", "edited_at")
    } == {
        "visibility": "unlisted",
        "spoiler_text": "",
        "sensitive": False,
        "language": None,
        "edited_at": None,
    }


# The public timeline's parameters --------------------------------------------------------


def test_public_timeline_pages_with_link_header(make_user, api_client):
    alice = make_user("alice")
    posts = [actions.create_post(author=alice, text=f"post {n}") for n in range(5)]
    posts.reverse()  # newest first
    client = api_client()
    response = client.get("/api/v1/timelines/public", {"limit": 3, "local": "true"})
    assert ids_of(response) == [str(p.pk) for p in posts[:3]]
    assert links(response) == {
        "next": f"{BASE}/api/v1/timelines/public?limit=3&local=true&max_id={posts[2].pk}",
        "prev": f"{BASE}/api/v1/timelines/public?limit=3&local=true&min_id={posts[0].pk}",
    }
    older = client.get("/api/v1/timelines/public", {"max_id": posts[2].pk})
    assert ids_of(older) == [str(posts[3].pk), str(posts[4].pk)]
    newer = client.get("/api/v1/timelines/public", {"min_id": posts[4].pk, "limit": 2})
    assert ids_of(newer) == [str(posts[2].pk), str(posts[3].pk)]
    since = client.get("/api/v1/timelines/public", {"since_id": posts[2].pk})
    assert ids_of(since) == [str(posts[0].pk), str(posts[1].pk)]


def test_public_timeline_leaves_out_comments_and_plain_reblogs(make_user, api_client):
    alice, bob = make_user("alice"), make_user("bob")
    post = actions.create_post(author=alice, text="hello")
    actions.create_post(author=bob, text="a comment", in_reply_to_id=post.pk)
    actions.repost(user=bob, post_id=post.pk)
    quote = actions.repost(user=bob, post_id=post.pk, text="look at this")
    found = ids_of(api_client().get("/api/v1/timelines/public"))
    assert found == [str(quote.pk), str(post.pk)]


def test_public_timeline_remote_is_empty_and_only_media_keeps_pictures(make_user, api_client):
    alice = make_user("alice")
    plain = actions.create_post(author=alice, text="words")
    pictured = actions.create_post(author=alice, text="a picture")
    MediaAttachment.objects.create(
        owner=alice, post=pictured, image="media/a.png", thumbnail="media/thumbs/a.png"
    )
    client = api_client()
    assert ids_of(client.get("/api/v1/timelines/public")) == [str(pictured.pk), str(plain.pk)]
    assert ids_of(client.get("/api/v1/timelines/public", {"remote": "true"})) == []
    assert ids_of(client.get("/api/v1/timelines/public", {"only_media": "true"})) == [
        str(pictured.pk)
    ]
    assert ids_of(client.get(f"/api/v1/accounts/{alice.pk}/statuses", {"only_media": "true"})) == [
        str(pictured.pk)
    ]


def test_public_timeline_rejects_a_bad_flag(api_client):
    response = api_client().get("/api/v1/timelines/public", {"local": "perhaps"})
    assert response.status_code == 422
    assert error(response)["code"] == "validation_error"
