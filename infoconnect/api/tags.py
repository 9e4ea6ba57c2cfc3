"""Mastodon's tags: one tag (with `following`), following and unfollowing it, and the tags
the caller follows."""

import calendar

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Router

from infoconnect.accounts.models import User
from infoconnect.api.auth import optional_auth
from infoconnect.api.mastodon import page_params, set_link_header, viewer_of
from infoconnect.social import followed_tags, trends
from infoconnect.social.models import Tag

router = Router(tags=["tags"])


def tag_entities(request: HttpRequest, tags: list[Tag], viewer: User | None) -> list[dict]:
    """Mastodon's Tag: its week of history (newest day first, days as UNIX times, counts as
    strings) and, for a signed-in viewer, whether they follow it."""
    ids = {tag.pk for tag in tags}
    history = trends.tag_history(tag_ids=ids)
    following = followed_tags.followed_ids(user=viewer, tag_ids=ids)
    out = []
    for tag in tags:
        entity = {
            "id": str(tag.pk),
            "name": tag.name,
            "url": request.build_absolute_uri(reverse("social:tag", args=[tag.name])),
            "history": [
                {
                    "day": str(calendar.timegm(day["day"].timetuple())),
                    "uses": str(day["uses"]),
                    "accounts": str(day["accounts"]),
                }
                for day in history[tag.pk]
            ],
        }
        if viewer is not None:
            entity["following"] = tag.pk in following
        out.append(entity)
    return out


def _one(request: HttpRequest, tag: Tag) -> dict:
    return tag_entities(request, [tag], viewer_of(request))[0]


@router.get("/v1/followed_tags")
def list_followed_tags(
    request: HttpRequest,
    response: HttpResponse,
    max_id: str | None = None,
    since_id: str | None = None,
    min_id: str | None = None,
    limit: str | None = None,
):
    """The tags the caller follows, latest followed first (paged by the follow)."""
    rows = followed_tags.followed_tags(
        user=request.auth, page=page_params(max_id, since_id, min_id, limit)
    )
    set_link_header(request, response, [row.pk for row in rows])
    return tag_entities(request, [row.tag for row in rows], request.auth)


@router.post("/v1/tags/{path:name}/follow")
def follow_tag(request: HttpRequest, name: str):
    return _one(request, followed_tags.follow_tag(user=request.auth, name=name))


@router.post("/v1/tags/{path:name}/unfollow")
def unfollow_tag(request: HttpRequest, name: str):
    return _one(request, followed_tags.unfollow_tag(user=request.auth, name=name))


@router.get("/v1/tags/{path:name}", auth=optional_auth)
def get_tag(request: HttpRequest, name: str):
    return _one(request, followed_tags.get_tag(name=name))
