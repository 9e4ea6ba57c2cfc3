"""Mastodon's notification endpoints beside the list in api/social.py: dismiss and clear,
unread counts, and v2's grouped notifications (likes and reposts of one status are one
group)."""

from dataclasses import replace

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from infoconnect.api.mastodon import (
    NOTIFICATION_TYPES,
    Presenter,
    group_key,
    parse_id,
    set_link_header,
)
from infoconnect.core.pagination import MAX_LIMIT, PageParams
from infoconnect.social import notifications as notices
from infoconnect.social import selectors
from infoconnect.social.errors import SocialError
from infoconnect.social.models import FilterContext, Notification

router = Router(tags=["notifications"])
TYPES = Query([], alias="types[]")
EXCLUDE_TYPES = Query([], alias="exclude_types[]")
GROUPED_TYPES = Query([], alias="grouped_types[]")
# How many selector pages a filtered notifications request reads at most.
SCAN_PAGES = 5
UNREAD_DEFAULT, UNREAD_MAX = 100, 1000
GROUPED_DEFAULT, GROUPED_MAX = 40, 80
SAMPLE_ACCOUNTS = 8
# What Mastodon groups when a client does not say: follows are never grouped here.
DEFAULT_GROUPED = {"favourite", "reblog", "follow"}


def notifications_of_types(user, page: PageParams, *, include: set, exclude: set) -> list:
    """A page of the notifications whose Mastodon type is wanted, read page by page
    through the selector (at most SCAN_PAGES of them, so one request stays cheap)."""
    if not include and not exclude:
        return selectors.notifications(user=user, page=page)

    def wanted(row) -> bool:
        kind = NOTIFICATION_TYPES.get(row.kind, row.kind)
        return (not include or kind in include) and kind not in exclude

    matched: list = []
    cursor = replace(page, limit=MAX_LIMIT)
    for _scan in range(SCAN_PAGES):
        batch = selectors.notifications(user=user, page=cursor)
        matched += [row for row in batch if wanted(row)]
        if len(batch) < cursor.limit or len(matched) >= page.limit:
            break
        # min_id pages upward from the oldest; the others page downward from the newest.
        if page.min_id is not None:
            cursor = replace(cursor, min_id=batch[0].pk)
        else:
            cursor = replace(cursor, max_id=batch[-1].pk)
    matched.sort(key=lambda row: row.pk, reverse=True)
    return matched[-page.limit :] if page.min_id is not None else matched[: page.limit]


def _types(request: HttpRequest, given: list[str], name: str) -> set[str]:
    return set(given) | set(request.GET.getlist(name))


def _limit(value: str | None, default: int, most: int) -> int:
    try:
        number = int(value) if value not in (None, "") else default
    except ValueError:
        number = default
    return max(1, min(number, most))


@router.post("/v1/notifications/clear")
def clear_notifications(request: HttpRequest):
    """Remove all of the caller's notifications."""
    notices.clear(user=request.auth)
    return {}


@router.post("/v1/notifications/{notification_id}/dismiss")
def dismiss_notification(request: HttpRequest, notification_id: str):
    notices.dismiss(
        user=request.auth,
        notification_id=parse_id(notification_id, SocialError.NOTIFICATION_NOT_FOUND),
    )
    return {}


@router.get("/v1/notifications/unread_count")
def unread_count(request: HttpRequest, limit: str | None = None):
    """Unread notifications, counted up to `limit` (100, at most 1000)."""
    most = _limit(limit, UNREAD_DEFAULT, UNREAD_MAX)
    return {"count": len(notices.unread(user=request.auth, limit=most))}


@router.get("/v2/notifications/unread_count")
def grouped_unread_count(request: HttpRequest, limit: str | None = None):
    """Unread notification groups, counted up to `limit` (100, at most 1000)."""
    most = _limit(limit, UNREAD_DEFAULT, UNREAD_MAX)
    keys = {group_key(row) for row in notices.unread(user=request.auth)}
    return {"count": min(len(keys), most)}


@router.get("/v2/notifications")
def grouped_notifications(
    request: HttpRequest,
    response: HttpResponse,
    max_id: str | None = None,
    since_id: str | None = None,
    min_id: str | None = None,
    limit: str | None = None,
    types: list[str] = TYPES,
    exclude_types: list[str] = EXCLUDE_TYPES,
    grouped_types: list[str] = GROUPED_TYPES,
):
    """A page of notifications (40, at most 80) as groups: the likes and reposts of one
    status make one group (`<type>-<status id>`), anything else stands alone
    (`ungrouped-<id>`). The accounts and statuses the groups name come once each beside
    them. `grouped_types[]` limits which types are grouped."""
    page = PageParams.clean(
        max_id=max_id,
        since_id=since_id,
        min_id=min_id,
        limit=_limit(limit, GROUPED_DEFAULT, GROUPED_MAX),
        max_limit=GROUPED_MAX,
    )
    rows = notifications_of_types(
        request.auth,
        page,
        include=_types(request, types, "types"),
        exclude=_types(request, exclude_types, "exclude_types"),
    )
    set_link_header(request, response, [row.pk for row in rows])
    grouping = _types(request, grouped_types, "grouped_types") or DEFAULT_GROUPED
    rendered = Presenter(request, filter_context=FilterContext.NOTIFICATIONS).notifications(rows)
    groups: dict[str, dict] = {}
    accounts: dict[str, dict] = {}
    statuses: dict[str, dict] = {}
    for item in rendered:
        key = item["group_key"] if item["type"] in grouping else f"ungrouped-{item['id']}"
        account = item["account"]
        accounts.setdefault(account["id"], account)
        status = item.get("status")
        if status is not None:
            statuses.setdefault(status["id"], status)
        group = groups.get(key)
        if group is None:
            group = groups[key] = {
                "group_key": key,
                "notifications_count": 1,
                "type": item["type"],
                "most_recent_notification_id": item["id"],
                "page_min_id": item["id"],
                "page_max_id": item["id"],
                "latest_page_notification_at": item["created_at"],
                "sample_account_ids": [],
                "status_id": status["id"] if status is not None else None,
            }
            for extra in ("order", "refund"):
                if extra in item:
                    group[extra] = item[extra]
        else:
            ids = (int(item["id"]), int(group["page_min_id"]), int(group["page_max_id"]))
            group["page_min_id"], group["page_max_id"] = str(min(ids)), str(max(ids))
        if (
            account["id"] not in group["sample_account_ids"]
            and len(group["sample_account_ids"]) < SAMPLE_ACCOUNTS
        ):
            group["sample_account_ids"].append(account["id"])
    _count_groups(request, groups)
    return {
        "accounts": list(accounts.values()),
        "statuses": list(statuses.values()),
        "notification_groups": list(groups.values()),
    }


def _count_groups(request: HttpRequest, groups: dict[str, dict]) -> None:
    """A group's notifications_count is all its notifications, not only this page's."""
    kinds = {"favourite": Notification.Kind.LIKE, "reblog": Notification.Kind.REPOST}
    wanted: dict[str, set[int]] = {"favourite": set(), "reblog": set()}
    for key, group in groups.items():
        if not key.startswith("ungrouped-") and group["type"] in wanted:
            wanted[group["type"]].add(int(group["status_id"]))
    if not any(wanted.values()):
        return
    counts = notices.group_counts(
        user=request.auth, liked=wanted["favourite"], reposted=wanted["reblog"]
    )
    for key, group in groups.items():
        if not key.startswith("ungrouped-") and group["type"] in kinds:
            found = counts.get((kinds[group["type"]], int(group["status_id"])))
            group["notifications_count"] = found or group["notifications_count"]
