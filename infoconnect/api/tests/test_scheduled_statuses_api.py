"""Scheduled statuses: POST /api/v1/statuses with scheduled_at, /api/v1/scheduled_statuses,
and the task and the sweep that post them once, when due."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from infoconnect.api.tests.conftest import error
from infoconnect.core import sweeps
from infoconnect.social import actions, media
from infoconnect.social.actions import scheduled
from infoconnect.social.models import MediaAttachment, Post, ScheduledStatus
from infoconnect.social.tasks import publish_scheduled_status

pytestmark = pytest.mark.django_db

State = ScheduledStatus.State


def in_(minutes: int) -> str:
    return (timezone.now() + timedelta(minutes=minutes)).isoformat()


def picture(owner) -> MediaAttachment:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (0, 128, 0)).save(out, "PNG")
    upload = SimpleUploadedFile("tea.png", out.getvalue(), content_type="image/png")
    return media.upload_media(owner=owner, upload=upload, description="Green tea")


def due(row: ScheduledStatus):
    return row.scheduled_at + timedelta(seconds=1)


@pytest.fixture
def alice(make_user):
    return make_user("alice")


def test_a_status_with_scheduled_at_is_kept_and_posted_when_due(alice, api_client):
    client = api_client(alice)
    cup = picture(alice)
    response = client.post(
        "/api/v1/statuses",
        {
            "status": "Tea at noon #tea",
            "scheduled_at": in_(60),
            "visibility": "private",
            "spoiler_text": "tea",
            "language": "en",
            "media_ids[]": [str(cup.pk)],
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    row = ScheduledStatus.objects.get()
    assert body["id"] == str(row.pk)
    assert body["params"]["text"] == "Tea at noon #tea"
    assert body["params"]["visibility"] == "private"
    assert body["params"]["media_ids"] == [str(cup.pk)]
    assert [m["description"] for m in body["media_attachments"]] == ["Green tea"]
    assert not Post.objects.exists()
    assert [s["id"] for s in client.get("/api/v1/scheduled_statuses").json()] == [body["id"]]
    assert client.get(f"/api/v1/scheduled_statuses/{row.pk}").json() == body

    # Early, the task finds nothing to do; when due it posts the status as it was asked for.
    assert scheduled.publish_due(scheduledstatus_id=row.pk) is False
    assert scheduled.publish_due(scheduledstatus_id=row.pk, now=due(row)) is True
    post = Post.objects.get()
    assert (post.author_id, post.text, post.visibility) == (alice.pk, "Tea at noon #tea", "private")
    assert (post.spoiler_text, post.language) == ("tea", "en")
    assert list(post.media.values_list("pk", flat=True)) == [cup.pk]
    row.refresh_from_db()
    assert (row.state, row.post_id) == (State.PUBLISHED, post.pk)
    assert client.get("/api/v1/scheduled_statuses").json() == []
    assert client.get(f"/api/v1/scheduled_statuses/{row.pk}").status_code == 404


def test_a_retried_or_late_publishing_posts_once(alice):
    row = scheduled.schedule_status(
        author=alice, text="Once", scheduled_at=timezone.now() + timedelta(hours=1)
    )
    assert scheduled.publish_due(scheduledstatus_id=row.pk, now=due(row))
    assert not scheduled.publish_due(scheduledstatus_id=row.pk, now=due(row))
    # The sweep behind the task finds nothing left.
    assert sweeps.run(app_label="social", now=due(row))["scheduledstatus.publish"] == 0
    assert Post.objects.filter(text="Once").count() == 1


def test_the_sweep_posts_a_status_whose_task_was_lost(alice):
    row = scheduled.schedule_status(
        author=alice, text="Lost task", scheduled_at=timezone.now() + timedelta(hours=1)
    )
    assert sweeps.run(app_label="social")["scheduledstatus.publish"] == 0
    assert sweeps.run(app_label="social", now=due(row))["scheduledstatus.publish"] == 1
    assert Post.objects.get().text == "Lost task"


def test_the_task_waits_again_when_the_status_was_moved_later(alice, monkeypatch):
    row = scheduled.schedule_status(
        author=alice, text="Later", scheduled_at=timezone.now() + timedelta(hours=1)
    )
    queued = []
    monkeypatch.setattr(
        "infoconnect.social.tasks.enqueue_now",
        lambda task, *args, run_after=None: queued.append((args, run_after)),
    )
    assert publish_scheduled_status.func(row.pk) is False
    assert queued == [((row.pk,), row.scheduled_at)]
    assert not Post.objects.exists()


def test_a_status_that_cannot_be_posted_when_due_fails_and_lets_its_pictures_go(alice, make_user):
    bob = make_user("bob")
    parent = actions.create_post(author=bob, text="Who has tea?")
    cup = picture(alice)
    row = scheduled.schedule_status(
        author=alice,
        text="I do",
        in_reply_to_id=parent.pk,
        media_ids=[cup.pk],
        scheduled_at=timezone.now() + timedelta(hours=1),
    )
    actions.delete_post(user=bob, post_id=parent.pk)
    assert scheduled.publish_due(scheduledstatus_id=row.pk, now=due(row)) is False
    row.refresh_from_db()
    assert (row.state, row.failure_code, row.post_id) == (State.FAILED, "post_not_found", None)
    assert not Post.objects.filter(text="I do").exists()
    cup.refresh_from_db()
    assert (cup.post_id, cup.scheduled_id) == (None, None)


def test_pictures_a_scheduled_status_holds_are_neither_taken_nor_swept(alice, api_client):
    cup = picture(alice)
    scheduled.schedule_status(
        author=alice, text="", media_ids=[cup.pk], scheduled_at=timezone.now() + timedelta(hours=1)
    )
    response = api_client(alice).post(
        "/api/v1/statuses", {"status": "Mine now", "media_ids[]": [str(cup.pk)]}
    )
    assert response.status_code == 422
    assert error(response)["code"] == "media_already_attached"
    assert media.sweep_stale_media(now=timezone.now() + timedelta(days=30)) == 0
    assert MediaAttachment.objects.filter(pk=cup.pk).exists()


@pytest.mark.parametrize(
    "fields, code",
    [
        ({"status": "Soon", "scheduled_at": in_(2)}, "scheduled_too_soon"),
        ({"status": "When?", "scheduled_at": "tomorrow"}, "scheduled_invalid_time"),
        ({"status": "", "scheduled_at": in_(60)}, "post_empty"),
        ({"status": "Hi", "scheduled_at": in_(60), "visibility": "friends"}, "invalid_visibility"),
        ({"status": "Hi", "scheduled_at": in_(60), "media_ids[]": ["999"]}, "media_not_found"),
        ({"status": "Hi", "scheduled_at": in_(60), "in_reply_to_id": "999"}, "post_not_found"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_kept(alice, api_client, fields, code):
    response = api_client(alice).post("/api/v1/statuses", fields)
    assert response.status_code in (404, 422), response.content
    assert error(response)["code"] == code
    assert not ScheduledStatus.objects.exists()
    assert not Post.objects.exists()


def test_a_quote_cannot_be_scheduled(alice, api_client, make_post):
    original = make_post(alice, "Original")
    response = api_client(alice).post(
        "/api/v1/statuses",
        {"status": "Look", "quoted_status_id": str(original.pk), "scheduled_at": in_(60)},
    )
    assert response.status_code == 422
    assert error(response)["code"] == "unsupported_parameter"
    assert not ScheduledStatus.objects.exists()


def test_at_most_25_a_day(alice, api_client):
    at = timezone.localtime() + timedelta(days=2)
    for n in range(25):
        scheduled.schedule_status(author=alice, text=f"Post {n}", scheduled_at=at)
    response = api_client(alice).post(
        "/api/v1/statuses", {"status": "One more", "scheduled_at": at.isoformat()}
    )
    assert response.status_code == 422
    assert error(response)["code"] == "too_many_scheduled"
    assert ScheduledStatus.objects.count() == 25
    # Another day still has room.
    scheduled.schedule_status(author=alice, text="Next day", scheduled_at=at + timedelta(days=1))


def test_put_moves_it_and_delete_cancels_it(alice, api_client):
    client = api_client(alice)
    cup = picture(alice)
    row = scheduled.schedule_status(
        author=alice,
        text="Tea",
        media_ids=[cup.pk],
        scheduled_at=timezone.now() + timedelta(hours=1),
    )
    later = timezone.now() + timedelta(days=1)
    response = client.put(
        f"/api/v1/scheduled_statuses/{row.pk}",
        {"scheduled_at": later.isoformat()},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    row.refresh_from_db()
    assert row.scheduled_at == later
    too_soon = client.put(
        f"/api/v1/scheduled_statuses/{row.pk}",
        {"scheduled_at": in_(1)},
        content_type="application/json",
    )
    assert error(too_soon)["code"] == "scheduled_too_soon"
    row.refresh_from_db()
    assert row.scheduled_at == later

    assert client.delete(f"/api/v1/scheduled_statuses/{row.pk}").json() == {}
    assert not ScheduledStatus.objects.exists()
    # Its picture can go on a post now.
    post = actions.create_post(author=alice, text="Now", media_ids=[cup.pk])
    assert list(post.media.values_list("pk", flat=True)) == [cup.pk]


def test_another_person_s_scheduled_status_is_not_there(alice, make_user, api_client):
    row = scheduled.schedule_status(
        author=alice, text="Mine", scheduled_at=timezone.now() + timedelta(hours=1)
    )
    bob = api_client(make_user("bob"))
    path = f"/api/v1/scheduled_statuses/{row.pk}"
    assert bob.get("/api/v1/scheduled_statuses").json() == []
    assert error(bob.get(path))["code"] == "scheduled_status_not_found"
    moved = bob.put(path, {"scheduled_at": in_(600)}, content_type="application/json")
    assert moved.status_code == 404
    assert bob.delete(path).status_code == 404
    assert api_client().get("/api/v1/scheduled_statuses").status_code == 401
    row.refresh_from_db()
    assert row.state == State.SCHEDULED
