"""/api/v1/statuses, timelines, notifications, markers and /api/v2/search, and a session
driven the way a Mastodon client drives a server."""

import re

import pytest

from infoconnect.api.tests.conftest import (
    ACCOUNT_FIELDS,
    BASE,
    ISO_RE,
    STATUS_FIELDS,
    VIEWER_FIELDS,
    error,
    links,
)
from infoconnect.social import actions
from infoconnect.social.models import Like, Notification, Post

pytestmark = pytest.mark.django_db


# Posting ---------------------------------------------------------------------------------


def test_post_a_status_as_a_form_returns_the_full_entity(make_user, api_client):
    alice = make_user("alice")
    make_user("bob")

    response = api_client(alice).post(
        "/api/v1/statuses", {"status": "Hi @bob, see #Tea and <script>x</script>"}
    )

    assert response.status_code == 200, response.content
    body = response.json()
    post = Post.objects.get()
    assert set(body) == STATUS_FIELDS | VIEWER_FIELDS
    assert set(body["account"]) == ACCOUNT_FIELDS
    assert re.match(ISO_RE, body["created_at"])
    bob_id = str(post.mentions.get().user_id)
    assert {k: v for k, v in body.items() if k not in ("account", "created_at")} == {
        "id": str(post.pk),
        "uri": f"{BASE}/posts/{post.pk}/",
        "url": f"{BASE}/posts/{post.pk}/",
        "edited_at": None,
        "content": (
            f'<p>Hi <a class="mention" href="{BASE}/@bob/">@bob</a>, see '
            f'<a class="hashtag" href="{BASE}/tags/tea/">#Tea</a> and '
            "&lt;script&gt;x&lt;/script&gt;</p>"
        ),
        "visibility": "public",
        "sensitive": False,
        "spoiler_text": "",
        "in_reply_to_id": None,
        "in_reply_to_account_id": None,
        "reblog": None,
        "quote": None,
        "reblogs_count": 0,
        "favourites_count": 0,
        "replies_count": 0,
        "favourited": False,
        "reblogged": False,
        "muted": False,
        "bookmarked": False,
        "pinned": False,
        "mentions": [{"id": bob_id, "username": "bob", "acct": "bob", "url": f"{BASE}/@bob/"}],
        "tags": [{"name": "tea", "url": f"{BASE}/tags/tea/"}],
        "media_attachments": [],
        "emojis": [],
        "card": None,
        "poll": None,
        "language": None,
        "filtered": [],
    }
    assert body["account"]["username"] == "alice"
    assert body["account"]["statuses_count"] == 1


def test_post_a_reply_as_json(make_user, api_client, make_post):
    alice, bob = make_user("alice"), make_user("bob")
    parent = make_post(bob, "question\n\nsecond paragraph\nline")

    response = api_client(alice).post(
        "/api/v1/statuses",
        {"status": "answer", "in_reply_to_id": str(parent.pk)},
        content_type="application/json",
    )

    assert response.status_code == 200
    body = response.json()
    assert body["in_reply_to_id"] == str(parent.pk)
    assert body["in_reply_to_account_id"] == str(bob.pk)
    assert body["content"] == "<p>answer</p>"
    parent_body = api_client().get(f"/api/v1/statuses/{parent.pk}").json()
    assert parent_body["replies_count"] == 1
    assert parent_body["content"] == "<p>question</p><p>second paragraph<br />line</p>"


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"status": ""}, 422, "post_empty"),
        ({"status": "   "}, 422, "post_empty"),
        ({}, 422, "post_empty"),
        ({"status": "x" * 2001}, 422, "post_too_long"),
        ({"status": 12}, 422, "validation_error"),
        ({"status": ["a"]}, 422, "validation_error"),
        ({"status": "hi", "in_reply_to_id": "abc"}, 404, "post_not_found"),
        ({"status": "hi", "in_reply_to_id": "999999"}, 404, "post_not_found"),
        ({"status": "hi", "in_reply_to_id": {"a": 1}}, 422, "validation_error"),
    ],
)
def test_bad_status_input_writes_nothing(make_user, api_client, payload, status, code):
    alice = make_user("alice")
    response = api_client(alice).post("/api/v1/statuses", payload, content_type="application/json")
    assert response.status_code == status, response.content
    assert error(response)["code"] == code
    assert Post.objects.count() == 0


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b"\xff\xfe"])
def test_malformed_json_is_a_422(make_user, api_client, body):
    response = api_client(make_user("alice")).post(
        "/api/v1/statuses", body, content_type="application/json"
    )
    assert response.status_code == 422
    assert error(response)["code"] == "validation_error"


def test_posting_needs_a_token(api_client):
    response = api_client().post("/api/v1/statuses", {"status": "hi"})
    assert response.status_code == 401
    assert error(response)["code"] == "not_authenticated"
    assert Post.objects.count() == 0


def test_an_anonymous_write_is_unauthenticated_and_a_session_write_needs_its_csrf_token(
    make_user,
):
    from django.test import Client

    anonymous = Client(enforce_csrf_checks=True)
    response = anonymous.post("/api/v1/statuses", {"status": "hi"})
    assert (response.status_code, error(response)["code"]) == (401, "not_authenticated")
    session = Client(enforce_csrf_checks=True)
    session.force_login(make_user("alice"))
    assert session.post("/api/v1/statuses", {"status": "hi"}).status_code == 403
    assert Post.objects.count() == 0
    session.get("/")  # the page sets the CSRF cookie
    token = session.cookies["csrftoken"].value
    response = session.post("/api/v1/statuses", {"status": "hi"}, headers={"X-CSRFToken": token})
    assert response.status_code == 200, response.content
    assert Post.objects.count() == 1


def test_blocked_account_cannot_reply(make_user, api_client, make_post):
    alice, bob = make_user("alice"), make_user("bob")
    post = make_post(alice, "mine")
    actions.block(blocker=alice, target=bob)
    response = api_client(bob).post(
        "/api/v1/statuses", {"status": "reply", "in_reply_to_id": post.pk}
    )
    assert response.status_code == 403
    assert error(response)["code"] == "blocked"
    assert Post.objects.count() == 1


def test_quote_is_a_repost_with_a_comment(make_user, api_client, make_post):
    alice, bob = make_user("alice"), make_user("bob")
    original = make_post(bob, "original")

    response = api_client(alice).post(
        "/api/v1/statuses", {"status": "so true", "quoted_status_id": original.pk}
    )

    assert response.status_code == 200
    body = response.json()
    assert body["content"] == "<p>so true</p>"
    assert body["reblog"] is None
    assert body["quote"]["state"] == "accepted"
    assert body["quote"]["quoted_status"]["id"] == str(original.pk)
    assert body["quote"]["quoted_status"]["reblogs_count"] == 1
    assert Post.objects.get(pk=body["id"]).repost_of_id == original.pk
    empty = api_client(alice).post("/api/v1/statuses", {"quoted_status_id": original.pk})
    assert error(empty)["code"] == "post_empty"


# Reading and deleting --------------------------------------------------------------------


def test_get_status_anonymously_and_unknown_ids(make_user, api_client, make_post):
    alice = make_user("alice")
    post = make_post(alice, "public")
    client = api_client()
    body = client.get(f"/api/v1/statuses/{post.pk}").json()
    assert set(body) == STATUS_FIELDS
    assert body["content"] == "<p>public</p>"
    for bad in ("424242", "abc", "99999999999999999999", "-3"):
        response = client.get(f"/api/v1/statuses/{bad}")
        assert response.status_code == 404, bad
        assert error(response)["code"] == "post_not_found"


def test_blocked_account_cannot_see_a_status(make_user, api_client, make_post):
    alice, bob = make_user("alice"), make_user("bob")
    post = make_post(alice, "hidden from bob")
    actions.block(blocker=alice, target=bob)
    response = api_client(bob).get(f"/api/v1/statuses/{post.pk}")
    assert response.status_code == 404
    assert error(response)["code"] == "post_not_found"


def test_delete_own_status_returns_its_text(make_user, api_client, make_post):
    alice = make_user("alice")
    post = make_post(alice, "regret #oops")
    client = api_client(alice)

    response = client.delete(f"/api/v1/statuses/{post.pk}")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == STATUS_FIELDS | VIEWER_FIELDS | {"text"}
    assert body["text"] == "regret #oops"
    assert body["tags"] == [{"name": "oops", "url": f"{BASE}/tags/oops/"}]
    assert not Post.objects.filter(pk=post.pk).exists()
    assert client.get(f"/api/v1/statuses/{post.pk}").status_code == 404
    assert client.get("/api/v1/accounts/verify_credentials").json()["statuses_count"] == 0


def test_cannot_delete_another_accounts_status(make_user, api_client, make_post):
    alice, bob = make_user("alice"), make_user("bob")
    post = make_post(alice, "mine")
    response = api_client(bob).delete(f"/api/v1/statuses/{post.pk}")
    assert response.status_code == 403
    assert error(response) == {
        "error": "You can only delete your own posts.",
        "code": "not_your_post",
    }
    assert Post.objects.filter(pk=post.pk).exists()
    assert api_client().delete(f"/api/v1/statuses/{post.pk}").status_code == 401
    assert api_client(bob).delete("/api/v1/statuses/abc").status_code == 404


def test_context_lists_ancestors_and_descendants(make_user, api_client, make_post):
    alice, bob = make_user("alice"), make_user("bob")
    root = make_post(alice, "root")
    middle = make_post(bob, "middle", in_reply_to=root)
    leaf = make_post(alice, "leaf", in_reply_to=middle)
    other = make_post(bob, "other", in_reply_to=root)
    client = api_client()

    body = client.get(f"/api/v1/statuses/{middle.pk}/context").json()
    assert [s["id"] for s in body["ancestors"]] == [str(root.pk)]
    assert [s["id"] for s in body["descendants"]] == [str(leaf.pk)]
    body = client.get(f"/api/v1/statuses/{root.pk}/context").json()
    assert body["ancestors"] == []
    assert [s["id"] for s in body["descendants"]] == [str(middle.pk), str(leaf.pk), str(other.pk)]
    assert body["descendants"][0]["in_reply_to_account_id"] == str(alice.pk)
    assert client.get("/api/v1/statuses/0/context").status_code == 404


# Reblogs and favourites --------------------------------------------------------------------


def test_reblog_and_unreblog(make_user, api_client, make_post):
    alice, bob = make_user("alice"), make_user("bob")
    original = make_post(bob, "worth sharing")
    client = api_client(alice)

    response = client.post(f"/api/v1/statuses/{original.pk}/reblog")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] != str(original.pk)
    assert body["content"] == ""
    assert body["reblogged"] is True
    assert body["account"]["username"] == "alice"
    assert body["reblog"]["id"] == str(original.pk)
    assert body["reblog"]["reblogged"] is True
    assert body["reblog"]["reblogs_count"] == 1
    assert set(body["reblog"]) == STATUS_FIELDS | VIEWER_FIELDS
    # A second reblog is the same reblog.
    assert client.post(f"/api/v1/statuses/{original.pk}/reblog").json()["id"] == body["id"]

    undone = client.post(f"/api/v1/statuses/{original.pk}/unreblog").json()
    assert undone["id"] == str(original.pk)
    assert undone["reblogged"] is False
    assert undone["reblogs_count"] == 0
    assert not Post.objects.filter(repost_of=original).exists()


def test_favourite_and_unfavourite(make_user, api_client, make_post):
    alice, bob = make_user("alice"), make_user("bob")
    post = make_post(bob, "like me")
    client = api_client(alice)

    body = client.post(f"/api/v1/statuses/{post.pk}/favourite").json()
    assert (body["id"], body["favourited"], body["favourites_count"]) == (str(post.pk), True, 1)
    assert client.post(f"/api/v1/statuses/{post.pk}/favourite").json()["favourites_count"] == 1
    body = client.post(f"/api/v1/statuses/{post.pk}/unfavourite").json()
    assert (body["favourited"], body["favourites_count"]) == (False, 0)
    assert Like.objects.count() == 0


@pytest.mark.parametrize("verb", ["reblog", "favourite"])
def test_blocked_account_cannot_reblog_or_favourite(make_user, api_client, make_post, verb):
    alice, bob = make_user("alice"), make_user("bob")
    post = make_post(alice, "mine")
    actions.block(blocker=alice, target=bob)
    response = api_client(bob).post(f"/api/v1/statuses/{post.pk}/{verb}")
    assert response.status_code == 403
    assert error(response)["code"] == "blocked"
    assert Like.objects.count() == 0
    assert Post.objects.count() == 1


@pytest.mark.parametrize("verb", ["reblog", "unreblog", "favourite", "unfavourite"])
def test_status_writes_need_a_token_and_a_real_status(make_user, api_client, make_post, verb):
    post = make_post(make_user("alice"), "x")
    assert api_client().post(f"/api/v1/statuses/{post.pk}/{verb}").status_code == 401
    for bad in ("777777", "x1"):
        response = api_client(make_user(f"u_{bad}")).post(f"/api/v1/statuses/{bad}/{verb}")
        assert response.status_code == 404
        assert error(response)["code"] == "post_not_found"


# Timelines -------------------------------------------------------------------------------


def test_home_timeline_pages_with_link_header(make_user, api_client, make_post):
    alice, bob, stranger = make_user("alice"), make_user("bob"), make_user("stranger")
    actions.follow(follower=alice, target=bob)
    posts = [make_post(bob if n % 2 else alice, f"home {n}") for n in range(5)]
    make_post(stranger, "not followed")
    client = api_client(alice)

    response = client.get("/api/v1/timelines/home", {"limit": 3})
    assert response.status_code == 200
    assert [s["content"] for s in response.json()] == [
        "<p>home 4</p>",
        "<p>home 3</p>",
        "<p>home 2</p>",
    ]
    assert links(response) == {
        "next": f"{BASE}/api/v1/timelines/home?limit=3&max_id={posts[2].pk}",
        "prev": f"{BASE}/api/v1/timelines/home?limit=3&min_id={posts[4].pk}",
    }
    older = client.get(links(response)["next"])
    assert [s["id"] for s in older.json()] == [str(posts[1].pk), str(posts[0].pk)]
    newer = client.get("/api/v1/timelines/home", {"min_id": posts[0].pk, "limit": 2})
    assert [s["id"] for s in newer.json()] == [str(posts[2].pk), str(posts[1].pk)]
    since = client.get("/api/v1/timelines/home", {"since_id": posts[2].pk})
    assert [s["id"] for s in since.json()] == [str(posts[4].pk), str(posts[3].pk)]


def test_home_timeline_needs_a_token(api_client):
    response = api_client().get("/api/v1/timelines/home")
    assert response.status_code == 401
    assert error(response)["code"] == "not_authenticated"


def test_tag_timeline_is_public(make_user, api_client, make_post):
    alice = make_user("alice")
    first = make_post(alice, "#Tea time")
    make_post(alice, "no tag")
    second = make_post(alice, "more #茶叶# and #tea")
    client = api_client()

    response = client.get("/api/v1/timelines/tag/tea")
    assert [s["id"] for s in response.json()] == [str(second.pk), str(first.pk)]
    assert links(response)["next"] == f"{BASE}/api/v1/timelines/tag/tea?max_id={first.pk}"
    assert [s["id"] for s in client.get("/api/v1/timelines/tag/茶叶").json()] == [str(second.pk)]
    assert client.get("/api/v1/timelines/tag/unknown").json() == []


# Notifications ---------------------------------------------------------------------------


def test_notifications_use_mastodon_types(make_user, api_client, make_post):
    alice, bob = make_user("alice"), make_user("bob")
    post = make_post(alice, "hello")
    actions.follow(follower=bob, target=alice)
    mention = make_post(bob, "hey @alice")
    comment = make_post(bob, "nice", in_reply_to=post)
    actions.repost(user=bob, post_id=post.pk)
    actions.like(user=bob, post_id=post.pk)
    client = api_client(alice)

    response = client.get("/api/v1/notifications")

    assert response.status_code == 200
    body = response.json()
    assert [(n["type"], n.get("status", {}).get("id")) for n in body] == [
        ("favourite", str(post.pk)),
        ("reblog", str(post.pk)),
        ("mention", str(comment.pk)),
        ("mention", str(mention.pk)),
        ("follow", None),
    ]
    assert set(body[0]) == {"id", "type", "group_key", "created_at", "account", "status"}
    assert set(body[-1]) == {"id", "type", "group_key", "created_at", "account"}
    assert body[0]["account"]["username"] == "bob"
    assert re.match(ISO_RE, body[0]["created_at"])

    page = client.get("/api/v1/notifications", {"limit": 2})
    assert len(page.json()) == 2
    rest = client.get(links(page)["next"])
    assert [n["type"] for n in rest.json()] == ["mention", "mention"]
    assert [n["type"] for n in client.get(links(rest)["next"]).json()] == ["follow"]


def test_notifications_need_a_token(api_client):
    assert error(api_client().get("/api/v1/notifications"))["code"] == "not_authenticated"


def test_markers_mark_notifications_read(make_user, api_client):
    alice, bob = make_user("alice"), make_user("bob")
    actions.follow(follower=bob, target=alice)
    notification = Notification.objects.get()
    client = api_client(alice)

    response = client.post("/api/v1/markers", {"notifications[last_read_id]": notification.pk})

    assert response.status_code == 200
    assert response.json()["notifications"]["last_read_id"] == str(notification.pk)
    assert Notification.objects.get().read_at is not None
    assert api_client().post("/api/v1/markers", {}).status_code == 401


# Search ----------------------------------------------------------------------------------


def test_search_finds_accounts_statuses_and_hashtags(make_user, api_client, make_post):
    tea = make_user("teashop", kind="merchant", verified=True)
    post = make_post(tea, "fresh tea #teatime")
    client = api_client()

    response = client.get("/api/v2/search", {"q": "tea"})

    assert response.status_code == 200
    body = response.json()
    assert [a["username"] for a in body["accounts"]] == ["teashop"]
    assert body["accounts"][0]["verified_merchant"] is True
    assert [s["id"] for s in body["statuses"]] == [str(post.pk)]
    assert body["hashtags"] == [{"name": "teatime", "url": f"{BASE}/tags/teatime/", "history": []}]

    only = client.get("/api/v2/search", {"q": "tea", "type": "hashtags"}).json()
    assert (only["accounts"], only["statuses"], len(only["hashtags"])) == ([], [], 1)
    assert client.get("/api/v2/search", {"q": "tea", "offset": 20}).json() == {
        "accounts": [],
        "statuses": [],
        "hashtags": [],
    }
    bad = client.get("/api/v2/search", {"q": "tea", "type": "groups"})
    assert bad.status_code == 422
    assert error(bad)["code"] == "validation_error"
    assert client.get("/api/v2/search").status_code == 422


# A Mastodon client's session ---------------------------------------------------------------


def test_a_mastodon_client_session(make_user, api_client):
    """What an app does: who am I, post, read home, favourite; the author is notified."""
    alice, bob = make_user("alice"), make_user("bob")
    alice_app, bob_app = api_client(alice), api_client(bob)

    me = alice_app.get("/api/v1/accounts/verify_credentials").json()
    assert me["username"] == "alice"
    assert bob_app.get("/api/v1/instance").json()["configuration"]["statuses"] == {
        "max_characters": 2000,
        "max_media_attachments": 9,
        "characters_reserved_per_url": 0,
    }

    found = bob_app.get("/api/v1/accounts/lookup", {"acct": me["acct"]}).json()
    assert bob_app.post(f"/api/v1/accounts/{found['id']}/follow").json()["following"] is True

    status = alice_app.post("/api/v1/statuses", {"status": "Tea is ready"}).json()
    home = bob_app.get("/api/v1/timelines/home").json()
    assert [s["id"] for s in home] == [status["id"]]
    assert home[0]["favourited"] is False

    favourited = bob_app.post(f"/api/v1/statuses/{home[0]['id']}/favourite").json()
    assert favourited["favourited"] is True
    assert bob_app.get("/api/v1/timelines/home").json()[0]["favourites_count"] == 1

    notifications = alice_app.get("/api/v1/notifications").json()
    assert [(n["type"], n["account"]["username"]) for n in notifications] == [
        ("favourite", "bob"),
        ("follow", "bob"),
    ]
    assert notifications[0]["status"]["id"] == status["id"]
    assert notifications[0]["status"]["favourited"] is False


# Retries, sessions and cost ---------------------------------------------------------------


def test_idempotency_key_posts_once(make_user, api_client):
    alice = make_user("alice")
    client = api_client(alice)
    headers = {"Idempotency-Key": "8d1c5a0e-retry"}

    first = client.post("/api/v1/statuses", {"status": "only once"}, headers=headers)
    again = client.post("/api/v1/statuses", {"status": "only once"}, headers=headers)

    assert first.status_code == again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert Post.objects.count() == 1
    reused = client.post("/api/v1/statuses", {"status": "something else"}, headers=headers)
    assert reused.status_code == 409
    assert error(reused)["code"] == "idempotency_key_reused"

    empty_headers = {"Idempotency-Key": "empty-one"}
    for _ in range(2):
        response = client.post("/api/v1/statuses", {"status": ""}, headers=empty_headers)
        assert response.status_code == 422
        assert error(response) == {"error": "Write something first.", "code": "post_empty"}
    assert Post.objects.count() == 1


def test_browser_session_reads_and_needs_csrf_to_write(make_user):
    from django.test import Client

    alice = make_user("alice")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)
    assert browser.get("/api/v1/accounts/verify_credentials").json()["username"] == "alice"
    response = browser.post("/api/v1/statuses", {"status": "no csrf"})
    assert response.status_code == 403
    assert error(response)["code"] == "forbidden"
    assert Post.objects.count() == 0


def test_uploaded_avatar_is_an_absolute_url(make_user, api_client):
    alice = make_user("alice", avatar="avatars/a1.png", avatar_thumb="avatars/thumbs/a1.webp")
    body = api_client().get(f"/api/v1/accounts/{alice.pk}").json()
    assert body["avatar"] == f"{BASE}/media/avatars/a1.png"
    assert body["avatar_static"] == f"{BASE}/media/avatars/thumbs/a1.webp"


def test_quote_notification_carries_the_comment(make_user, api_client, make_post):
    alice, bob = make_user("alice"), make_user("bob")
    post = make_post(alice, "original")
    quote = actions.repost(user=bob, post_id=post.pk, text="my take")
    body = api_client(alice).get("/api/v1/notifications").json()
    assert [(n["type"], n["status"]["id"]) for n in body] == [("reblog", str(quote.pk))]
    assert body[0]["status"]["content"] == "<p>my take</p>"
    assert body[0]["status"]["quote"]["quoted_status"]["id"] == str(post.pk)


def test_a_page_costs_a_fixed_number_of_queries(
    make_user, api_client, make_post, django_assert_max_num_queries
):
    alice = make_user("alice")
    others = [make_user(f"user{n}") for n in range(4)]
    for other in others:
        actions.follow(follower=alice, target=other)
    for n in range(12):
        post = make_post(others[n % 4], f"hi @user{(n + 1) % 4} #topic{n % 3}")
        make_post(others[(n + 2) % 4], "reply", in_reply_to=post)
        if n % 4 == 0:
            actions.repost(user=others[(n + 1) % 4], post_id=post.pk)
        if n % 3 == 0:
            actions.repost(user=others[(n + 2) % 4], post_id=post.pk, text="quoted")
        actions.like(user=alice, post_id=post.pk)
    client = api_client(alice)

    # Token, timeline, mentions, tags, reply authors, likes, reposts, last-post times,
    # product cards, pictures, the viewer's filters.
    with django_assert_max_num_queries(11):
        response = client.get("/api/v1/timelines/home", {"limit": 40})
    # 12 posts and 4 quotes, 3 of the posts shown by their plain reposts (a post shows once);
    # replies stay on their threads.
    assert len(response.json()) == 16
    expected = Notification.objects.filter(recipient=others[0]).count()
    assert expected > 10
    client = api_client(others[0])
    # The same, with notifications for the timeline and one more for their orders.
    with django_assert_max_num_queries(12):
        assert len(client.get("/api/v1/notifications").json()) == expected


def test_blocked_account_cannot_notify_and_muted_account_leaves_home(
    make_user, api_client, make_post
):
    alice, bob, carol = make_user("alice"), make_user("bob"), make_user("carol")
    actions.follow(follower=alice, target=carol)
    actions.block(blocker=alice, target=bob)
    bob_client, alice_client = api_client(bob), api_client(alice)

    mention = bob_client.post("/api/v1/statuses", {"status": "hey @alice"})
    assert mention.status_code == 200
    assert mention.json()["mentions"] == []
    assert alice_client.get("/api/v1/notifications").json() == []

    make_post(carol, "carol speaks")
    assert len(alice_client.get("/api/v1/timelines/home").json()) == 1
    alice_client.post(f"/api/v1/accounts/{carol.pk}/mute")
    assert alice_client.get("/api/v1/timelines/home").json() == []


def test_notifications_filtered_by_type(make_user, api_client, make_post, monkeypatch):
    # Two rows per selector page, so filtering has to read on through several pages.
    monkeypatch.setattr("infoconnect.api.notifications.MAX_LIMIT", 2)
    alice, bob = make_user("alice"), make_user("bob")
    posts = [make_post(alice, f"post {n}") for n in range(3)]
    mentions = [make_post(bob, f"@alice number {n}") for n in range(3)]
    for post in posts:
        actions.like(user=bob, post_id=post.pk)
    actions.follow(follower=bob, target=alice)
    client = api_client(alice)

    only = client.get("/api/v1/notifications?types[]=mention&limit=2")
    assert [n["status"]["id"] for n in only.json()] == [str(mentions[2].pk), str(mentions[1].pk)]
    rest = client.get(links(only)["next"])
    assert [n["status"]["id"] for n in rest.json()] == [str(mentions[0].pk)]
    assert "types%5B%5D=mention" in links(only)["next"]
    newer = client.get(
        "/api/v1/notifications",
        {"types[]": "mention", "min_id": only.json()[1]["id"], "limit": 5},
    )
    assert [n["status"]["id"] for n in newer.json()] == [str(mentions[2].pk)]

    body = client.get(
        "/api/v1/notifications?exclude_types[]=favourite&exclude_types[]=mention"
    ).json()
    assert [n["type"] for n in body] == ["follow"]
    both = client.get("/api/v1/notifications?types[]=favourite&types[]=follow&limit=40").json()
    assert [n["type"] for n in both] == ["follow", "favourite", "favourite", "favourite"]
