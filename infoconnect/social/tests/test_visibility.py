"""Visibility on every web read: each pair of a post's visibility and a kind of viewer
(author, follower, mentioned, stranger, anonymous, blocked, blocker) on the post page,
the profile, the home timeline, tag pages, search, threads, reposts, quotes and
notifications; and the writes a post one may not read refuses."""

import pytest
from django.test import Client

from infoconnect.social import actions, selectors
from infoconnect.social.models import Like, Notification, Post, Visibility
from infoconnect.social.tests.visibility_world import (
    PAIRS,
    READERS,
    VISIBILITIES,
    build_world,
    pair_id,
)

pytestmark = pytest.mark.django_db

SECRET = "Plans for the tea party"


@pytest.fixture
def world(make_user):
    return build_world(make_user)


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def page_of(world, viewer: str, path: str) -> str:
    response = client_for(world[viewer]).get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.content.decode()


pairs = pytest.mark.parametrize(("visibility", "viewer"), PAIRS, ids=map(pair_id, PAIRS))


# The rule itself ---------------------------------------------------------------------------


@pairs
def test_the_filter_and_the_per_object_check_agree(world, visibility, viewer):
    post = world.post(visibility, f"{SECRET} @mona")
    may = viewer in READERS[visibility]
    in_filter = Post.objects.filter(selectors.visible_to(world[viewer]), pk=post.pk).exists()
    post = Post.objects.select_related("author").get(pk=post.pk)
    assert (in_filter, selectors.can_see(post=post, viewer=world[viewer])) == (may, may)


# One post --------------------------------------------------------------------------------


@pairs
def test_post_page(world, visibility, viewer):
    post = world.post(visibility, f"{SECRET} @mona")
    response = client_for(world[viewer]).get(f"/posts/{post.pk}/")
    if viewer in READERS[visibility]:
        assert response.status_code == 200
        assert SECRET in response.content.decode()
    else:
        assert response.status_code == 404
        assert SECRET not in response.content.decode()


@pairs
def test_profile_page(world, visibility, viewer):
    world.post(visibility, f"{SECRET} @mona")
    page = page_of(world, viewer, "/@alice/")
    assert (SECRET in page) == (viewer in READERS[visibility])


# Timelines -------------------------------------------------------------------------------


@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("viewer", ["author", "follower"])
def test_home_timeline(world, visibility, viewer):
    world.post(visibility, f"{SECRET} @mona")
    page = page_of(world, viewer, "/")
    assert (SECRET in page) == (viewer in READERS[visibility])


def test_home_timeline_shows_a_followed_accounts_direct_post_to_whom_it_mentions(world):
    actions.follow(follower=world["mentioned"], target=world.author)
    world.post(Visibility.DIRECT, f"{SECRET} @mona")
    assert SECRET in page_of(world, "mentioned", "/")
    assert SECRET not in page_of(world, "follower", "/")


@pairs
def test_tag_page_lists_public_posts_only(world, visibility, viewer):
    world.post(visibility, f"{SECRET} #tea @mona")
    page = page_of(world, viewer, "/tags/tea/")
    listed = visibility == Visibility.PUBLIC and viewer in READERS[visibility]
    assert (SECRET in page) == listed


@pairs
def test_search(world, visibility, viewer):
    world.post(visibility, f"{SECRET} @mona")
    page = page_of(world, viewer, "/search/?q=tea+party")
    # Unlisted posts are found by their author only; the others as they may be read.
    found = viewer in READERS[visibility] and (
        visibility != Visibility.UNLISTED or viewer == "author"
    )
    assert (SECRET in page) == found


# Threads, reposts, quotes ----------------------------------------------------------------


@pairs
def test_comment_under_a_public_post(world, make_user, visibility, viewer):
    carol = make_user("carol")
    root = actions.create_post(author=carol, text="What shall we bring?")
    comment = actions.create_post(
        author=world.author, text=f"{SECRET} @mona", in_reply_to_id=root.pk
    )
    Post.objects.filter(pk=comment.pk).update(visibility=visibility)
    page = page_of(world, viewer, f"/posts/{root.pk}/")
    assert "What shall we bring?" in page
    assert (SECRET in page) == (viewer in READERS[visibility])


@pairs
def test_a_repost_shows_only_where_its_original_may_be_read(world, make_user, visibility, viewer):
    carol = make_user("carol")
    original = world.post(Visibility.PUBLIC, f"{SECRET} @mona")
    shared = actions.repost(user=carol, post_id=original.pk)
    # The original's visibility changed after the repost (as an edit may change it).
    Post.objects.filter(pk=original.pk).update(visibility=visibility)
    page = page_of(world, viewer, "/@carol/")
    assert (SECRET in page) == (viewer in READERS[visibility])
    assert client_for(world[viewer]).get(f"/posts/{shared.pk}/").status_code == (
        302 if viewer in READERS[visibility] else 404
    )


@pairs
def test_a_quote_shows_only_where_the_quoted_post_may_be_read(world, make_user, visibility, viewer):
    carol = make_user("carol")
    original = world.post(Visibility.PUBLIC, f"{SECRET} @mona")
    quote = actions.repost(user=carol, post_id=original.pk, text="Carol agrees")
    Post.objects.filter(pk=original.pk).update(visibility=visibility)
    may = viewer in READERS[visibility]
    page = page_of(world, viewer, "/@carol/")
    assert ("Carol agrees" in page, SECRET in page) == (may, may)
    assert client_for(world[viewer]).get(f"/posts/{quote.pk}/").status_code == (200 if may else 404)


# Notifications ---------------------------------------------------------------------------


@pytest.mark.parametrize("visibility", VISIBILITIES)
def test_a_comment_notification_shows_only_when_the_comment_may_be_read(
    world, make_user, visibility
):
    carol = make_user("carol", display_name="Carol")
    root = actions.create_post(author=carol, text="Tea?")
    comment = actions.create_post(author=world.author, text=SECRET, in_reply_to_id=root.pk)
    Post.objects.filter(pk=comment.pk).update(visibility=visibility)
    readable = visibility in (Visibility.PUBLIC, Visibility.UNLISTED)
    page = client_for(carol).get("/notifications/").content.decode()
    assert (SECRET in page) == readable
    assert selectors.unread_notification_count(user=carol) == (1 if readable else 0)
    assert Notification.objects.filter(recipient=carol).count() == 1


@pytest.mark.parametrize("visibility", VISIBILITIES)
def test_a_mention_notification_leaves_when_the_author_blocks(world, visibility):
    world.post(visibility, f"{SECRET} @mona")
    mona = world["mentioned"]
    assert SECRET in client_for(mona).get("/notifications/").content.decode()
    actions.block(blocker=world.author, target=mona)
    assert SECRET not in client_for(mona).get("/notifications/").content.decode()
    assert selectors.unread_notification_count(user=mona) == 0


# Writes on a post one may not read -------------------------------------------------------


# An anonymous visitor is sent to log in before anything is read.
OUTSIDERS = [(v, kind) for v, kind in PAIRS if kind not in READERS[v] and kind != "anonymous"]


@pytest.mark.parametrize(("visibility", "viewer"), OUTSIDERS, ids=map(pair_id, OUTSIDERS))
def test_like_comment_and_repost_of_a_post_one_may_not_read(world, visibility, viewer):
    post = world.post(visibility, f"{SECRET} @mona")
    client = client_for(world[viewer])
    expected = 403 if viewer in ("blocked", "blocker") else 404
    for path, data in (
        (f"/posts/{post.pk}/like/", {}),
        (f"/posts/{post.pk}/comment/", {"text": "me too"}),
        (f"/posts/{post.pk}/repost/", {}),
    ):
        assert client.post(path, data).status_code == expected, path
    assert Like.objects.count() == 0
    assert Post.objects.count() == 1


@pytest.mark.parametrize("visibility", [Visibility.PRIVATE, Visibility.DIRECT])
@pytest.mark.parametrize("viewer", ["author", "mentioned"])
def test_a_followers_only_or_direct_post_cannot_be_reposted(world, visibility, viewer):
    post = world.post(visibility, f"{SECRET} @mona")
    client = client_for(world[viewer])
    plain = client.post(f"/posts/{post.pk}/repost/")
    quoted = client.post(f"/posts/{post.pk}/quote/", {"text": "look"})
    assert (plain.status_code, quoted.status_code) == (422, 422)
    assert "Only public and unlisted posts can be reposted." in plain.content.decode()
    assert Post.objects.count() == 1
    assert Post.objects.get().reposts_count == 0


@pytest.mark.parametrize("visibility", [Visibility.PUBLIC, Visibility.UNLISTED])
def test_open_posts_can_be_reposted(world, visibility):
    post = world.post(visibility, f"{SECRET} @mona")
    response = client_for(world["stranger"]).post(f"/posts/{post.pk}/repost/")
    assert response.status_code == 302
    assert Post.objects.get(pk=post.pk).reposts_count == 1


# What the post shows ---------------------------------------------------------------------


def test_a_content_warning_folds_the_text_without_script(world):
    post = world.post(Visibility.PUBLIC, SECRET)
    Post.objects.filter(pk=post.pk).update(spoiler_text="Party spoilers")
    page = page_of(world, "stranger", f"/posts/{post.pk}/")
    assert (
        '<details class="content-warning">\n    <summary><span class="content-warning-text">'
        'Party spoilers</span> <span class="content-warning-toggle">Show more</span></summary>'
    ) in page
    folded = page.split('<details class="content-warning">', 1)[1].split("</details>", 1)[0]
    assert SECRET in folded


def test_no_content_warning_no_fold(world):
    post = world.post(Visibility.PUBLIC, SECRET)
    page = page_of(world, "stranger", f"/posts/{post.pk}/")
    assert "content-warning" not in page
    assert SECRET in page


@pytest.mark.parametrize(
    ("visibility", "badge"),
    [
        (Visibility.PUBLIC, None),
        (Visibility.UNLISTED, None),
        (Visibility.PRIVATE, "Followers only"),
        (Visibility.DIRECT, "Mentioned people only"),
    ],
)
def test_visibility_badge(world, visibility, badge):
    post = world.post(visibility, f"{SECRET} @mona")
    page = page_of(world, "author", f"/posts/{post.pk}/")
    if badge is None:
        assert "visibility-badge" not in page
    else:
        assert f'<span class="visibility-badge visibility-{visibility}">{badge}</span>' in page


def test_the_badge_and_fold_in_chinese(world):
    post = world.post(Visibility.PRIVATE, SECRET)
    Post.objects.filter(pk=post.pk).update(spoiler_text="剧透")
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(world["follower"])
    page = client.get(f"/posts/{post.pk}/").content.decode()
    assert '<span class="visibility-badge visibility-private">仅粉丝可见</span>' in page
    assert '<span class="content-warning-toggle">展开</span>' in page
