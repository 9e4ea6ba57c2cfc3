"""Whom one lets in and keeps out: a locked account's follow requests, and the caller's
mutes and blocks."""

from django.http import HttpRequest, HttpResponse
from ninja import Router

from infoconnect.api.mastodon import Presenter, page_params, parse_id, set_link_header
from infoconnect.api.schemas import AccountOut, RelationshipOut
from infoconnect.social import follow_requests, selectors
from infoconnect.social.errors import SocialError

router = Router(tags=["accounts"])


def _page(request, response, rows, attribute: str) -> list[dict]:
    set_link_header(request, response, [row.pk for row in rows])
    return Presenter(request).accounts([getattr(row, attribute) for row in rows])


@router.get("/v1/follow_requests", response=list[AccountOut])
def pending(
    request: HttpRequest,
    response: HttpResponse,
    max_id: str | None = None,
    since_id: str | None = None,
    min_id: str | None = None,
    limit: str | None = None,
):
    """Accounts asking to follow the caller, newest request first."""
    rows = selectors.follow_requests(
        user=request.auth, page=page_params(max_id, since_id, min_id, limit)
    )
    return _page(request, response, rows, "follower")


def _requester_id(account_id: str) -> int:
    return parse_id(account_id, SocialError.FOLLOW_REQUEST_NOT_FOUND)


@router.post("/v1/follow_requests/{account_id}/authorize", response=RelationshipOut)
def authorize(request: HttpRequest, account_id: str):
    """Accept the account's request: it follows the caller from now on."""
    requester = follow_requests.authorize(
        account=request.auth, requester_id=_requester_id(account_id)
    )
    return Presenter(request).relationship(requester)


@router.post("/v1/follow_requests/{account_id}/reject", response=RelationshipOut)
def reject(request: HttpRequest, account_id: str):
    requester = follow_requests.reject(account=request.auth, requester_id=_requester_id(account_id))
    return Presenter(request).relationship(requester)


@router.get("/v1/mutes", response=list[AccountOut])
def mutes(
    request: HttpRequest,
    response: HttpResponse,
    max_id: str | None = None,
    since_id: str | None = None,
    min_id: str | None = None,
    limit: str | None = None,
):
    """Accounts the caller muted, latest first (paged by the mute)."""
    rows = selectors.mutes(user=request.auth, page=page_params(max_id, since_id, min_id, limit))
    return _page(request, response, rows, "muted")


@router.get("/v1/blocks", response=list[AccountOut])
def blocks(
    request: HttpRequest,
    response: HttpResponse,
    max_id: str | None = None,
    since_id: str | None = None,
    min_id: str | None = None,
    limit: str | None = None,
):
    """Accounts the caller blocked, latest first (paged by the block)."""
    rows = selectors.blocks(user=request.auth, page=page_params(max_id, since_id, min_id, limit))
    return _page(request, response, rows, "blocked")
