"""Mastodon's account endpoints: /api/v1/accounts/…"""

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from infoconnect.api.auth import optional_auth
from infoconnect.api.mastodon import (
    Presenter,
    page_params,
    parse_id,
    set_link_header,
    viewer_of,
)
from infoconnect.api.schemas import (
    AccountOut,
    CredentialAccountOut,
    RelationshipOut,
    StatusOut,
)
from infoconnect.core.errors import DomainError
from infoconnect.social import actions, selectors
from infoconnect.social.errors import SocialError
from infoconnect.social.models import FilterContext

router = Router(tags=["accounts"])


def _account(account_id: str):
    return selectors.get_account(account_id=parse_id(account_id, SocialError.ACCOUNT_NOT_FOUND))


# Fixed paths first: "/v1/accounts/{id}" would otherwise take "lookup" as an id.


@router.get("/v1/accounts/verify_credentials", response=CredentialAccountOut)
def verify_credentials(request: HttpRequest):
    """The token's own account, with its `source`."""
    return Presenter(request).credential_account(request.auth)


@router.get("/v1/accounts/lookup", response=AccountOut, auth=optional_auth)
def lookup(request: HttpRequest, acct: str):
    """An account by its username (`acct` may be `name`, `@name` or `name@this-host`)."""
    username, _, domain = acct.strip().lstrip("@").partition("@")
    if domain and domain.lower() != request.get_host().lower():
        raise DomainError(SocialError.ACCOUNT_NOT_FOUND)
    return Presenter(request).account(selectors.get_account(username=username))


@router.get("/v1/accounts/relationships", response=list[RelationshipOut])
def relationships(request: HttpRequest, ids: list[str] = Query([], alias="id[]")):  # noqa: B008
    """The caller's relationship to each account in `id[]` (unknown ids are left out)."""
    presenter = Presenter(request)
    out = []
    for raw in [*ids, *request.GET.getlist("id")][:40]:
        try:
            target = _account(raw)
        except DomainError:  # an unknown id is left out, as Mastodon does
            continue
        out.append(presenter.relationship(target))
    return out


@router.get("/v1/accounts/{account_id}", response=AccountOut, auth=optional_auth)
def account(request: HttpRequest, account_id: str):
    return Presenter(request).account(_account(account_id))


@router.get(
    "/v1/accounts/{account_id}/statuses",
    response=list[StatusOut],
    auth=optional_auth,
    exclude_unset=True,
)
def account_statuses(
    request: HttpRequest,
    response: HttpResponse,
    account_id: str,
    max_id: str | None = None,
    since_id: str | None = None,
    min_id: str | None = None,
    limit: str | None = None,
    exclude_replies: bool = False,
    exclude_reblogs: bool = False,
    only_media: bool = False,
    pinned: bool = False,
):
    """The account's statuses, newest first (paged by `max_id`/`since_id`/`min_id`)."""
    author = _account(account_id)
    if pinned:
        # At most five: one page, in the order they were pinned (latest first).
        return Presenter(request).statuses(
            selectors.pinned_posts(author=author, viewer=viewer_of(request))
        )
    posts = selectors.profile_timeline(
        author=author,
        viewer=viewer_of(request),
        page=page_params(max_id, since_id, min_id, limit),
        include_replies=not exclude_replies,
        only_media=only_media,
    )
    set_link_header(request, response, [p.pk for p in posts])
    if exclude_reblogs:
        posts = [p for p in posts if not p.is_plain_repost]
    return Presenter(request, filter_context=FilterContext.ACCOUNT).statuses(posts)


def _collection_hidden(request: HttpRequest, account) -> bool:
    """An account that hides whom it follows and who follows it shows them to itself only."""
    viewer = viewer_of(request)
    return account.hide_collections and (viewer is None or viewer.pk != account.pk)


def _follow_page(request, response, rows, attribute: str) -> list[dict]:
    set_link_header(request, response, [row.pk for row in rows])
    return Presenter(request).accounts([getattr(row, attribute) for row in rows])


@router.get("/v1/accounts/{account_id}/followers", response=list[AccountOut], auth=optional_auth)
def followers(
    request: HttpRequest,
    response: HttpResponse,
    account_id: str,
    max_id: str | None = None,
    since_id: str | None = None,
    min_id: str | None = None,
    limit: str | None = None,
):
    """Accounts following this one, newest follow first; paged by the follow's id."""
    account = _account(account_id)
    if _collection_hidden(request, account):
        return []
    rows = selectors.followers(account=account, page=page_params(max_id, since_id, min_id, limit))
    return _follow_page(request, response, rows, "follower")


@router.get("/v1/accounts/{account_id}/following", response=list[AccountOut], auth=optional_auth)
def following(
    request: HttpRequest,
    response: HttpResponse,
    account_id: str,
    max_id: str | None = None,
    since_id: str | None = None,
    min_id: str | None = None,
    limit: str | None = None,
):
    """Accounts this one follows, newest follow first; paged by the follow's id."""
    account = _account(account_id)
    if _collection_hidden(request, account):
        return []
    rows = selectors.following(account=account, page=page_params(max_id, since_id, min_id, limit))
    return _follow_page(request, response, rows, "target")


def _relationship_action(request: HttpRequest, account_id: str, do) -> dict:
    target = _account(account_id)
    do(request.auth, target)
    return Presenter(request).relationship(target)


@router.post("/v1/accounts/{account_id}/follow", response=RelationshipOut)
def follow(request: HttpRequest, account_id: str):
    return _relationship_action(
        request, account_id, lambda me, target: actions.follow(follower=me, target=target)
    )


@router.post("/v1/accounts/{account_id}/unfollow", response=RelationshipOut)
def unfollow(request: HttpRequest, account_id: str):
    return _relationship_action(
        request, account_id, lambda me, target: actions.unfollow(follower=me, target=target)
    )


@router.post("/v1/accounts/{account_id}/block", response=RelationshipOut)
def block(request: HttpRequest, account_id: str):
    return _relationship_action(
        request, account_id, lambda me, target: actions.block(blocker=me, target=target)
    )


@router.post("/v1/accounts/{account_id}/unblock", response=RelationshipOut)
def unblock(request: HttpRequest, account_id: str):
    return _relationship_action(
        request, account_id, lambda me, target: actions.unblock(blocker=me, target=target)
    )


@router.post("/v1/accounts/{account_id}/mute", response=RelationshipOut)
def mute(request: HttpRequest, account_id: str):
    return _relationship_action(
        request, account_id, lambda me, target: actions.mute(muter=me, target=target)
    )


@router.post("/v1/accounts/{account_id}/unmute", response=RelationshipOut)
def unmute(request: HttpRequest, account_id: str):
    return _relationship_action(
        request, account_id, lambda me, target: actions.unmute(muter=me, target=target)
    )
