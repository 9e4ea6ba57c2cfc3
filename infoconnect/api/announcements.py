"""Mastodon's announcements (the operator's notices, with per-person dismissal) and custom
emojis (uploaded in the admin)."""

from django.http import HttpRequest
from ninja import Router

from infoconnect.api.mastodon import Presenter, parse_id
from infoconnect.api.times import iso
from infoconnect.social import announcements
from infoconnect.social.errors import SocialError
from infoconnect.social.models import CustomEmoji

router = Router(tags=["announcements"])


@router.get("/v1/announcements")
def list_announcements(request: HttpRequest, with_dismissed: bool = False):
    """Current announcements, newest first; dismissed ones only with `with_dismissed`."""
    presenter = Presenter(request)
    return [
        {
            "id": str(row.pk),
            "content": presenter.content(row.text),
            "starts_at": iso(row.starts_at),
            "ends_at": iso(row.ends_at),
            "all_day": row.all_day,
            "published_at": iso(row.published_at),
            "updated_at": iso(row.updated_at),
            "read": row.read,
            "mentions": [],
            "statuses": [],
            "tags": [],
            "emojis": [],
            "reactions": [],
        }
        for row in announcements.current(user=request.auth, with_dismissed=with_dismissed)
    ]


@router.post("/v1/announcements/{announcement_id}/dismiss")
def dismiss_announcement(request: HttpRequest, announcement_id: str):
    announcements.dismiss(
        user=request.auth,
        announcement_id=parse_id(announcement_id, SocialError.ANNOUNCEMENT_NOT_FOUND),
    )
    return {}


@router.get("/v1/custom_emojis", auth=None, tags=["instance"])
def custom_emojis(request: HttpRequest):
    """The site's custom emojis, by shortcode; an empty list when there are none."""
    return [
        {
            "shortcode": emoji.shortcode,
            "url": request.build_absolute_uri(emoji.image.url),
            "static_url": request.build_absolute_uri(emoji.image.url),
            "visible_in_picker": emoji.visible_in_picker,
            "category": emoji.category or None,
        }
        for emoji in CustomEmoji.objects.order_by("shortcode")
    ]
