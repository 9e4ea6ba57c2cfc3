"""Posting later from the web: the compose box's "Post later (optional)" and the scheduled
posts page, as a person sees them."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from infoconnect.social.actions import scheduled
from infoconnect.social.models import MediaAttachment, Post, ScheduledStatus
from infoconnect.social.tests.test_views import HTMX, client_for, text_of

pytestmark = pytest.mark.django_db


def local(minutes: int) -> str:
    """A time as the datetime-local field sends it, in the site's time zone."""
    return timezone.localtime(timezone.now() + timedelta(minutes=minutes)).strftime(
        "%Y-%m-%dT%H:%M"
    )


def png() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (0, 120, 0)).save(out, "PNG")
    return SimpleUploadedFile("tea.png", out.getvalue(), content_type="image/png")


@pytest.fixture
def alice(make_user):
    return make_user("alice")


def test_the_compose_box_posts_later_and_the_page_lists_it(alice):
    client = client_for(alice)
    assert "Post later (optional)" in text_of(client.get("/"))
    at = local(90)
    response = client.post(
        reverse("social:post_create"),
        {
            "text": "Tea tasting tonight",
            "scheduled_at": at,
            "visibility": "private",
            "media": png(),
        },
        follow=True,
    )
    shown = at.replace("T", " ")
    assert f"Your post will be published at {shown}." in text_of(response)
    assert not Post.objects.exists()
    row = ScheduledStatus.objects.get()
    assert (row.text, row.visibility, row.user_id) == ("Tea tasting tonight", "private", alice.pk)
    assert MediaAttachment.objects.get().scheduled_id == row.pk
    page = text_of(client.get(reverse("social:scheduled")))
    assert f"{shown} · Followers only · 1 picture" in page
    assert "Tea tasting tonight" in page


def test_htmx_puts_the_notice_where_the_post_would_go(alice):
    response = client_for(alice).post(
        reverse("social:post_create"),
        {"text": "Later", "scheduled_at": local(30)},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert "Your post will be published at" in text_of(response)
    assert "See your scheduled posts" in text_of(response)


@pytest.mark.parametrize(
    "scheduled_at, status, message",
    [
        (lambda: local(1), 422, "A post can be scheduled 5 minutes ahead at the earliest."),
        (lambda: "next tuesday", 422, "Give the time to publish at as an ISO 8601 date"),
    ],
)
def test_a_time_too_soon_or_not_a_time_is_shown_and_nothing_kept(
    alice, scheduled_at, status, message
):
    response = client_for(alice).post(
        reverse("social:post_create"), {"text": "Tea", "scheduled_at": scheduled_at()}
    )
    assert response.status_code == status
    assert message in text_of(response)
    assert not ScheduledStatus.objects.exists()
    assert not Post.objects.exists()


def test_cancel_takes_it_off_and_it_is_never_published(alice):
    row = scheduled.schedule_status(
        author=alice, text="Not after all", scheduled_at=timezone.now() + timedelta(hours=2)
    )
    client = client_for(alice)
    response = client.post(reverse("social:scheduled_cancel", args=[row.pk]), follow=True)
    page = text_of(response)
    assert "The scheduled post was cancelled; it will not be published." in page
    assert "You have no scheduled posts." in page
    assert not ScheduledStatus.objects.exists()


def test_only_the_author_sees_or_cancels_a_scheduled_post(alice, make_user):
    row = scheduled.schedule_status(
        author=alice, text="Mine", scheduled_at=timezone.now() + timedelta(hours=2)
    )
    bob = client_for(make_user("bob"))
    assert "Mine" not in text_of(bob.get(reverse("social:scheduled")))
    assert bob.post(reverse("social:scheduled_cancel", args=[row.pk])).status_code == 404
    anonymous = Client()
    assert anonymous.get(reverse("social:scheduled")).status_code == 302
    assert anonymous.post(reverse("social:scheduled_cancel", args=[row.pk])).status_code == 302
    assert (
        client_for(alice).get(reverse("social:scheduled_cancel", args=[row.pk])).status_code == 405
    )
    assert ScheduledStatus.objects.get().state == ScheduledStatus.State.SCHEDULED
