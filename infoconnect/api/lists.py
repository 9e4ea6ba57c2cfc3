"""Mastodon's lists: /api/v1/lists, their accounts, and list timelines."""

from django.http import HttpRequest, HttpResponse
from ninja import Router

from infoconnect.api import params
from infoconnect.api.mastodon import Presenter, page_params, parse_id, set_link_header
from infoconnect.api.schemas import AccountOut, ListOut, StatusOut
from infoconnect.core.errors import DomainError
from infoconnect.social import lists, selectors
from infoconnect.social.errors import SocialError
from infoconnect.social.models import List

router = Router(tags=["lists"])


def _entity(found: List) -> dict:
    return {
        "id": str(found.pk),
        "title": found.title,
        "replies_policy": found.replies_policy,
        "exclusive": found.exclusive,
    }


def _list_id(list_id: str) -> int:
    return parse_id(list_id, SocialError.LIST_NOT_FOUND)


def _account_ids(values: list[str]) -> list[int]:
    """Ids that are not a database id name no account one follows."""
    try:
        return [parse_id(value, SocialError.LIST_NEEDS_FOLLOW) for value in values]
    except DomainError:
        raise DomainError(SocialError.LIST_NEEDS_FOLLOW) from None


@router.get("/v1/lists", response=list[ListOut])
def all_lists(request: HttpRequest):
    """The caller's lists, oldest first."""
    return [_entity(found) for found in selectors.lists_of(owner=request.auth)]


@router.post("/v1/lists", response=ListOut)
def create_list(request: HttpRequest):
    """A new list: `title`, `replies_policy` (followed, list or none; list by default) and
    `exclusive` (its members' posts leave the home timeline)."""
    data = params.read(request)
    replies_policy = data.string("replies_policy")
    found = lists.create_list(
        owner=request.auth,
        title=data.string("title") or "",
        replies_policy=replies_policy if replies_policy is not None else List.RepliesPolicy.LIST,
        exclusive=bool(data.boolean("exclusive")),
    )
    return _entity(found)


@router.get("/v1/lists/{list_id}", response=ListOut)
def get_list(request: HttpRequest, list_id: str):
    return _entity(selectors.get_list(owner=request.auth, list_id=_list_id(list_id)))


@router.put("/v1/lists/{list_id}", response=ListOut)
def update_list(request: HttpRequest, list_id: str):
    """Change the title, `replies_policy` or `exclusive`; what is not sent stays."""
    data = params.read(request)
    found = lists.update_list(
        owner=request.auth,
        list_id=_list_id(list_id),
        title=data.string("title"),
        replies_policy=data.string("replies_policy"),
        exclusive=data.boolean("exclusive"),
    )
    return _entity(found)


@router.delete("/v1/lists/{list_id}")
def delete_list(request: HttpRequest, list_id: str):
    lists.delete_list(owner=request.auth, list_id=_list_id(list_id))
    return {}


@router.get("/v1/lists/{list_id}/accounts", response=list[AccountOut])
def list_accounts(
    request: HttpRequest,
    response: HttpResponse,
    list_id: str,
    max_id: str | None = None,
    since_id: str | None = None,
    min_id: str | None = None,
    limit: str | None = None,
):
    """The list's accounts, the latest added first; `limit=0` gives all of them at once."""
    found = selectors.get_list(owner=request.auth, list_id=_list_id(list_id))
    page = None if limit == "0" else page_params(max_id, since_id, min_id, limit)
    rows = selectors.list_members(list_=found, page=page)
    if page is not None:
        set_link_header(request, response, [row.pk for row in rows])
    return Presenter(request).accounts([row.account for row in rows])


@router.post("/v1/lists/{list_id}/accounts")
def add_list_accounts(request: HttpRequest, list_id: str):
    """Add `account_ids[]`, each an account the caller follows (else nothing is added)."""
    ids = _account_ids(params.read(request).ids("account_ids"))
    lists.add_accounts(owner=request.auth, list_id=_list_id(list_id), account_ids=ids)
    return {}


@router.delete("/v1/lists/{list_id}/accounts")
def remove_list_accounts(request: HttpRequest, list_id: str):
    """Take `account_ids[]` (in the body or the query) off the list."""
    values = params.read(request, with_query=True).ids("account_ids")
    ids = []
    for value in values:
        try:
            ids.append(parse_id(value, SocialError.ACCOUNT_NOT_FOUND))
        except DomainError:
            continue  # an id no account has is on no list
    lists.remove_accounts(owner=request.auth, list_id=_list_id(list_id), account_ids=ids)
    return {}


@router.get("/v1/accounts/{account_id}/lists", response=list[ListOut], tags=["accounts"])
def lists_with_account(request: HttpRequest, account_id: str):
    """The caller's lists this account is on."""
    account = selectors.get_account(account_id=parse_id(account_id, SocialError.ACCOUNT_NOT_FOUND))
    return [
        _entity(found)
        for found in selectors.lists_with_account(owner=request.auth, account_id=account.pk)
    ]


@router.get(
    "/v1/timelines/list/{list_id}",
    response=list[StatusOut],
    exclude_unset=True,
    tags=["timelines"],
)
def list_timeline(
    request: HttpRequest,
    response: HttpResponse,
    list_id: str,
    max_id: str | None = None,
    since_id: str | None = None,
    min_id: str | None = None,
    limit: str | None = None,
):
    """Statuses by the list's accounts, newest first."""
    found = selectors.get_list(owner=request.auth, list_id=_list_id(list_id))
    posts = selectors.list_timeline(list_=found, page=page_params(max_id, since_id, min_id, limit))
    set_link_header(request, response, [p.pk for p in posts])
    return Presenter(request).statuses(posts)
