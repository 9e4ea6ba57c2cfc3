"""Cursor pagination by id, the way Mastodon pages: max_id / since_id / min_id / limit.

Pages are newest first. ``max_id`` returns items older than it; ``since_id`` items newer
than it (newest first); ``min_id`` the items immediately newer than it (oldest of them
first, then returned newest first). Ids are monotonic, so no offset is ever needed.
"""

from dataclasses import dataclass

from django.db.models import QuerySet

DEFAULT_LIMIT = 20
MAX_LIMIT = 40
MAX_ID = 2**63 - 1


@dataclass(frozen=True)
class PageParams:
    max_id: int | None = None
    since_id: int | None = None
    min_id: int | None = None
    limit: int = DEFAULT_LIMIT

    @classmethod
    def clean(
        cls,
        *,
        max_id: str | int | None = None,
        since_id: str | int | None = None,
        min_id: str | int | None = None,
        limit: str | int | None = None,
        max_limit: int = MAX_LIMIT,
    ) -> "PageParams":
        def as_id(value: str | int | None) -> int | None:
            if value in (None, ""):
                return None
            try:
                number = int(value)
            except (TypeError, ValueError):
                return None
            # Past the largest id a database holds means the same as that id (no 500).
            return min(number, MAX_ID) if number >= 0 else None

        try:
            size = int(limit) if limit not in (None, "") else DEFAULT_LIMIT
        except (TypeError, ValueError):
            size = DEFAULT_LIMIT
        size = max(1, min(size, max_limit))
        return cls(as_id(max_id), as_id(since_id), as_id(min_id), size)


def paginate(queryset: QuerySet, params: PageParams, *, field: str = "id") -> list:
    """Apply the page to a queryset and return the rows, newest first."""
    if params.max_id is not None:
        queryset = queryset.filter(**{f"{field}__lt": params.max_id})
    if params.since_id is not None:
        queryset = queryset.filter(**{f"{field}__gt": params.since_id})
    if params.min_id is not None:
        rows = list(
            queryset.filter(**{f"{field}__gt": params.min_id}).order_by(field)[: params.limit]
        )
        rows.reverse()
        return rows
    return list(queryset.order_by(f"-{field}")[: params.limit])
