"""Dismissing and clearing notifications, unread counts and v2's grouped notifications."""

import pytest

from infoconnect.api.tests.conftest import ACCOUNT_FIELDS, error, links
from infoconnect.social import actions
from infoconnect.social.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(make_user):
    return [make_user(name) for name in ("alice", "bob", "carol", "dave")]


@pytest.fixture
def busy(people, make_post):
    """Alice's post liked by Bob, Carol and Dave and reposted by Bob; a follow; a mention."""
    alice, bob, carol, dave = people
    post = make_post(alice, "Tea is ready")
    for fan in (bob, carol, dave):
        actions.like(user=fan, post_id=post.pk)
    actions.repost(user=bob, post_id=post.pk)
    actions.follow(follower=carol, target=alice)
    mention = make_post(dave, "@alice hello")
    return post, mention


def test_v1_notifications_carry_their_group_key(people, busy, api_client):
    post, mention = busy
    body = api_client(people[0]).get("/api/v1/notifications").json()

    rows = list(Notification.objects.filter(recipient=people[0]).order_by("-id"))
    assert [(n["type"], n["group_key"]) for n in body] == [
        ("mention", f"ungrouped-{rows[0].pk}"),
        ("follow", f"ungrouped-{rows[1].pk}"),
        ("reblog", f"reblog-{post.pk}"),
        ("favourite", f"favourite-{post.pk}"),
        ("favourite", f"favourite-{post.pk}"),
        ("favourite", f"favourite-{post.pk}"),
    ]


def test_grouped_notifications(people, busy, api_client):
    alice, bob, carol, dave = people
    post, mention = busy
    rows = list(Notification.objects.filter(recipient=alice).order_by("-id"))

    response = api_client(alice).get("/api/v2/notifications")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"accounts", "statuses", "notification_groups"}
    assert [a["id"] for a in body["accounts"]] == [str(dave.pk), str(carol.pk), str(bob.pk)]
    assert all(set(a) == ACCOUNT_FIELDS for a in body["accounts"])
    assert [s["id"] for s in body["statuses"]] == [str(mention.pk), str(post.pk)]
    groups = body["notification_groups"]
    for group in groups:
        assert group.pop("latest_page_notification_at").endswith("Z")
    assert groups == [
        {
            "group_key": f"ungrouped-{rows[0].pk}",
            "notifications_count": 1,
            "type": "mention",
            "most_recent_notification_id": str(rows[0].pk),
            "page_min_id": str(rows[0].pk),
            "page_max_id": str(rows[0].pk),
            "sample_account_ids": [str(dave.pk)],
            "status_id": str(mention.pk),
        },
        {
            "group_key": f"ungrouped-{rows[1].pk}",
            "notifications_count": 1,
            "type": "follow",
            "most_recent_notification_id": str(rows[1].pk),
            "page_min_id": str(rows[1].pk),
            "page_max_id": str(rows[1].pk),
            "sample_account_ids": [str(carol.pk)],
            "status_id": None,
        },
        {
            "group_key": f"reblog-{post.pk}",
            "notifications_count": 1,
            "type": "reblog",
            "most_recent_notification_id": str(rows[2].pk),
            "page_min_id": str(rows[2].pk),
            "page_max_id": str(rows[2].pk),
            "sample_account_ids": [str(bob.pk)],
            "status_id": str(post.pk),
        },
        {
            "group_key": f"favourite-{post.pk}",
            "notifications_count": 3,
            "type": "favourite",
            "most_recent_notification_id": str(rows[3].pk),
            "page_min_id": str(rows[5].pk),
            "page_max_id": str(rows[3].pk),
            "sample_account_ids": [str(dave.pk), str(carol.pk), str(bob.pk)],
            "status_id": str(post.pk),
        },
    ]


def test_a_group_counts_beyond_its_page(people, busy, api_client):
    post, _mention = busy
    client = api_client(people[0])

    first = client.get("/api/v2/notifications", {"limit": 4})

    groups = first.json()["notification_groups"]
    assert groups[-1]["group_key"] == f"favourite-{post.pk}"
    # One like on this page, three in all.
    assert groups[-1]["notifications_count"] == 3
    following = client.get(links(first)["next"]).json()["notification_groups"]
    assert [g["group_key"] for g in following] == [f"favourite-{post.pk}"]
    assert len(following[0]["sample_account_ids"]) == 2


def test_grouped_types_and_types_narrow_the_groups(people, busy, api_client):
    client = api_client(people[0])

    only_likes = client.get("/api/v2/notifications", {"types[]": "favourite"}).json()
    assert [g["type"] for g in only_likes["notification_groups"]] == ["favourite"]

    ungrouped = client.get("/api/v2/notifications", {"grouped_types[]": "reblog"}).json()
    keys = [g["group_key"] for g in ungrouped["notification_groups"]]
    assert len(keys) == 6 and all(k.startswith("ungrouped-") for k in keys[3:])


def test_unread_counts(people, busy, api_client):
    client = api_client(people[0])

    assert client.get("/api/v1/notifications/unread_count").json() == {"count": 6}
    assert client.get("/api/v1/notifications/unread_count", {"limit": "2"}).json() == {"count": 2}
    assert client.get("/api/v1/notifications/unread_count", {"limit": "x"}).json() == {"count": 6}
    # Mention, follow, the reposts group and the likes group.
    assert client.get("/api/v2/notifications/unread_count").json() == {"count": 4}

    actions.mark_notifications_read(user=people[0])
    assert client.get("/api/v1/notifications/unread_count").json() == {"count": 0}
    assert client.get("/api/v2/notifications/unread_count").json() == {"count": 0}
    assert api_client(people[1]).get("/api/v1/notifications/unread_count").json() == {"count": 0}


def test_dismiss_one_notification(people, busy, api_client):
    alice, bob = people[0], people[1]
    row = Notification.objects.filter(recipient=alice).order_by("-id").first()

    other = api_client(bob).post(f"/api/v1/notifications/{row.pk}/dismiss")
    assert other.status_code == 404
    assert error(other)["code"] == "notification_not_found"
    assert Notification.objects.filter(pk=row.pk).exists()
    bad = api_client(alice).post("/api/v1/notifications/nope/dismiss")
    assert error(bad)["code"] == "notification_not_found"

    client = api_client(alice)
    assert client.post(f"/api/v1/notifications/{row.pk}/dismiss").json() == {}
    assert not Notification.objects.filter(pk=row.pk).exists()
    assert Notification.objects.filter(recipient=alice).count() == 5
    assert client.post(f"/api/v1/notifications/{row.pk}/dismiss").status_code == 404


def test_clear_removes_only_the_callers_notifications(people, busy, make_post, api_client):
    alice, bob = people[0], people[1]
    make_post(alice, "@bob hi")

    assert api_client(alice).post("/api/v1/notifications/clear").json() == {}

    assert not Notification.objects.filter(recipient=alice).exists()
    assert Notification.objects.filter(recipient=bob).count() == 1
    assert api_client(alice).get("/api/v2/notifications").json() == {
        "accounts": [],
        "statuses": [],
        "notification_groups": [],
    }


def test_notification_endpoints_need_a_token(people, busy, api_client):
    anonymous = api_client()
    for response in (
        anonymous.post("/api/v1/notifications/clear"),
        anonymous.post("/api/v1/notifications/1/dismiss"),
        anonymous.get("/api/v1/notifications/unread_count"),
        anonymous.get("/api/v2/notifications"),
        anonymous.get("/api/v2/notifications/unread_count"),
    ):
        assert response.status_code == 401
        assert error(response)["code"] == "not_authenticated"
    assert Notification.objects.count() == 6
