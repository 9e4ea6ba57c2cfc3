"""Mastodon's trends: this week's tags (with their history) and statuses; InfoConnect has no
link previews to rank, so links are an empty list."""

from django.http import HttpRequest, HttpResponse
from ninja import Router

from infoconnect.api.auth import optional_auth
from infoconnect.api.mastodon import Presenter, viewer_of
from infoconnect.api.tags import tag_entities
from infoconnect.social import trends
from infoconnect.social.models import FilterContext

router = Router(tags=["trends"])
TAGS_DEFAULT, TAGS_MAX = 10, 20
STATUSES_DEFAULT, STATUSES_MAX = 20, 40
OFFSET_MAX = 1000


def _window(offset: str | None, limit: str | None, default: int, most: int) -> tuple[int, int]:
    """Mastodon pages trends by offset; junk values fall back to the defaults."""

    def number(value: str | None, fallback: int) -> int:
        try:
            return int(value) if value not in (None, "") else fallback
        except ValueError:
            return fallback

    return min(max(0, number(offset, 0)), OFFSET_MAX), max(1, min(number(limit, default), most))


def _next_link(request: HttpRequest, response: HttpResponse, offset: int, limit: int, got: int):
    if got < limit:
        return
    query = request.GET.copy()
    query["offset"] = str(offset + limit)
    response["Link"] = (
        f'<{request.build_absolute_uri(request.path)}?{query.urlencode()}>; rel="next"'
    )


@router.get("/v1/trends/tags", auth=optional_auth)
@router.get("/v1/trends", auth=optional_auth, include_in_schema=False)
def trending_tags(
    request: HttpRequest,
    response: HttpResponse,
    offset: str | None = None,
    limit: str | None = None,
):
    """Tags on most posts this week, each with its uses per day."""
    start, size = _window(offset, limit, TAGS_DEFAULT, TAGS_MAX)
    tags = trends.trending_tags(offset=start, limit=size)
    _next_link(request, response, start, size, len(tags))
    return tag_entities(request, tags, viewer_of(request))


@router.get("/v1/trends/statuses", auth=optional_auth)
def trending_statuses(
    request: HttpRequest,
    response: HttpResponse,
    offset: str | None = None,
    limit: str | None = None,
):
    """Public posts of the last seven days with the most likes and reposts."""
    start, size = _window(offset, limit, STATUSES_DEFAULT, STATUSES_MAX)
    posts = trends.trending_posts(viewer=viewer_of(request), offset=start, limit=size)
    _next_link(request, response, start, size, len(posts))
    return Presenter(request, filter_context=FilterContext.PUBLIC).statuses(posts)


@router.get("/v1/trends/links", auth=None)
def trending_links(request: HttpRequest):
    return []
