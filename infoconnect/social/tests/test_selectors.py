import pytest

from infoconnect.core.errors import DomainError
from infoconnect.core.pagination import PageParams
from infoconnect.social import actions, followed_tags, selectors

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(make_user):
    return make_user("alice"), make_user("bob"), make_user("carol")


def texts(posts):
    return [p.text or f"repost:{p.repost_of.text}" for p in posts]


def test_home_timeline_shows_own_and_followed_newest_first(people):
    alice, bob, carol = people
    actions.follow(follower=alice, target=bob)
    actions.create_post(author=bob, text="bob 1")
    actions.create_post(author=carol, text="carol 1")
    mine = actions.create_post(author=alice, text="alice 1")
    actions.create_post(author=bob, text="comment", in_reply_to_id=mine.pk)
    actions.repost(user=bob, post_id=actions.create_post(author=carol, text="carol 2").pk)
    timeline = selectors.home_timeline(user=alice, page=PageParams())
    assert texts(timeline) == ["repost:carol 2", "alice 1", "bob 1"]


def test_home_timeline_pages_by_cursor(people):
    alice, bob, _ = people
    actions.follow(follower=alice, target=bob)
    posts = [actions.create_post(author=bob, text=f"p{i}") for i in range(5)]
    first = selectors.home_timeline(user=alice, page=PageParams(limit=2))
    assert texts(first) == ["p4", "p3"]
    second = selectors.home_timeline(user=alice, page=PageParams(limit=2, max_id=first[-1].pk))
    assert texts(second) == ["p2", "p1"]
    newer = selectors.home_timeline(user=alice, page=PageParams(limit=2, min_id=posts[0].pk))
    assert texts(newer) == ["p2", "p1"]
    since = selectors.home_timeline(user=alice, page=PageParams(limit=2, since_id=posts[0].pk))
    assert texts(since) == ["p4", "p3"]


def test_muted_accounts_and_their_reposts_leave_the_home_timeline(people):
    alice, bob, carol = people
    actions.follow(follower=alice, target=bob)
    actions.follow(follower=alice, target=carol)
    actions.create_post(author=carol, text="carol")
    actions.repost(user=bob, post_id=actions.create_post(author=carol, text="carol again").pk)
    actions.create_post(author=bob, text="bob")
    actions.mute(muter=alice, target=carol)
    assert texts(selectors.home_timeline(user=alice, page=PageParams())) == ["bob"]


def test_public_posts_with_a_followed_tag_join_the_home_timeline(people, make_user):
    alice, bob, carol = people
    dan = make_user("dan")
    followed_tags.follow_tag(user=alice, name="Tea")
    actions.create_post(author=carol, text="Green #tea")
    actions.create_post(author=carol, text="Black coffee")
    actions.create_post(author=bob, text="Oolong #Tea", visibility="unlisted")
    actions.create_post(author=bob, text="Pu-erh #tea", visibility="private")
    tagged = actions.create_post(author=carol, text="More #tea")
    actions.create_post(author=bob, text="A reply #tea", in_reply_to_id=tagged.pk)
    actions.create_post(author=dan, text="Blocked #tea")
    actions.block(blocker=dan, target=alice)
    actions.create_post(author=bob, text="Muted #tea")
    actions.mute(muter=alice, target=bob)
    timeline = selectors.home_timeline(user=alice, page=PageParams())
    assert texts(timeline) == ["More #tea", "Green #tea"]
    followed_tags.unfollow_tag(user=alice, name="tea")
    assert selectors.home_timeline(user=alice, page=PageParams()) == []


def test_profile_of_blocker_is_empty_for_blocked_viewer(people):
    alice, bob, _ = people
    actions.create_post(author=alice, text="hello")
    actions.block(blocker=alice, target=bob)
    assert selectors.profile_timeline(author=alice, viewer=bob, page=PageParams()) == []
    assert texts(selectors.profile_timeline(author=alice, viewer=None, page=PageParams())) == [
        "hello"
    ]


def test_get_post_hides_blocker_posts(people):
    alice, bob, _ = people
    post = actions.create_post(author=alice, text="hello")
    actions.block(blocker=alice, target=bob)
    with pytest.raises(DomainError) as error:
        selectors.get_post(post_id=post.pk, viewer=bob)
    assert error.value.status == 404
    assert selectors.get_post(post_id=post.pk, viewer=None).text == "hello"


def test_tag_timeline_matches_both_tag_styles(people):
    alice, bob, _ = people
    actions.create_post(author=alice, text="#Tea time")
    actions.create_post(author=bob, text="喝 #tea# 吧")
    actions.create_post(author=bob, text="no tag")
    assert texts(selectors.tag_timeline(name="TEA", viewer=None, page=PageParams())) == [
        "喝 #tea# 吧",
        "#Tea time",
    ]
    assert selectors.tag_timeline(name="nothing", viewer=None, page=PageParams()) == []


def test_thread_orders_ancestors_and_descendants(people):
    alice, bob, carol = people
    root = actions.create_post(author=alice, text="root")
    c1 = actions.create_post(author=bob, text="c1", in_reply_to_id=root.pk)
    actions.create_post(author=carol, text="c1.1", in_reply_to_id=c1.pk)
    actions.create_post(author=carol, text="c2", in_reply_to_id=root.pk)
    result = selectors.thread(post=root, viewer=None)
    assert result.ancestors == []
    assert [(p.text, p.depth) for p in result.descendants] == [("c1", 0), ("c1.1", 1), ("c2", 0)]
    sub = selectors.thread(post=c1, viewer=None)
    assert texts(sub.ancestors) == ["root"]


def test_viewer_state_and_relationship(people):
    alice, bob, _ = people
    post = actions.create_post(author=bob, text="x")
    actions.like(user=alice, post_id=post.pk)
    shared = actions.repost(user=alice, post_id=post.pk)
    state = selectors.viewer_state(viewer=alice, posts=[post, shared])
    flags = {"liked": True, "reposted": True, "bookmarked": False, "pinned": False}
    assert state.for_post(post) == flags
    assert state.for_post(shared) == flags
    actions.follow(follower=alice, target=bob)
    actions.mute(muter=alice, target=bob)
    rel = selectors.relationship(viewer=alice, target=bob)
    assert (rel.following, rel.followed_by, rel.muting, rel.blocking) == (True, False, True, False)


def test_followers_and_following_lists(people):
    alice, bob, carol = people
    actions.follow(follower=bob, target=alice)
    actions.follow(follower=carol, target=alice)
    assert [f.follower.username for f in selectors.followers(account=alice, page=PageParams())] == [
        "carol",
        "bob",
    ]
    assert [f.target.username for f in selectors.following(account=bob, page=PageParams())] == [
        "alice"
    ]


def test_notifications_and_unread_count(people):
    alice, bob, _ = people
    actions.follow(follower=bob, target=alice)
    actions.like(user=bob, post_id=actions.create_post(author=alice, text="x").pk)
    assert selectors.unread_notification_count(user=alice) == 2
    kinds = [n.kind for n in selectors.notifications(user=alice, page=PageParams())]
    assert kinds == ["like", "follow"]
    actions.mark_notifications_read(user=alice)
    assert selectors.unread_notification_count(user=alice) == 0


def test_search(people, make_user):
    alice, bob, _ = people
    make_user("teashop", display_name="Green Tea House")
    actions.create_post(author=alice, text="I love green tea")
    actions.create_post(author=bob, text="coffee")
    assert [u.username for u in selectors.search_accounts(query="tea", viewer=None)] == ["teashop"]
    assert [u.username for u in selectors.search_accounts(query="@alice", viewer=None)] == ["alice"]
    assert texts(selectors.search_posts(query="TEA", viewer=None, page=PageParams())) == [
        "I love green tea"
    ]
    actions.create_post(author=bob, text="#teatime")
    assert [t.name for t in selectors.search_tags(query="#tea")] == ["teatime"]
    assert selectors.search_accounts(query="  ", viewer=None) == []
