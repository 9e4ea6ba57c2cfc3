"""Mastodon's scheduled statuses: ``POST /api/v1/statuses`` with ``scheduled_at`` answers one
(social.py), and /api/v1/scheduled_statuses lists, moves and deletes them."""

from datetime import datetime

from django.http import HttpRequest, HttpResponse
from django.utils.dateparse import parse_datetime
from ninja import Router, Schema

from infoconnect.api import params
from infoconnect.api.mastodon import Presenter, page_params, parse_id, set_link_header
from infoconnect.api.media import MediaAttachmentOut
from infoconnect.api.schemas import ErrorOut
from infoconnect.core.errors import DomainError
from infoconnect.social import selectors
from infoconnect.social.actions import scheduled
from infoconnect.social.errors import SocialError
from infoconnect.social.models import ScheduledStatus

router = Router(tags=["statuses"])


class ScheduledParamsOut(Schema):
    text: str
    media_ids: list[str] | None
    sensitive: bool | None
    spoiler_text: str | None
    visibility: str
    in_reply_to_id: str | None
    language: str | None
    poll: dict | None
    scheduled_at: datetime | None
    application_id: int | None
    idempotency: str | None
    with_rate_limit: bool


class ScheduledStatusOut(Schema):
    id: str
    scheduled_at: datetime
    params: ScheduledParamsOut
    media_attachments: list[MediaAttachmentOut]


ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut}


def scheduled_at_from(value) -> datetime:
    """A client's ``scheduled_at``: an ISO 8601 date and time (UTC without an offset)."""
    parsed = parse_datetime(value) if isinstance(value, str) else None
    if parsed is None:
        raise DomainError(SocialError.SCHEDULED_INVALID_TIME)
    return parsed


def entity(request: HttpRequest, row: ScheduledStatus) -> dict:
    presenter = Presenter(request)
    pictures = {m.pk: m for m in row.media.all()}
    return {
        "id": str(row.pk),
        "scheduled_at": row.scheduled_at,
        "params": {
            "text": row.text,
            "media_ids": [str(pk) for pk in row.media_ids] or None,
            "sensitive": row.sensitive,
            "spoiler_text": row.spoiler_text or None,
            "visibility": row.visibility,
            "in_reply_to_id": str(row.in_reply_to_id) if row.in_reply_to_id else None,
            "language": row.language or None,
            "poll": None,
            "scheduled_at": None,
            "application_id": None,
            "idempotency": None,
            "with_rate_limit": False,
        },
        "media_attachments": [
            presenter.media(pictures[pk]) for pk in row.media_ids if pk in pictures
        ],
    }


def _scheduled_id(value: str) -> int:
    return parse_id(value, SocialError.SCHEDULED_STATUS_NOT_FOUND)


@router.get("/v1/scheduled_statuses", response={200: list[ScheduledStatusOut], **ERRORS})
def list_scheduled(
    request: HttpRequest,
    response: HttpResponse,
    max_id: str | None = None,
    since_id: str | None = None,
    min_id: str | None = None,
    limit: str | None = None,
):
    """The caller's statuses waiting to be posted."""
    rows = selectors.scheduled_statuses(
        user=request.auth, page=page_params(max_id, since_id, min_id, limit)
    )
    set_link_header(request, response, [row.pk for row in rows])
    return [entity(request, row) for row in rows]


@router.get("/v1/scheduled_statuses/{scheduled_id}", response={200: ScheduledStatusOut, **ERRORS})
def get_scheduled(request: HttpRequest, scheduled_id: str):
    row = selectors.get_scheduled_status(
        user=request.auth, scheduled_id=_scheduled_id(scheduled_id)
    )
    return entity(request, row)


@router.put("/v1/scheduled_statuses/{scheduled_id}", response={200: ScheduledStatusOut, **ERRORS})
def move_scheduled(request: HttpRequest, scheduled_id: str):
    """Post it at another time (`scheduled_at`, five minutes ahead at the earliest)."""
    data = params.read(request)
    row = scheduled.reschedule(
        user=request.auth,
        scheduled_id=_scheduled_id(scheduled_id),
        scheduled_at=scheduled_at_from(data.string("scheduled_at")),
    )
    return entity(request, selectors.get_scheduled_status(user=request.auth, scheduled_id=row.pk))


@router.delete("/v1/scheduled_statuses/{scheduled_id}", response={200: dict, **ERRORS})
def delete_scheduled(request: HttpRequest, scheduled_id: str):
    """Never post it; its pictures can go on another post."""
    scheduled.cancel_scheduled(user=request.auth, scheduled_id=_scheduled_id(scheduled_id))
    return {}
