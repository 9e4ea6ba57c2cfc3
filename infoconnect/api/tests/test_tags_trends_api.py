"""Followed tags, trends, announcements and custom emojis."""

import calendar
from datetime import UTC, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from infoconnect.api.tests.conftest import BASE, error, links
from infoconnect.social import actions
from infoconnect.social.models import (
    Announcement,
    AnnouncementDismissal,
    CustomEmoji,
    FollowedTag,
    Post,
    Tag,
)

pytestmark = pytest.mark.django_db


def _days(**counts) -> list[dict]:
    """A week of history, newest day first; counts by days back: d0=(uses, accounts)."""
    today = timezone.now().astimezone(UTC).date()
    out = []
    for back in range(7):
        day = today - timedelta(days=back)
        uses, accounts = counts.get(f"d{back}", (0, 0))
        out.append(
            {
                "day": str(calendar.timegm(day.timetuple())),
                "uses": str(uses),
                "accounts": str(accounts),
            }
        )
    return out


# Tags -----------------------------------------------------------------------------------


def test_follow_a_tag_and_read_it(make_user, make_post, api_client):
    alice, bob = make_user("alice"), make_user("bob")
    make_post(bob, "#Tea one")
    make_post(alice, "#tea two")
    client = api_client(alice)

    followed = client.post("/api/v1/tags/TEA/follow")

    assert followed.status_code == 200
    tag = Tag.objects.get(name="tea")
    assert followed.json() == {
        "id": str(tag.pk),
        "name": "tea",
        "url": f"{BASE}/tags/tea/",
        "history": _days(d0=(2, 2)),
        "following": True,
    }
    assert client.post("/api/v1/tags/tea/follow").json()["following"] is True
    assert FollowedTag.objects.filter(user=alice).count() == 1
    assert client.get("/api/v1/tags/tea").json() == followed.json()
    # Someone else, and nobody, see the same tag without following it.
    assert api_client(bob).get("/api/v1/tags/tea").json()["following"] is False
    assert "following" not in api_client().get("/api/v1/tags/tea").json()

    unfollowed = client.post("/api/v1/tags/tea/unfollow")
    assert unfollowed.json() == {**followed.json(), "following": False}
    assert not FollowedTag.objects.exists()


def test_following_a_tag_no_post_used_yet_makes_it(make_user, api_client):
    client = api_client(make_user("alice"))

    body = client.post("/api/v1/tags/%E5%A5%B6%E8%8C%B6/follow").json()

    assert body["name"] == "奶茶" and body["history"] == _days()
    assert Tag.objects.filter(name="奶茶").exists()


def test_bad_and_unknown_tags(make_user, api_client):
    client = api_client(make_user("alice"))

    for bad in ("a%20b", "x" * 51, "a/../b"):
        response = client.post(f"/api/v1/tags/{bad}/follow")
        assert response.status_code == 422, bad
        assert error(response)["code"] == "tag_invalid"
    assert not Tag.objects.exists() and not FollowedTag.objects.exists()
    assert error(client.get("/api/v1/tags/nothing"))["code"] == "tag_not_found"
    assert error(client.post("/api/v1/tags/nothing/unfollow"))["code"] == "tag_not_found"


def test_following_tags_needs_a_token(api_client):
    assert api_client().post("/api/v1/tags/tea/follow").status_code == 401
    assert api_client().get("/api/v1/followed_tags").status_code == 401
    assert not Tag.objects.exists()


def test_followed_tags_are_paged(make_user, api_client):
    alice = make_user("alice")
    client = api_client(alice)
    for name in ("one", "two", "three"):
        client.post(f"/api/v1/tags/{name}/follow")
    api_client(make_user("bob")).post("/api/v1/tags/four/follow")

    first = client.get("/api/v1/followed_tags", {"limit": 2})

    assert [t["name"] for t in first.json()] == ["three", "two"]
    assert all(t["following"] for t in first.json())
    rest = client.get(links(first)["next"])
    assert [t["name"] for t in rest.json()] == ["one"]


# Trends ---------------------------------------------------------------------------------


@pytest.fixture
def week(make_user, make_post):
    alice, bob, carol = make_user("alice"), make_user("bob"), make_user("carol")
    hot = make_post(alice, "#tea hot")
    warm = make_post(bob, "#tea warm #coffee")
    cold = make_post(carol, "nobody cares")
    old = make_post(bob, "#coffee old")
    Post.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=3), likes_count=50
    )
    for fan in (bob, carol):
        actions.like(user=fan, post_id=hot.pk)
    actions.repost(user=carol, post_id=warm.pk)
    return (alice, bob, carol), {"hot": hot, "warm": warm, "cold": cold, "old": old}


def test_trending_tags_have_their_history(week, api_client):
    response = api_client().get("/api/v1/trends/tags")

    assert response.status_code == 200
    body = response.json()
    assert [(t["name"], t["history"]) for t in body] == [
        ("coffee", _days(d0=(1, 1), d3=(1, 1))),
        ("tea", _days(d0=(2, 2))),
    ]
    assert api_client().get("/api/v1/trends/tags", {"offset": 1}).json()[0]["name"] == "tea"
    assert api_client().get("/api/v1/trends/links").json() == []


def test_trending_statuses_rank_by_likes_and_reposts(week, make_user, api_client):
    (alice, bob, carol), posts = week

    body = api_client().get("/api/v1/trends/statuses").json()

    # The old post has the most likes, but in the last week; an unliked post never trends.
    assert [s["id"] for s in body] == [str(posts[k].pk) for k in ("old", "hot", "warm")]
    paged = api_client().get("/api/v1/trends/statuses", {"limit": 1, "offset": 1})
    assert [s["id"] for s in paged.json()] == [str(posts["hot"].pk)]
    assert "offset=2" in links(paged)["next"]

    actions.block(blocker=carol, target=bob)
    seen = api_client(carol).get("/api/v1/trends/statuses").json()
    assert [s["id"] for s in seen] == [str(posts["hot"].pk)]


def test_trends_ignore_junk_paging(week, api_client):
    response = api_client().get("/api/v1/trends/statuses", {"limit": "many", "offset": "-3"})
    assert len(response.json()) == 3


# Announcements --------------------------------------------------------------------------


@pytest.fixture
def notices():
    now = timezone.now()
    return {
        "live": Announcement.objects.create(text="Maintenance tonight\n\nSorry", published=True),
        "timed": Announcement.objects.create(
            text="Sale week",
            published=True,
            starts_at=now - timedelta(days=1),
            ends_at=now + timedelta(days=1),
            all_day=True,
            published_at=now - timedelta(days=2),
        ),
        "draft": Announcement.objects.create(text="Not yet"),
        "over": Announcement.objects.create(
            text="Past", published=True, starts_at=now - timedelta(days=3), ends_at=now
        ),
        "later": Announcement.objects.create(
            text="Soon", published=True, starts_at=now + timedelta(hours=1)
        ),
    }


def test_announcements_and_dismissing_one(notices, make_user, api_client):
    alice = make_user("alice")
    client = api_client(alice)

    body = client.get("/api/v1/announcements").json()

    live, timed = notices["live"], notices["timed"]
    assert [a["id"] for a in body] == [str(live.pk), str(timed.pk)]
    first = body[0]
    assert first["published_at"].endswith("Z") and first["updated_at"].endswith("Z")
    assert {k: v for k, v in first.items() if k not in ("published_at", "updated_at")} == {
        "id": str(live.pk),
        "content": "<p>Maintenance tonight</p><p>Sorry</p>",
        "starts_at": None,
        "ends_at": None,
        "all_day": False,
        "read": False,
        "mentions": [],
        "statuses": [],
        "tags": [],
        "emojis": [],
        "reactions": [],
    }
    assert body[1]["all_day"] is True and body[1]["starts_at"].endswith("Z")

    assert client.post(f"/api/v1/announcements/{live.pk}/dismiss").json() == {}
    assert client.post(f"/api/v1/announcements/{live.pk}/dismiss").json() == {}
    assert AnnouncementDismissal.objects.filter(user=alice).count() == 1
    assert [a["id"] for a in client.get("/api/v1/announcements").json()] == [str(timed.pk)]
    with_read = client.get("/api/v1/announcements", {"with_dismissed": "true"}).json()
    assert [(a["id"], a["read"]) for a in with_read] == [
        (str(live.pk), True),
        (str(timed.pk), False),
    ]
    # Bob has dismissed nothing.
    bob = api_client(make_user("bob"))
    assert len(bob.get("/api/v1/announcements").json()) == 2


def test_only_current_announcements_can_be_dismissed(notices, make_user, api_client):
    client = api_client(make_user("alice"))
    for key in ("draft", "over", "later"):
        response = client.post(f"/api/v1/announcements/{notices[key].pk}/dismiss")
        assert response.status_code == 404
        assert error(response)["code"] == "announcement_not_found"
    assert error(client.post("/api/v1/announcements/x/dismiss"))["code"] == (
        "announcement_not_found"
    )
    assert not AnnouncementDismissal.objects.exists()
    anonymous = api_client()
    assert anonymous.get("/api/v1/announcements").status_code == 401
    assert anonymous.post(f"/api/v1/announcements/{notices['live'].pk}/dismiss").status_code == 401
    assert not AnnouncementDismissal.objects.exists()


def test_announcements_in_the_admin(notices, make_user, client):
    make_user("root", is_staff=True, is_superuser=True)
    client.login(username="root", password="correct-horse-battery-staple")

    page = client.get("/admin/social/announcement/")
    added = client.post(
        "/admin/social/announcement/add/",
        {
            "text": "New rules",
            "published": "on",
            "published_at_0": "2026-01-01",
            "published_at_1": "10:00:00",
        },
    )

    assert page.status_code == 200 and b"Maintenance tonight" in page.content
    assert added.status_code == 302
    assert Announcement.objects.filter(text="New rules", published=True).exists()


# Custom emojis --------------------------------------------------------------------------

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


def test_custom_emojis(api_client):
    assert api_client().get("/api/v1/custom_emojis").json() == []
    emoji = CustomEmoji.objects.create(
        shortcode="tea", image=SimpleUploadedFile("tea.png", PNG), category="Drinks"
    )
    CustomEmoji.objects.create(
        shortcode="hidden", image=SimpleUploadedFile("h.png", PNG), visible_in_picker=False
    )

    body = api_client().get("/api/v1/custom_emojis").json()

    url = f"{BASE}{emoji.image.url}"
    assert body[1] == {
        "shortcode": "tea",
        "url": url,
        "static_url": url,
        "visible_in_picker": True,
        "category": "Drinks",
    }
    assert body[0]["shortcode"] == "hidden" and body[0]["visible_in_picker"] is False
    assert body[0]["category"] is None
