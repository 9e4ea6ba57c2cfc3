"""Mastodon.py posts pictures against a live server the way an app does: upload each with
media_post (/api/v2/media), describe one with media_update, post them with status_post."""

import io

import pytest
from mastodon import MastodonAPIError
from PIL import Image

from infoconnect.api.tests.test_mastodon_py import _client
from infoconnect.social.models import Post

pytestmark = pytest.mark.django_db(transaction=True)


def _jpeg(colour) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (800, 600), colour).save(out, "JPEG")
    return out.getvalue()


def test_mastodon_py_posts_two_pictures(live_server, make_user):
    app = _client(live_server, make_user("alice"))

    first = app.media_post(_jpeg((200, 30, 30)), mime_type="image/jpeg", description="Red tea")
    second = app.media_post(_jpeg((30, 160, 60)), mime_type="image/jpeg", focus=(0.5, -0.5))
    assert first.url.startswith(live_server.url + "/media/")
    assert (first.meta.original.width, first.meta.small.width) == (800, 400)
    updated = app.media_update(second.id, description="Green tea")
    assert (updated.description, updated.meta.focus.x) == ("Green tea", 0.5)

    status = app.status_post(
        "Two teas", media_ids=[second, first], visibility="private", spoiler_text="tea"
    )

    assert [m.id for m in status.media_attachments] == [second.id, first.id]
    assert [m.description for m in status.media_attachments] == ["Green tea", "Red tea"]
    post = Post.objects.get(pk=status.id)
    assert (post.visibility, post.spoiler_text, post.sensitive) == ("private", "tea", True)
    home = app.timeline_home()
    assert [m.id for m in home[0].media_attachments] == [second.id, first.id]

    # Scheduled with its pictures: Mastodon.py reads back a ScheduledStatus.
    third = app.media_post(_jpeg((90, 60, 30)), mime_type="image/jpeg", description="Oolong")
    later = app.status_post(
        "Oolong at noon", media_ids=[third], scheduled_at=post.created_at.replace(year=2031)
    )
    assert later.params.text == "Oolong at noon"
    assert [m["description"] for m in later.media_attachments] == ["Oolong"]
    assert [s.id for s in app.scheduled_statuses()] == [later.id]
    assert Post.objects.count() == 1

    with pytest.raises(MastodonAPIError) as refused:
        app.status_post("too soon", scheduled_at=post.created_at)
    assert "5 minutes" in str(refused.value)
