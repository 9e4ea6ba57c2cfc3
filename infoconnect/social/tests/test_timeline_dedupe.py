"""A post shows once on the home timeline: when it and plain reposts of it (or several reposts
by different followees) are all there, only the newest of them stands for it, on every page."""

import pytest
from django.urls import reverse

from infoconnect.core.pagination import PageParams
from infoconnect.social import actions, lists, selectors

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(make_user):
    names = ("alice", "bob", "carol", "dave")
    return tuple(make_user(name, display_name=name.title()) for name in names)


def entries(posts) -> list[tuple[str, str]]:
    """(who put it there, the text shown) per entry, newest first."""
    return [
        (post.author.username, post.repost_of.text if post.is_plain_repost else post.text)
        for post in posts
    ]


def home(user, **page) -> list:
    return selectors.home_timeline(user=user, page=PageParams(**page))


def test_an_original_and_its_reposts_show_once_as_the_newest_repost(people):
    alice, bob, carol, dave = people
    for followee in (bob, carol, dave):
        actions.follow(follower=alice, target=followee)
    original = actions.create_post(author=dave, text="Spring tea is in")
    actions.create_post(author=bob, text="Good morning")
    actions.repost(user=bob, post_id=original.pk)
    actions.repost(user=carol, post_id=original.pk)

    assert entries(home(alice)) == [("carol", "Spring tea is in"), ("bob", "Good morning")]


def test_a_repost_of_a_post_one_wrote_shows_it_once(people):
    alice, bob, _carol, _dave = people
    actions.follow(follower=alice, target=bob)
    mine = actions.create_post(author=alice, text="My tea notes")
    actions.repost(user=bob, post_id=mine.pk)

    assert entries(home(alice)) == [("bob", "My tea notes")]


def test_a_repost_with_a_comment_is_a_post_of_its_own(people):
    alice, bob, carol, dave = people
    for followee in (bob, carol, dave):
        actions.follow(follower=alice, target=followee)
    original = actions.create_post(author=dave, text="Spring tea is in")
    actions.repost(user=bob, post_id=original.pk, text="Ordered two")
    actions.repost(user=carol, post_id=original.pk)

    assert entries(home(alice)) == [("carol", "Spring tea is in"), ("bob", "Ordered two")]


def test_a_repost_hidden_from_the_reader_leaves_the_post_in_place(people):
    alice, bob, carol, dave = people
    for followee in (bob, carol, dave):
        actions.follow(follower=alice, target=followee)
    original = actions.create_post(author=dave, text="Spring tea is in")
    actions.repost(user=bob, post_id=original.pk)
    # A muted account's repost, and one by a member of an exclusive list, are not on the home
    # timeline: the repost alice can see there still stands for the post.
    actions.repost(user=carol, post_id=original.pk)
    actions.mute(muter=alice, target=carol)
    assert entries(home(alice)) == [("bob", "Spring tea is in")]

    exclusive = lists.create_list(owner=alice, title="Bob", exclusive=True)
    lists.add_accounts(owner=alice, list_id=exclusive.pk, account_ids=[bob.pk])
    assert entries(home(alice)) == [("dave", "Spring tea is in")]

    # A repost by someone alice does not follow is not hers to see either.
    actions.unfollow(follower=alice, target=bob)
    assert entries(home(alice)) == [("dave", "Spring tea is in")]


def test_pages_never_show_a_post_again(people):
    alice, bob, carol, dave = people
    for followee in (bob, carol, dave):
        actions.follow(follower=alice, target=followee)
    original = actions.create_post(author=dave, text="Spring tea is in")
    actions.create_post(author=dave, text="one")
    actions.repost(user=bob, post_id=original.pk)
    actions.create_post(author=dave, text="two")
    actions.create_post(author=dave, text="three")
    actions.repost(user=carol, post_id=original.pk)
    actions.create_post(author=dave, text="four")

    first = home(alice, limit=2)
    second = home(alice, limit=2, max_id=first[-1].pk)
    third = home(alice, limit=2, max_id=second[-1].pk)
    assert entries(first) == [("dave", "four"), ("carol", "Spring tea is in")]
    assert entries(second) == [("dave", "three"), ("dave", "two")]
    # Older than the cursor, the original and bob's repost of it were shown on the first page.
    assert entries(third) == [("dave", "one")]
    assert home(alice, limit=2, max_id=third[-1].pk) == []
    # Read upwards from the oldest, the same entries come back, in the same order.
    upwards = home(alice, limit=10, min_id=original.pk - 1)
    assert entries(upwards) == entries(first + second + third)


def test_the_home_page_and_the_api_show_the_reposted_post_once(people, client, api_client):
    alice, bob, carol, dave = people
    for followee in (bob, carol, dave):
        actions.follow(follower=alice, target=followee)
    original = actions.create_post(author=dave, text="Spring tea is in")
    actions.repost(user=bob, post_id=original.pk)
    actions.repost(user=carol, post_id=original.pk)

    client.force_login(alice)
    page = client.get(reverse("social:home")).content.decode()
    assert page.count("Spring tea is in") == 1
    assert "Carol reposted" in page and "Bob reposted" not in page

    statuses = api_client(alice).get("/api/v1/timelines/home").json()
    assert [(s["account"]["username"], s["reblog"]["content"]) for s in statuses] == [
        ("carol", "<p>Spring tea is in</p>")
    ]
