"""What a reader keeps and what a post gathered: bookmarks, pins, favourites, and who
reblogged or favourited a status."""

from django.http import HttpRequest, HttpResponse
from ninja import Router

from infoconnect.api.auth import optional_auth
from infoconnect.api.mastodon import (
    Presenter,
    page_params,
    parse_id,
    set_link_header,
    viewer_of,
)
from infoconnect.api.schemas import AccountOut, StatusOut
from infoconnect.social import lists, selectors
from infoconnect.social.errors import SocialError

router = Router(tags=["statuses"])


def _visible_post(request: HttpRequest, status_id: str):
    """The status as the caller may see it; one they may not is 404."""
    return selectors.get_post(
        post_id=parse_id(status_id, SocialError.POST_NOT_FOUND), viewer=viewer_of(request)
    )


def _kept(request: HttpRequest, status_id: str, keep) -> dict:
    post = _visible_post(request, status_id)
    keep(user=request.auth, post=post)
    return Presenter(request).status(post)


@router.post("/v1/statuses/{status_id}/bookmark", response=StatusOut, exclude_unset=True)
def bookmark(request: HttpRequest, status_id: str):
    """Keep a status for later; only the caller sees their bookmarks."""
    return _kept(request, status_id, lists.bookmark)


@router.post("/v1/statuses/{status_id}/unbookmark", response=StatusOut, exclude_unset=True)
def unbookmark(request: HttpRequest, status_id: str):
    return _kept(request, status_id, lists.unbookmark)


@router.post("/v1/statuses/{status_id}/pin", response=StatusOut, exclude_unset=True)
def pin(request: HttpRequest, status_id: str):
    """Show one of one's own public or unlisted statuses first on the profile (at most 5)."""
    return _kept(request, status_id, lists.pin)


@router.post("/v1/statuses/{status_id}/unpin", response=StatusOut, exclude_unset=True)
def unpin(request: HttpRequest, status_id: str):
    return _kept(request, status_id, lists.unpin)


@router.get("/v1/bookmarks", response=list[StatusOut], exclude_unset=True)
def bookmarks(
    request: HttpRequest,
    response: HttpResponse,
    max_id: str | None = None,
    since_id: str | None = None,
    min_id: str | None = None,
    limit: str | None = None,
):
    """The caller's bookmarked statuses, newest bookmark first (paged by the bookmark)."""
    rows = selectors.bookmarks(user=request.auth, page=page_params(max_id, since_id, min_id, limit))
    set_link_header(request, response, [row.pk for row in rows])
    return Presenter(request).statuses([row.post for row in rows])


@router.get("/v1/favourites", response=list[StatusOut], exclude_unset=True)
def favourites(
    request: HttpRequest,
    response: HttpResponse,
    max_id: str | None = None,
    since_id: str | None = None,
    min_id: str | None = None,
    limit: str | None = None,
):
    """The statuses the caller liked, newest like first (paged by the like)."""
    rows = selectors.favourites(
        user=request.auth, page=page_params(max_id, since_id, min_id, limit)
    )
    set_link_header(request, response, [row.pk for row in rows])
    return Presenter(request).statuses([row.post for row in rows])


def _who(request, response, status_id: str, page, rows_of, attribute: str) -> list[dict]:
    """The accounts behind a status's reblogs or favourites, latest first (paged by the
    reblog or favourite); a plain repost answers for the status it shares."""
    post = _visible_post(request, status_id)
    original = post.repost_of if post.is_plain_repost else post
    rows = rows_of(post=original, viewer=viewer_of(request), page=page)
    set_link_header(request, response, [row.pk for row in rows])
    return Presenter(request).accounts([getattr(row, attribute) for row in rows])


@router.get("/v1/statuses/{status_id}/reblogged_by", response=list[AccountOut], auth=optional_auth)
def reblogged_by(
    request: HttpRequest,
    response: HttpResponse,
    status_id: str,
    max_id: str | None = None,
    since_id: str | None = None,
    min_id: str | None = None,
    limit: str | None = None,
):
    """Accounts that reblogged the status, latest first."""
    page = page_params(max_id, since_id, min_id, limit)
    return _who(request, response, status_id, page, selectors.reblogged_by, "author")


@router.get("/v1/statuses/{status_id}/favourited_by", response=list[AccountOut], auth=optional_auth)
def favourited_by(
    request: HttpRequest,
    response: HttpResponse,
    status_id: str,
    max_id: str | None = None,
    since_id: str | None = None,
    min_id: str | None = None,
    limit: str | None = None,
):
    """Accounts that favourited the status, latest first."""
    page = page_params(max_id, since_id, min_id, limit)
    return _who(request, response, status_id, page, selectors.favourited_by, "user")
