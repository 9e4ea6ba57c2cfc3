"""The microblog's pages and htmx fragments, as a person sees them."""

import re
from datetime import datetime
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from infoconnect.social import actions
from infoconnect.social.models import Follow, FollowedTag, Like, Notification, Post

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true", "HX-Current-URL": "http://testserver/"}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def text_of(response) -> str:
    """What a person reads on the page: tags dropped, whitespace collapsed."""
    parser = _Text()
    parser.feed(response.content.decode())
    return re.sub(r"\s+", " ", " ".join(parser.parts)).strip()


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def alice(make_user):
    return make_user("alice", display_name="Alice Wang")


@pytest.fixture
def bob(make_user):
    return make_user("bob", display_name="Bob Li")


@pytest.fixture
def shop(make_user):
    return make_user("teashop", kind="merchant", verified=True, display_name="Tea House")


# Home timeline ------------------------------------------------------------------------


def test_anonymous_home_is_a_landing_page_with_sign_up_and_log_in(client):
    response = client.get("/")
    assert response.status_code == 200
    page = text_of(response)
    assert "Follow the people and shops you like" in page
    assert f'href="{reverse("accounts:signup")}"' in response.content.decode()
    assert f'href="{reverse("accounts:login")}"' in response.content.decode()
    assert "What's happening?" not in page


def test_home_shows_own_and_followed_posts_newest_first(alice, bob, shop, make_user):
    stranger = make_user("stranger")
    actions.follow(follower=alice, target=shop)
    actions.create_post(author=alice, text="my first post")
    actions.create_post(author=shop, text="New oolong in stock")
    actions.create_post(author=stranger, text="not followed")
    actions.repost(user=shop, post_id=actions.create_post(author=bob, text="bob says hi").pk)

    response = client_for(alice).get("/")
    page = text_of(response)
    assert response.status_code == 200
    assert "What's happening?" in page
    assert "0 / 2000" in page
    assert "not followed" not in page
    # Newest first: the merchant's repost, then its post, then Alice's.
    assert page.index("Tea House reposted") < page.index("bob says hi")
    assert page.index("bob says hi") < page.index("New oolong in stock")
    assert page.index("New oolong in stock") < page.index("my first post")
    assert "Tea House @teashop Verified" in page


def test_home_pages_older_posts_by_cursor(alice):
    posts = [actions.create_post(author=alice, text=f"post number {n}") for n in range(21)]
    client = client_for(alice)
    first = client.get("/")
    page = text_of(first)
    assert "post number 20" in page
    assert "post number 1 " in page + " "
    assert "post number 0" not in page
    assert f'href="?max_id={posts[1].pk}"' in first.content.decode()
    assert "Older posts" in page

    second = client.get(f"/?max_id={posts[1].pk}")
    page = text_of(second)
    assert "post number 0" in page
    assert "post number 1 " not in page + " "
    assert "Older posts" not in page


def test_home_costs_the_same_queries_however_many_posts_it_shows(alice, bob, shop):
    actions.follow(follower=alice, target=bob)
    actions.follow(follower=alice, target=shop)

    def add_mixed_posts():
        original = actions.create_post(author=shop, text="original")
        actions.repost(user=bob, post_id=original.pk)
        actions.repost(user=bob, post_id=original.pk, text="quoted")
        actions.like(user=alice, post_id=original.pk)

    def queries_for_home() -> int:
        client = client_for(alice)
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/").status_code == 200
        return len(captured)

    add_mixed_posts()
    few = queries_for_home()
    for _ in range(5):
        add_mixed_posts()
    assert queries_for_home() == few


def test_home_shows_times_in_shanghai_time(alice):
    post = actions.create_post(author=alice, text="timed")
    Post.objects.filter(pk=post.pk).update(
        created_at=datetime(2026, 1, 2, 16, 30, tzinfo=ZoneInfo("UTC"))
    )
    # The exact local time shows on hover over the relative one.
    page = client_for(alice).get("/").content.decode()
    assert 'title="2026-01-03 00:30"' in page


def test_home_needs_a_get(alice):
    assert client_for(alice).post("/").status_code == 405


# Posting ------------------------------------------------------------------------------


def test_posting_with_htmx_returns_the_new_post_escaped_and_linked(alice, bob):
    response = client_for(alice).post(
        reverse("social:post_create"),
        {"text": "Hi @bob <script>alert(1)</script> #Tea and #春茶# https://example.com/x."},
        headers=HTMX,
    )
    assert response.status_code == 200
    body = response.content.decode()
    post = Post.objects.get(author=alice)
    assert f'id="post-{post.pk}"' in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<script>alert" not in body
    assert '<a class="mention" href="/@bob/">@bob</a>' in body
    assert '<a class="hashtag" href="/tags/tea/">#Tea</a>' in body
    assert 'href="https://example.com/x"' in body
    assert "Alice Wang @alice" in text_of(response)
    assert Notification.objects.filter(recipient=bob, kind="mention").count() == 1


def test_posting_without_htmx_redirects_home_with_a_message(alice):
    client = client_for(alice)
    response = client.post(reverse("social:post_create"), {"text": "plain form"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    page = text_of(client.get("/"))
    assert "Your post is published." in page
    assert "plain form" in page


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("   ", "Write something first."),
        ("x" * 2001, "A post can have at most 2,000 characters."),
    ],
)
def test_posting_bad_text_shows_the_error_inline_and_writes_nothing(alice, text, message):
    client = client_for(alice)
    response = client.post(reverse("social:post_create"), {"text": text}, headers=HTMX)
    assert response.status_code == 422
    assert text_of(response) == message
    assert response["HX-Reswap"] == "innerHTML"

    page = client.post(reverse("social:post_create"), {"text": text})
    assert page.status_code == 422
    assert message in text_of(page)
    assert Post.objects.count() == 0
    alice.refresh_from_db()
    assert alice.posts_count == 0


def test_posting_2000_characters_is_allowed(alice):
    response = client_for(alice).post(
        reverse("social:post_create"), {"text": "字" * 2000}, headers=HTMX
    )
    assert response.status_code == 200
    assert len(Post.objects.get().text) == 2000


def test_anonymous_cannot_post(client):
    response = client.post(reverse("social:post_create"), {"text": "hello"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    htmx = client.post(reverse("social:post_create"), {"text": "hello"}, headers=HTMX)
    assert htmx.status_code == 401
    assert htmx["HX-Redirect"] == "/accounts/login/?next=/"
    assert Post.objects.count() == 0


# Likes, reposts, deletes ----------------------------------------------------------------


def test_like_and_unlike_toggle_the_button_and_count(alice, bob):
    post = actions.create_post(author=bob, text="like me")
    client = client_for(alice)
    liked = client.post(reverse("social:like", args=[post.pk]), headers=HTMX)
    assert liked.status_code == 200
    assert "Liked 1" in text_of(liked)
    assert 'aria-pressed="true"' in liked.content.decode()
    assert Like.objects.filter(user=alice, post=post).exists()
    assert Notification.objects.get(recipient=bob).kind == "like"

    again = client.post(reverse("social:like", args=[post.pk]), headers=HTMX)
    assert "Liked 1" in text_of(again)

    unliked = client.post(reverse("social:unlike", args=[post.pk]), headers=HTMX)
    assert "Like 0" in text_of(unliked)
    assert not Like.objects.exists()


def test_like_without_htmx_goes_back_to_the_page(alice, bob):
    post = actions.create_post(author=bob, text="like me")
    response = client_for(alice).post(reverse("social:like", args=[post.pk]), {"next": "/@bob/"})
    assert response.status_code == 302
    assert response["Location"] == "/@bob/"
    evil = client_for(alice).post(
        reverse("social:unlike", args=[post.pk]), {"next": "https://evil.example/"}
    )
    assert evil["Location"] == f"/posts/{post.pk}/"


def test_liking_a_post_of_an_account_that_blocked_you_is_refused(alice, bob):
    post = actions.create_post(author=bob, text="go away")
    actions.block(blocker=bob, target=alice)
    response = client_for(alice).post(reverse("social:like", args=[post.pk]), headers=HTMX)
    assert response.status_code == 403
    assert text_of(response) == "You cannot interact with this account."
    assert not Like.objects.exists()
    assert Post.objects.get(pk=post.pk).likes_count == 0


def test_liking_a_missing_post_is_404(alice):
    response = client_for(alice).post(reverse("social:like", args=[999]))
    assert response.status_code == 404
    assert "That post does not exist." in text_of(response)


def test_anonymous_cannot_like(client, bob):
    post = actions.create_post(author=bob, text="like me")
    response = client.post(reverse("social:like", args=[post.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not Like.objects.exists()


def test_repost_toggle_and_the_repost_header_on_followers_timelines(alice, bob, make_user):
    carol = make_user("carol", display_name="Carol")
    actions.follow(follower=carol, target=alice)
    post = actions.create_post(author=bob, text="worth sharing")
    client = client_for(alice)
    response = client.post(reverse("social:repost", args=[post.pk]), headers=HTMX)
    assert "Reposted 1" in text_of(response)
    assert Post.objects.filter(author=alice, repost_of=post, text="").count() == 1

    home = text_of(client_for(carol).get("/"))
    assert "Alice Wang reposted" in home
    assert "Bob Li @bob" in home
    assert "worth sharing" in home

    undone = client.post(reverse("social:unrepost", args=[post.pk]), headers=HTMX)
    assert "Repost 0" in text_of(undone)
    assert not Post.objects.filter(author=alice, repost_of=post).exists()


def test_reposting_a_blocked_accounts_post_is_refused(alice, bob):
    post = actions.create_post(author=bob, text="mine")
    actions.block(blocker=alice, target=bob)
    response = client_for(alice).post(reverse("social:repost", args=[post.pk]), headers=HTMX)
    assert response.status_code == 403
    assert not Post.objects.filter(repost_of=post).exists()


def test_repost_with_comment_shows_the_quote(alice, bob):
    post = actions.create_post(author=bob, text="original words")
    client = client_for(alice)
    response = client.post(
        reverse("social:quote", args=[post.pk]), {"text": "so true #wisdom"}, headers=HTMX
    )
    assert response.status_code == 200
    shared = Post.objects.get(author=alice, repost_of=post)
    assert shared.text == "so true #wisdom"
    assert text_of(response) == "Reposted with your comment. View your repost"
    assert f'href="/posts/{shared.pk}/"' in response.content.decode()

    page = text_of(client.get(reverse("social:post", args=[shared.pk])))
    assert "so true #wisdom" in page
    assert "Bob Li @bob" in page
    assert "original words" in page


def test_repost_with_an_empty_comment_is_refused(alice, bob):
    post = actions.create_post(author=bob, text="original words")
    response = client_for(alice).post(
        reverse("social:quote", args=[post.pk]), {"text": "  "}, headers=HTMX
    )
    assert response.status_code == 422
    assert text_of(response) == "Write something first."
    assert not Post.objects.filter(repost_of=post).exists()


def test_deleting_own_post_removes_it(alice):
    post = actions.create_post(author=alice, text="oops")
    response = client_for(alice).post(reverse("social:post_delete", args=[post.pk]), headers=HTMX)
    assert response.status_code == 200
    assert response.content == b""
    assert "HX-Redirect" not in response
    assert not Post.objects.exists()
    alice.refresh_from_db()
    assert alice.posts_count == 0


def test_deleting_on_the_posts_own_page_goes_home(alice):
    post = actions.create_post(author=alice, text="oops")
    headers = {**HTMX, "HX-Current-URL": f"http://testserver/posts/{post.pk}/"}
    response = client_for(alice).post(
        reverse("social:post_delete", args=[post.pk]), headers=headers
    )
    assert response["HX-Redirect"] == "/"
    plain = client_for(alice).post(
        reverse("social:post_delete", args=[actions.create_post(author=alice, text="x").pk])
    )
    assert plain["Location"] == "/"


def test_deleting_someone_elses_post_is_forbidden(alice, bob):
    post = actions.create_post(author=bob, text="not yours")
    client = client_for(alice)
    response = client.post(reverse("social:post_delete", args=[post.pk]))
    assert response.status_code == 403
    assert "You can only delete your own posts." in text_of(response)
    htmx = client.post(reverse("social:post_delete", args=[post.pk]), headers=HTMX)
    assert htmx.status_code == 403
    assert Post.objects.filter(pk=post.pk).exists()


def test_delete_button_only_on_own_posts(alice, bob):
    mine = actions.create_post(author=alice, text="mine")
    theirs = actions.create_post(author=bob, text="theirs")
    actions.follow(follower=alice, target=bob)
    body = client_for(alice).get("/").content.decode()
    assert reverse("social:post_delete", args=[mine.pk]) in body
    assert reverse("social:post_delete", args=[theirs.pk]) not in body


# Post page and comments -----------------------------------------------------------------


def test_post_page_shows_ancestors_and_threaded_comments(alice, bob):
    root = actions.create_post(author=alice, text="root post")
    first = actions.create_post(author=bob, text="first comment", in_reply_to_id=root.pk)
    nested = actions.create_post(author=alice, text="nested reply", in_reply_to_id=first.pk)
    second = actions.create_post(author=bob, text="second comment", in_reply_to_id=root.pk)

    response = client_for(alice).get(reverse("social:post", args=[root.pk]))
    body = response.content.decode()
    page = text_of(response)
    assert response.status_code == 200
    assert "Comments" in page
    assert page.index("first comment") < page.index("nested reply") < page.index("second comment")
    assert "No comments yet." in page  # present but hidden by CSS once comments exist
    assert re.search(rf'indent-1">\s*<article class="post" id="post-{nested.pk}"', body), (
        "a reply to a comment is indented one level"
    )
    assert re.search(rf'indent-0">\s*<article class="post" id="post-{second.pk}"', body)

    on_reply = text_of(client_for(alice).get(reverse("social:post", args=[nested.pk])))
    assert on_reply.index("root post") < on_reply.index("first comment")
    assert on_reply.index("first comment") < on_reply.index("nested reply")


def test_post_page_for_anonymous_asks_to_log_in_to_comment(client, bob):
    post = actions.create_post(author=bob, text="public words")
    page = text_of(client.get(reverse("social:post", args=[post.pk])))
    assert "public words" in page
    assert "Log in to comment." in page
    assert "Likes 0" in page


def test_unknown_post_is_404(client):
    response = client.get(reverse("social:post", args=[12345]))
    assert response.status_code == 404
    assert "That post does not exist." in text_of(response)


def test_plain_repost_page_redirects_to_the_original(alice, bob):
    post = actions.create_post(author=bob, text="x")
    shared = actions.repost(user=alice, post_id=post.pk)
    response = client_for(alice).get(reverse("social:post", args=[shared.pk]))
    assert response["Location"] == f"/posts/{post.pk}/"


def test_commenting_with_htmx_appends_the_comment(alice, bob):
    post = actions.create_post(author=bob, text="what do you think?")
    response = client_for(alice).post(
        reverse("social:comment", args=[post.pk]), {"text": "I agree"}, headers=HTMX
    )
    assert response.status_code == 200
    comment = Post.objects.get(in_reply_to=post)
    assert comment.text == "I agree"
    assert 'class="thread-item indent-0"' in response.content.decode()
    assert "Alice Wang @alice" in text_of(response)
    assert Notification.objects.get(recipient=bob).kind == "comment"
    assert Post.objects.get(pk=post.pk).replies_count == 1


def test_commenting_without_htmx_goes_back_to_the_post(alice, bob):
    post = actions.create_post(author=bob, text="what do you think?")
    response = client_for(alice).post(reverse("social:comment", args=[post.pk]), {"text": "yes"})
    comment = Post.objects.get(in_reply_to=post)
    assert response["Location"] == f"/posts/{post.pk}/#post-{comment.pk}"


def test_empty_comment_shows_the_error_and_writes_nothing(alice, bob):
    post = actions.create_post(author=bob, text="what do you think?")
    client = client_for(alice)
    response = client.post(reverse("social:comment", args=[post.pk]), {"text": ""})
    assert response.status_code == 422
    assert "Write something first." in text_of(response)
    assert "what do you think?" in text_of(response)
    htmx = client.post(reverse("social:comment", args=[post.pk]), {"text": ""}, headers=HTMX)
    assert htmx.status_code == 422
    assert text_of(htmx) == "Write something first."
    assert Post.objects.count() == 1


def test_a_blocked_account_cannot_comment(alice, bob):
    post = actions.create_post(author=bob, text="no comments from alice")
    actions.block(blocker=bob, target=alice)
    response = client_for(alice).post(reverse("social:comment", args=[post.pk]), {"text": "hey"})
    assert response.status_code == 403
    assert "You cannot interact with this account." in text_of(response)
    assert Post.objects.count() == 1


# Profiles and relationships -------------------------------------------------------------


def test_profile_header_counts_and_timeline(alice, shop):
    shop.bio = "Fresh tea <b>daily</b>"
    shop.region = "GD"
    shop.save(update_fields=["bio", "region"])
    actions.create_post(author=shop, text="spring harvest")
    actions.follow(follower=alice, target=shop)
    response = client_for(alice).get("/@teashop/")
    page = text_of(response)
    assert response.status_code == 200
    assert "Tea House @teashop Verified" in page
    assert "Fresh tea <b>daily</b>" in page  # escaped, shown as typed
    assert "Region: Guangdong" in page
    assert "1 post 0 following 1 follower" in page
    assert "spring harvest" in page
    assert "Unfollow" in page
    body = response.content.decode()
    assert 'href="/@teashop/followers/"' in body
    assert 'href="/@teashop/following/"' in body


def test_a_profile_offers_a_private_message_unless_blocked(alice, bob, shop):
    body = client_for(alice).get("/@teashop/").content.decode()
    assert 'data-testid="message-account"' in body and 'href="/messages/@teashop/"' in body
    assert "message-account" not in client_for(alice).get("/@alice/").content.decode()
    assert "message-account" not in Client().get("/@teashop/").content.decode()
    actions.block(blocker=bob, target=alice)
    assert "message-account" not in client_for(alice).get("/@bob/").content.decode()
    assert "message-account" not in client_for(bob).get("/@alice/").content.decode()


def test_profile_username_is_case_insensitive_and_unknown_is_404(client, shop):
    assert client.get("/@TeaShop/").status_code == 200
    missing = client.get("/@nobody_here/")
    assert missing.status_code == 404
    assert "That account does not exist." in text_of(missing)


def test_own_profile_offers_edit_not_follow(alice):
    page = text_of(client_for(alice).get("/@alice/"))
    assert "Edit profile" in page
    assert "Follow" not in page.replace("following", "").replace("follower", "")


def test_follow_and_unfollow_from_the_profile(alice, shop):
    client = client_for(alice)
    response = client.post("/@teashop/follow/")
    assert response.status_code == 302
    assert response["Location"] == "/@teashop/"
    assert Follow.objects.filter(follower=alice, target=shop).exists()
    page = text_of(client.get("/@teashop/"))
    assert "You now follow Tea House." in page
    assert "1 follower" in page
    assert Notification.objects.get(recipient=shop).kind == "follow"

    client.post("/@teashop/unfollow/")
    page = text_of(client.get("/@teashop/"))
    assert "You no longer follow Tea House." in page
    assert "0 followers" in page
    assert not Follow.objects.exists()


def test_following_yourself_is_refused(alice):
    response = client_for(alice).post("/@alice/follow/")
    assert response.status_code == 422
    assert "You cannot follow yourself." in text_of(response)
    assert not Follow.objects.exists()


def test_anonymous_cannot_follow(client, shop):
    response = client.post("/@teashop/follow/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not Follow.objects.exists()
    assert client.get("/@teashop/follow/").status_code == 405


def test_a_blocked_viewer_sees_the_block_and_no_posts(alice, bob):
    actions.create_post(author=bob, text="secret plans")
    actions.block(blocker=bob, target=alice)
    client = client_for(alice)
    page = text_of(client.get("/@bob/"))
    assert "You are blocked by this account." in page
    assert "secret plans" not in page
    assert "Follow" not in page.replace("following", "").replace("follower", "")

    response = client.post("/@bob/follow/")
    assert response.status_code == 403
    assert "You cannot interact with this account." in text_of(response)
    assert not Follow.objects.exists()

    followers = text_of(client.get("/@bob/followers/"))
    assert "You are blocked by this account." in followers


def test_block_and_unblock(alice, bob):
    actions.follow(follower=alice, target=bob)
    actions.create_post(author=bob, text="bob's post")
    client = client_for(alice)
    client.post("/@bob/block/")
    page = text_of(client.get("/@bob/"))
    assert "You blocked Bob Li." in page
    assert "You have blocked this account." in page
    assert "Unblock" in page
    assert "bob's post" not in page
    assert not Follow.objects.exists()

    client.post("/@bob/unblock/")
    page = text_of(client.get("/@bob/"))
    assert "You unblocked Bob Li." in page
    assert "bob's post" in page


def test_mute_hides_posts_from_the_home_timeline(alice, bob):
    actions.follow(follower=alice, target=bob)
    actions.create_post(author=bob, text="noisy post")
    client = client_for(alice)
    assert "noisy post" in text_of(client.get("/"))
    client.post("/@bob/mute/")
    page = text_of(client.get("/@bob/"))
    assert "You muted Bob Li. Their posts no longer show in your timelines." in page
    assert "Unmute" in page
    assert "noisy post" not in text_of(client.get("/"))
    client.post("/@bob/unmute/")
    assert "noisy post" in text_of(client.get("/"))


def test_followers_and_following_lists(alice, bob, shop):
    actions.follow(follower=alice, target=shop)
    actions.follow(follower=bob, target=shop)
    followers = text_of(Client().get("/@teashop/followers/"))
    assert "Followers" in followers
    assert followers.index("Bob Li @bob") < followers.index("Alice Wang @alice")
    following = text_of(Client().get("/@alice/following/"))
    assert "Tea House @teashop Verified" in following
    empty = text_of(Client().get("/@bob/followers/"))
    assert "No followers yet." in empty


# Tags and search --------------------------------------------------------------------------


def test_tag_page_lists_posts_with_the_tag(alice):
    actions.create_post(author=alice, text="Loving #GreenTea today")
    actions.create_post(author=alice, text="Weibo style #春茶# topic")
    actions.create_post(author=alice, text="nothing tagged")
    page = text_of(Client().get("/tags/greentea/"))
    assert "#greentea" in page
    assert "Loving #GreenTea today" in page
    assert "nothing tagged" not in page
    topic = text_of(Client().get(reverse("social:tag", args=["春茶"])))
    assert "Weibo style #春茶# topic" in topic
    empty = text_of(Client().get("/tags/unknown/"))
    assert "No posts with #unknown# yet." in empty


def test_following_a_tag_brings_its_posts_home_and_unfollowing_takes_them_away(alice, bob):
    actions.create_post(author=bob, text="Spring #GreenTea is in")
    client = client_for(alice)
    assert "Spring" not in text_of(client.get("/"))
    page = text_of(client.get("/tags/greentea/"))
    assert "Follow tag" in page and "Unfollow tag" not in page
    response = client.post(reverse("social:tag_follow"), {"tag": "GreenTea"}, follow=True)
    assert response.redirect_chain[-1][0] == "/tags/greentea/"
    page = text_of(response)
    assert "Posts with #greentea now show on your home timeline." in page
    assert "Unfollow tag" in page
    assert "Spring #GreenTea is in" in text_of(client.get("/"))
    response = client.post(reverse("social:tag_unfollow"), {"tag": "greentea"}, follow=True)
    assert "You no longer follow #greentea." in text_of(response)
    assert "Spring" not in text_of(client.get("/"))


def test_a_tag_that_is_no_tag_is_refused_and_nothing_is_followed(alice):
    client = client_for(alice)
    response = client.post(reverse("social:tag_follow"), {"tag": "two words"})
    assert response.status_code == 422
    assert "That is not a tag name." in text_of(response)
    response = client.post(reverse("social:tag_unfollow"), {"tag": "nosuchtag"})
    assert response.status_code == 404
    assert not FollowedTag.objects.exists()


def test_only_a_logged_in_person_follows_a_tag(alice):
    actions.create_post(author=alice, text="#tea")
    assert "Follow tag" not in text_of(Client().get("/tags/tea/"))
    response = Client().post(reverse("social:tag_follow"), {"tag": "tea"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert Client().get(reverse("social:tag_follow")).status_code == 405
    assert not FollowedTag.objects.exists()


def test_a_topic_with_a_slash_links_to_its_tag_page(alice):
    actions.create_post(author=alice, text="Deals on #A/B测试#")
    home = client_for(alice).get("/")
    assert home.status_code == 200
    assert 'href="/tags/a/b%E6%B5%8B%E8%AF%95/"' in home.content.decode()
    page = text_of(Client().get("/tags/a/b测试/"))
    assert "#a/b测试" in page
    assert "Deals on #A/B测试#" in page


def test_search_finds_accounts_tags_and_posts(alice, shop):
    actions.create_post(author=alice, text="Where to buy #oolong tea?")
    response = client_for(alice).get("/search/", {"q": "tea"})
    page = text_of(response)
    assert response.status_code == 200
    accounts = page[page.index("Accounts") : page.index("Tags")]
    assert "Tea House @teashop Verified" in accounts
    posts = page[page.index("Posts") :]
    assert "Where to buy #oolong tea?" in posts

    tags = text_of(Client().get("/search/", {"q": "#oolo"}))
    assert "#oolong" in tags[tags.index("Tags") : tags.index("Posts")]

    nothing = text_of(Client().get("/search/", {"q": "zzzz"}))
    assert "No accounts found." in nothing
    assert "No tags found." in nothing
    assert "No posts found." in nothing


def test_search_escapes_the_query(client):
    response = client.get("/search/", {"q": "<img src=x>"})
    assert "<img src=x>" not in response.content.decode()
    assert "&lt;img src=x&gt;" in response.content.decode()


# Notifications ----------------------------------------------------------------------------


def test_notifications_read_as_sentences_and_mark_all_read(alice, bob):
    post = actions.create_post(author=alice, text="hello world")
    actions.follow(follower=bob, target=alice)
    actions.like(user=bob, post_id=post.pk)
    actions.repost(user=bob, post_id=post.pk)
    actions.create_post(author=bob, text="nice one", in_reply_to_id=post.pk)
    actions.create_post(author=bob, text="hey @alice look")

    client = client_for(alice)
    response = client.get("/notifications/")
    page = text_of(response)
    body = response.content.decode()
    assert 'data-testid="notifications-badge">5<' in body
    assert "Bob Li @bob mentioned you" in page
    assert "Bob Li @bob commented on your post" in page
    assert "Bob Li @bob reposted your post" in page
    assert "Bob Li @bob liked your post" in page
    assert "Bob Li @bob followed you" in page
    assert page.index("mentioned you") < page.index("followed you")  # newest first
    assert "hey @alice look" in page
    assert body.count('class="notification card unread"') == 5
    assert page.count("New") == 5
    assert "Mark all as read" in page

    done = client.post(reverse("social:notifications_read"))
    assert done["Location"] == "/notifications/"
    response = client.get("/notifications/")
    page = text_of(response)
    assert "All notifications are marked as read." in page
    assert 'class="notification card unread"' not in response.content.decode()
    assert "notifications-badge" not in response.content.decode()
    assert "Mark all as read" not in page


def test_the_notifications_badge_is_counted_only_when_a_page_draws_the_header(alice, bob):
    actions.follow(follower=bob, target=alice)
    client = client_for(alice)

    with CaptureQueriesContext(connection) as captured:
        page = client.get("/")
    assert page.status_code == 200
    counted = sum(
        'FROM "social_notification"' in q["sql"] and "COUNT(" in q["sql"]
        for q in captured.captured_queries
    )
    assert counted == 1
    assert '<span class="badge" data-testid="notifications-badge">1</span>' in page.content.decode()
    # A fragment rendered with the same context (the messages badge) does not count them,
    # nor the cart.
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/messages/badge/").status_code == 200
    tables = " ".join(q["sql"] for q in captured.captured_queries)
    assert "social_notification" not in tables and "shop_cart" not in tables


def test_notifications_need_log_in(client):
    response = client.get("/notifications/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/notifications/"
    assert client.post(reverse("social:notifications_read")).status_code == 302


def test_the_header_shows_the_unread_count_on_every_page(alice, bob):
    actions.follow(follower=bob, target=alice)
    body = client_for(alice).get("/search/").content.decode()
    assert 'data-testid="notifications-badge">1<' in body


def test_a_display_name_cannot_inject_html(alice, make_user):
    evil = make_user("evil", display_name='<img src=x onerror="alert(1)">')
    actions.follow(follower=alice, target=evil)
    actions.create_post(author=evil, text="hi")
    body = client_for(alice).get("/").content.decode()
    assert "<img src=x" not in body
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in body
