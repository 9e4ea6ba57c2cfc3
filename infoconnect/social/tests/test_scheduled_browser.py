"""Posting later from the compose box in a real Chromium, then cancelling it."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from infoconnect.core.tests.images import photo_with_gps
from infoconnect.social.models import Post, ScheduledStatus


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_post_later_with_a_picture_then_cancel_it(page, login, make_user):
    make_user("alice")
    page.set_default_timeout(30_000)
    login("alice")
    at = timezone.localtime(timezone.now() + timedelta(days=1)).replace(second=0, microsecond=0)

    page.get_by_label("Pictures (up to 9)").set_input_files(
        [{"name": "cup.jpg", "mimeType": "image/jpeg", "buffer": photo_with_gps(size=(300, 200))}]
    )
    expect(page.locator("input[name=media_ids]")).to_have_count(1)
    page.get_by_label("What's happening?").fill("Tasting at noon")
    page.get_by_label("Post later (optional)").fill(at.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Post", exact=True).click()

    expect(page.get_by_test_id("scheduled-notice")).to_contain_text(
        f"Your post will be published at {at:%Y-%m-%d %H:%M}."
    )
    # Nothing on the timeline yet; the form is empty again.
    expect(page.locator("#timeline > article")).to_have_count(0)
    expect(page.get_by_label("What's happening?")).to_have_value("")
    assert not Post.objects.exists()
    row = ScheduledStatus.objects.get()
    assert (row.text, row.scheduled_at) == ("Tasting at noon", at)
    assert row.media.count() == 1

    page.get_by_role("link", name="See your scheduled posts").click()
    item = page.get_by_test_id("scheduled-post")
    expect(item).to_contain_text(f"{at:%Y-%m-%d %H:%M} · Public · 1 picture")
    expect(item).to_contain_text("Tasting at noon")
    item.get_by_role("button", name="Cancel").click()
    expect(
        page.get_by_text("The scheduled post was cancelled; it will not be published.")
    ).to_be_visible()
    expect(page.get_by_text("You have no scheduled posts.")).to_be_visible()
    assert not ScheduledStatus.objects.exists()
