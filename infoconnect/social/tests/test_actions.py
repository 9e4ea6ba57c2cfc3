import pytest
from django.db import connection

from infoconnect.accounts.models import User
from infoconnect.core.errors import DomainError
from infoconnect.social import actions
from infoconnect.social.models import Block, Follow, Like, Mention, Mute, Notification, Post, Tag

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(make_user):
    return make_user("alice")


@pytest.fixture
def bob(make_user):
    return make_user("bob")


def counts(user: User) -> tuple[int, int, int]:
    user.refresh_from_db()
    return user.followers_count, user.following_count, user.posts_count


def test_follow_counts_once_and_notifies(alice, bob):
    assert actions.follow(follower=alice, target=bob) is True
    assert actions.follow(follower=alice, target=bob) is False
    assert Follow.objects.filter(follower=alice, target=bob).count() == 1
    assert counts(bob) == (1, 0, 0)
    assert counts(alice) == (0, 1, 0)
    note = Notification.objects.get(recipient=bob)
    assert (note.kind, note.actor_id) == ("follow", alice.pk)


def test_unfollow_drops_counts(alice, bob):
    actions.follow(follower=alice, target=bob)
    assert actions.unfollow(follower=alice, target=bob) is True
    assert actions.unfollow(follower=alice, target=bob) is False
    assert counts(bob) == (0, 0, 0)


def test_cannot_follow_self(alice):
    with pytest.raises(DomainError) as error:
        actions.follow(follower=alice, target=alice)
    assert (error.value.code, error.value.status) == ("cannot_follow_self", 422)
    assert not Follow.objects.exists()


def test_block_ends_follows_both_ways_and_stops_new_ones(alice, bob):
    actions.follow(follower=alice, target=bob)
    actions.follow(follower=bob, target=alice)
    assert actions.block(blocker=alice, target=bob) is True
    assert not Follow.objects.exists()
    assert counts(alice)[:2] == (0, 0)
    assert counts(bob)[:2] == (0, 0)
    with pytest.raises(DomainError) as error:
        actions.follow(follower=bob, target=alice)
    assert (error.value.code, error.value.status) == ("blocked", 403)
    actions.unblock(blocker=alice, target=bob)
    assert actions.follow(follower=bob, target=alice) is True


def test_block_and_mute_self_are_refused(alice):
    with pytest.raises(DomainError, match="yourself"):
        actions.block(blocker=alice, target=alice)
    with pytest.raises(DomainError, match="yourself"):
        actions.mute(muter=alice, target=alice)
    assert not Block.objects.exists() and not Mute.objects.exists()


def test_create_post_parses_tags_and_mentions(alice, bob):
    post = actions.create_post(author=alice, text="Hello @BOB, try #Tea and #绿茶# @nobody")
    assert sorted(Tag.objects.values_list("name", flat=True)) == ["tea", "绿茶"]
    assert list(post.tags.order_by("name").values_list("name", flat=True)) == ["tea", "绿茶"]
    assert list(Mention.objects.values_list("user__username", flat=True)) == ["bob"]
    assert Notification.objects.get(recipient=bob).kind == "mention"
    assert counts(alice)[2] == 1


@pytest.mark.parametrize(
    ("text", "code"), [("", "post_empty"), ("   ", "post_empty"), ("x" * 2001, "post_too_long")]
)
def test_create_post_rejects_bad_text(alice, text, code):
    with pytest.raises(DomainError) as error:
        actions.create_post(author=alice, text=text)
    assert (error.value.code, error.value.status) == (code, 422)
    assert not Post.objects.exists()
    assert counts(alice)[2] == 0


def test_post_of_exactly_2000_characters_is_accepted(alice):
    assert len(actions.create_post(author=alice, text="字" * 2000).text) == 2000


def test_comment_threads_under_post_and_notifies_author(alice, bob):
    post = actions.create_post(author=alice, text="original")
    comment = actions.create_post(author=bob, text="nice", in_reply_to_id=post.pk)
    post.refresh_from_db()
    assert comment.in_reply_to_id == post.pk
    assert post.replies_count == 1
    note = Notification.objects.get(recipient=alice)
    assert (note.kind, note.post_id) == ("comment", comment.pk)


def test_comment_on_missing_post_is_404(alice):
    with pytest.raises(DomainError) as error:
        actions.create_post(author=alice, text="hi", in_reply_to_id=999999)
    assert (error.value.code, error.value.status) == ("post_not_found", 404)
    assert not Post.objects.exists()


def test_blocked_account_cannot_comment_like_or_repost(alice, bob):
    post = actions.create_post(author=alice, text="mine")
    actions.block(blocker=alice, target=bob)
    for call in (
        lambda: actions.create_post(author=bob, text="hey", in_reply_to_id=post.pk),
        lambda: actions.like(user=bob, post_id=post.pk),
        lambda: actions.repost(user=bob, post_id=post.pk),
    ):
        with pytest.raises(DomainError) as error:
            call()
        assert error.value.code == "blocked"
    post.refresh_from_db()
    assert (post.replies_count, post.likes_count, post.reposts_count) == (0, 0, 0)
    assert Post.objects.count() == 1


def test_blocked_mentions_do_not_notify(alice, bob):
    actions.block(blocker=bob, target=alice)
    actions.create_post(author=alice, text="hi @bob")
    assert not Mention.objects.exists()
    assert not Notification.objects.filter(recipient=bob).exists()


def test_muted_actor_does_not_notify(alice, bob):
    actions.mute(muter=bob, target=alice)
    actions.follow(follower=alice, target=bob)
    assert not Notification.objects.filter(recipient=bob).exists()


def test_plain_repost_once_and_of_original(alice, bob, make_user):
    carol = make_user("carol")
    post = actions.create_post(author=alice, text="original")
    shared = actions.repost(user=bob, post_id=post.pk)
    assert actions.repost(user=bob, post_id=post.pk).pk == shared.pk
    again = actions.repost(user=carol, post_id=shared.pk)
    assert again.repost_of_id == post.pk
    post.refresh_from_db()
    assert post.reposts_count == 2
    assert Notification.objects.filter(recipient=alice, kind="repost").count() == 2


def test_repost_with_comment_may_repeat(alice, bob):
    post = actions.create_post(author=alice, text="original")
    first = actions.repost(user=bob, post_id=post.pk, text="look #deal")
    second = actions.repost(user=bob, post_id=post.pk, text="again")
    assert first.pk != second.pk
    assert list(first.tags.values_list("name", flat=True)) == ["deal"]
    post.refresh_from_db()
    assert post.reposts_count == 2


def test_unrepost(alice, bob):
    post = actions.create_post(author=alice, text="original")
    actions.repost(user=bob, post_id=post.pk)
    assert actions.unrepost(user=bob, post_id=post.pk).reposts_count == 0
    assert counts(bob)[2] == 0
    assert actions.unrepost(user=bob, post_id=post.pk).reposts_count == 0


def test_like_and_unlike_are_idempotent(alice, bob):
    post = actions.create_post(author=alice, text="original")
    assert actions.like(user=bob, post_id=post.pk).likes_count == 1
    assert actions.like(user=bob, post_id=post.pk).likes_count == 1
    assert Like.objects.count() == 1
    assert actions.unlike(user=bob, post_id=post.pk).likes_count == 0
    assert actions.unlike(user=bob, post_id=post.pk).likes_count == 0


def test_like_of_a_repost_likes_the_original(alice, bob):
    post = actions.create_post(author=alice, text="original")
    shared = actions.repost(user=bob, post_id=post.pk)
    actions.like(user=alice, post_id=shared.pk)
    assert Like.objects.get().post_id == post.pk


def test_delete_own_post_removes_its_comments_and_reposts(alice, bob):
    post = actions.create_post(author=alice, text="original")
    actions.repost(user=bob, post_id=post.pk)
    comment = actions.create_post(author=bob, text="c", in_reply_to_id=post.pk)
    actions.create_post(author=alice, text="c.1", in_reply_to_id=comment.pk)
    kept = actions.create_post(author=bob, text="kept")
    actions.delete_post(user=alice, post_id=post.pk)
    assert list(Post.objects.values_list("pk", flat=True)) == [kept.pk]
    assert counts(alice)[2] == 0
    assert counts(bob)[2] == 1


def test_comments_do_not_count_as_posts(alice, bob):
    post = actions.create_post(author=alice, text="original")
    actions.create_post(author=bob, text="c", in_reply_to_id=post.pk)
    assert counts(bob)[2] == 0


def test_delete_comment_drops_reply_count(alice, bob):
    post = actions.create_post(author=alice, text="original")
    comment = actions.create_post(author=bob, text="c", in_reply_to_id=post.pk)
    actions.delete_post(user=bob, post_id=comment.pk)
    post.refresh_from_db()
    assert post.replies_count == 0


def test_cannot_delete_anothers_post(alice, bob):
    post = actions.create_post(author=alice, text="original")
    with pytest.raises(DomainError) as error:
        actions.delete_post(user=bob, post_id=post.pk)
    assert (error.value.code, error.value.status) == ("not_your_post", 403)
    assert Post.objects.filter(pk=post.pk).exists()


def test_mark_notifications_read(alice, bob):
    actions.follow(follower=alice, target=bob)
    actions.like(user=alice, post_id=actions.create_post(author=bob, text="x").pk)
    assert actions.mark_notifications_read(user=bob) == 2
    assert not Notification.objects.filter(recipient=bob, read_at__isnull=True).exists()


def test_counters_never_go_below_zero(alice, bob):
    actions.follow(follower=alice, target=bob)
    User.objects.filter(pk=bob.pk).update(followers_count=0)
    actions.unfollow(follower=alice, target=bob)
    assert counts(bob)[0] == 0
    assert connection.vendor in {"sqlite", "postgresql"}
