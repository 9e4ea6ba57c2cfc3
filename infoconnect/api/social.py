"""Mastodon's status, timeline, notification and search endpoints."""

import json

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from ninja import Field, Header, Query, Router, Schema
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import StrictInt, ValidationError

from infoconnect.api import scheduled as scheduled_api
from infoconnect.api.auth import optional_auth
from infoconnect.api.mastodon import (
    Presenter,
    iso,
    page_params,
    parse_id,
    set_link_header,
    viewer_of,
)
from infoconnect.api.notifications import notifications_of_types
from infoconnect.api.schemas import (
    ContextOut,
    MarkersOut,
    NotificationOut,
    SearchOut,
    StatusOut,
)
from infoconnect.core import ratelimits
from infoconnect.core.errors import CommonError, DomainError
from infoconnect.core.idempotency import run_idempotent
from infoconnect.core.pagination import PageParams
from infoconnect.social import actions, polls, selectors
from infoconnect.social.actions import scheduled as scheduled_actions
from infoconnect.social.errors import MediaError, SocialError
from infoconnect.social.models import MEDIA_PER_POST, FilterContext

router = Router(tags=["statuses"])
IDEMPOTENCY_KEY = Header(None, alias="Idempotency-Key")
TYPES = Query([], alias="types[]")
EXCLUDE_TYPES = Query([], alias="exclude_types[]")


# Mastodon clients send a form (every value a string, lists as `media_ids[]`) or JSON (ids as
# strings, some as numbers); a number is never taken from a boolean. A parameter this API does
# not support (quote_approval_policy, …) is refused by name, never ignored.
class StatusIn(Schema):
    status: str = ""
    in_reply_to_id: str | StrictInt | None = None
    # Mastodon 4.5's quote post: here a repost with a comment.
    quoted_status_id: str | StrictInt | None = None
    # InfoConnect: a merchant's status may carry a card of one of its products on sale.
    product_id: str | StrictInt | None = None
    media_ids: list[str | StrictInt] = Field(
        [], description=f"Pictures uploaded with /api/v2/media, at most {MEDIA_PER_POST}."
    )
    visibility: str | None = Field(None, description="public, unlisted, private or direct.")
    spoiler_text: str | None = None
    sensitive: bool | None = None
    language: str | None = Field(None, description="An ISO 639-1 code.")
    content_type: str | None = Field(None, description="text/plain only.")
    scheduled_at: str | None = Field(
        None, description="Post it then (ISO 8601, five minutes ahead at the earliest)."
    )
    poll: dict | None = Field(
        None,
        description=(
            "options (2 to 4), expires_in (seconds, 300 to 2,592,000), multiple, hide_totals;"
            " as a form poll[options][], poll[expires_in], …"
        ),
    )


POLL_PARAMETERS = frozenset({"options", "expires_in", "multiple", "hide_totals"})
# Status parameters taken with any value; these others only with the values InfoConnect does.
STATUS_PARAMETERS = frozenset(StatusIn.model_fields) - {"content_type"}
STATUS_PARAMETER_VALUES = {"content_type": {"text/plain"}}


class MarkerIn(Schema):
    last_read_id: str | StrictInt | None = None


class MarkersIn(Schema):
    notifications: MarkerIn | None = None


def _body(request: HttpRequest) -> dict:
    """A write's parameters, sent as JSON or as a form (Mastodon clients send either)."""
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            raise DomainError(CommonError.VALIDATION, _("The body is not valid JSON.")) from None
        if not isinstance(data, dict):
            raise DomainError(CommonError.VALIDATION, _("The body must be a JSON object."))
        return data
    return {key: request.POST.get(key) for key in request.POST}


def _status_params(request: HttpRequest) -> dict:
    """A new status's parameters, as JSON or a form (`media_ids[]` repeated); any parameter
    InfoConnect does not support is a 422 naming it, unless it is sent empty."""
    if request.content_type == "application/json":
        sent = {key.removesuffix("[]"): value for key, value in _body(request).items()}
    else:
        sent = {}
        poll = {}
        for key in request.POST:
            name = key.removesuffix("[]")
            values = request.POST.getlist(key)
            if name.startswith("poll[") and name.endswith("]"):
                part = name[len("poll[") : -1]
                poll[part] = values if part == "options" else values[-1]
            else:
                sent[name] = values if name == "media_ids" else values[-1]
        if poll:
            sent["poll"] = poll
    refused = sorted(
        {key.split("[", 1)[0] for key, value in sent.items() if not _supported(key, value)}
    )
    if isinstance(sent.get("poll"), dict):
        refused += sorted(f"poll[{key}]" for key in sent["poll"] if key not in POLL_PARAMETERS)
    if refused:
        message = ngettext(
            "InfoConnect does not support the parameter %(names)s.",
            "InfoConnect does not support the parameters %(names)s.",
            len(refused),
        ) % {"names": ", ".join(refused)}
        raise DomainError(
            SocialError.UNSUPPORTED_PARAMETER,
            message,
            fields={name: [str(SocialError.UNSUPPORTED_PARAMETER.message)] for name in refused},
        )
    return sent


def _supported(key: str, value) -> bool:
    if key in STATUS_PARAMETERS or value is None or value in ("", [], {}):
        return True
    return isinstance(value, str) and value in STATUS_PARAMETER_VALUES.get(key, ())


def _validate(schema: type[Schema], data: dict):
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        raise NinjaValidationError(exc.errors(include_url=False, include_context=False)) from None


def _optional_post_id(value: str | int | None) -> int | None:
    if value in (None, ""):
        return None
    return parse_id(str(value), SocialError.POST_NOT_FOUND)


def _post_id(status_id: str) -> int:
    return parse_id(status_id, SocialError.POST_NOT_FOUND)


def _fresh(request: HttpRequest, post_id: int) -> dict:
    """A status as it is after a write: the action's counters moved in the database, not
    on the objects it returned."""
    post = selectors.get_post(post_id=post_id, viewer=viewer_of(request), hide_muted=False)
    return Presenter(request).status(post)


def _form_body(schema: type[Schema]) -> dict:
    """The request body for OpenAPI, as JSON or a form; nested models are inlined so the
    document has no references it does not define."""
    body = schema.model_json_schema()
    definitions = body.pop("$defs", {})

    def inline(node):
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/$defs/"):
                return inline(definitions[ref.removeprefix("#/$defs/")])
            return {key: inline(value) for key, value in node.items()}
        if isinstance(node, list):
            return [inline(item) for item in node]
        return node

    body = inline(body)
    return {
        "requestBody": {
            "content": {
                "application/json": {"schema": body},
                "application/x-www-form-urlencoded": {"schema": body},
            }
        }
    }


# Statuses --------------------------------------------------------------------------------


@router.post(
    "/v1/statuses",
    response=StatusOut | scheduled_api.ScheduledStatusOut,
    exclude_unset=True,
    openapi_extra=_form_body(StatusIn),
)
def create_status(request: HttpRequest, idempotency_key: str | None = IDEMPOTENCY_KEY):
    """Post a status, a reply (`in_reply_to_id`), or a repost with a comment
    (`quoted_status_id`); with `scheduled_at`, a ScheduledStatus to be posted then. With an
    `Idempotency-Key` header a retried request posts once and gets the first answer again,
    as on Mastodon."""
    ratelimits.check(request, "post")
    data = _validate(StatusIn, _status_params(request))

    def post_status() -> tuple[int, dict]:
        quoted = _optional_post_id(data.quoted_status_id)
        product_id = (
            None
            if data.product_id in (None, "")
            else parse_id(str(data.product_id), SocialError.INVALID_PRODUCT)
        )
        if quoted is not None and product_id is not None:
            raise DomainError(SocialError.INVALID_PRODUCT)
        poll = _poll_spec(data.poll)
        if data.scheduled_at not in (None, ""):
            _refuse_with_scheduled("poll", poll)
            return 200, _schedule(request, data, quoted=quoted, product_id=product_id)
        options = {
            "media_ids": [parse_id(str(pk), MediaError.MEDIA_NOT_FOUND) for pk in data.media_ids],
            **_posting_defaults(request, data),
            "spoiler_text": data.spoiler_text,
        }
        if quoted is not None:
            if poll is not None:
                message = _("A repost with a comment cannot carry a poll.")
                raise DomainError(
                    SocialError.UNSUPPORTED_PARAMETER, message, fields={"poll": [message]}
                )
            if not data.status.strip():
                raise DomainError(SocialError.POST_EMPTY)
            post = actions.repost(user=request.auth, post_id=quoted, text=data.status, **options)
        else:
            post = actions.create_post(
                author=request.auth,
                text=data.status,
                in_reply_to_id=_optional_post_id(data.in_reply_to_id),
                product_id=product_id,
                poll=poll,
                **options,
            )
        return 200, _fresh(request, post.pk)

    if idempotency_key is None:
        return post_status()[1]
    status, body = run_idempotent(
        user_id=request.auth.pk,
        key=idempotency_key,
        scope="api.statuses.create",
        params=data.model_dump(),
        action=post_status,
    )
    return body if status == 200 else JsonResponse(body, status=status)


def _posting_defaults(request: HttpRequest, data: StatusIn) -> dict:
    """What the client left out, from the author's posting defaults, as Mastodon fills it."""
    user = request.auth
    return {
        "visibility": data.visibility or user.default_privacy,
        "sensitive": user.default_sensitive if data.sensitive is None else data.sensitive,
        "language": data.language or user.default_language,
    }


def _poll_spec(poll: dict | None) -> polls.PollSpec | None:
    if not poll:
        return None
    return polls.clean(
        options=poll.get("options", []),
        expires_in=poll.get("expires_in"),
        multiple=poll.get("multiple", False),
        hide_totals=poll.get("hide_totals", False),
    )


def _refuse_with_scheduled(name: str, value) -> None:
    if value is not None:
        message = _("A scheduled post cannot carry %(name)s.") % {"name": name}
        raise DomainError(SocialError.UNSUPPORTED_PARAMETER, message, fields={name: [message]})


def _schedule(request: HttpRequest, data: StatusIn, *, quoted, product_id) -> dict:
    """A status with ``scheduled_at``: kept and posted when due (api/scheduled.py)."""
    _refuse_with_scheduled("quoted_status_id", quoted)
    _refuse_with_scheduled("product_id", product_id)
    row = scheduled_actions.schedule_status(
        author=request.auth,
        text=data.status,
        scheduled_at=scheduled_api.scheduled_at_from(data.scheduled_at),
        in_reply_to_id=_optional_post_id(data.in_reply_to_id),
        media_ids=[parse_id(str(pk), MediaError.MEDIA_NOT_FOUND) for pk in data.media_ids],
        spoiler_text=data.spoiler_text,
        **_posting_defaults(request, data),
    )
    row = selectors.get_scheduled_status(user=request.auth, scheduled_id=row.pk)
    return scheduled_api.entity(request, row)


@router.get("/v1/statuses/{status_id}", response=StatusOut, auth=optional_auth, exclude_unset=True)
def get_status(request: HttpRequest, status_id: str):
    post = selectors.get_post(post_id=_post_id(status_id), viewer=viewer_of(request))
    return Presenter(request).status(post)


@router.delete("/v1/statuses/{status_id}", response=StatusOut, exclude_unset=True)
def delete_status(request: HttpRequest, status_id: str):
    """Delete one's own status; the answer carries its `text` so a client can redraft it."""
    post = selectors.get_post(post_id=_post_id(status_id), viewer=request.auth)
    if post.author_id != request.auth.pk:
        raise DomainError(SocialError.NOT_YOUR_POST)
    rendered = Presenter(request).status(post, with_source=True)
    actions.delete_post(user=request.auth, post_id=post.pk)
    return rendered


@router.get(
    "/v1/statuses/{status_id}/context",
    response=ContextOut,
    auth=optional_auth,
    exclude_unset=True,
)
def status_context(request: HttpRequest, status_id: str):
    """The statuses above this one in its thread and the replies under it."""
    viewer = viewer_of(request)
    post = selectors.get_post(post_id=_post_id(status_id), viewer=viewer)
    thread = selectors.thread(post=post, viewer=viewer)
    presenter = Presenter(request, filter_context=FilterContext.THREAD)
    return {
        "ancestors": presenter.statuses(thread.ancestors),
        "descendants": presenter.statuses(thread.descendants),
    }


@router.post("/v1/statuses/{status_id}/reblog", response=StatusOut, exclude_unset=True)
def reblog(request: HttpRequest, status_id: str):
    """Repost; the answer is the repost, with the original in `reblog`."""
    shared = actions.repost(user=request.auth, post_id=_post_id(status_id))
    return _fresh(request, shared.pk)


@router.post("/v1/statuses/{status_id}/unreblog", response=StatusOut, exclude_unset=True)
def unreblog(request: HttpRequest, status_id: str):
    original = actions.unrepost(user=request.auth, post_id=_post_id(status_id))
    return _fresh(request, original.pk)


@router.post("/v1/statuses/{status_id}/favourite", response=StatusOut, exclude_unset=True)
def favourite(request: HttpRequest, status_id: str):
    post = actions.like(user=request.auth, post_id=_post_id(status_id))
    return _fresh(request, post.pk)


@router.post("/v1/statuses/{status_id}/unfavourite", response=StatusOut, exclude_unset=True)
def unfavourite(request: HttpRequest, status_id: str):
    post = actions.unlike(user=request.auth, post_id=_post_id(status_id))
    return _fresh(request, post.pk)


# Timelines -------------------------------------------------------------------------------


@router.get("/v1/timelines/home", response=list[StatusOut], exclude_unset=True, tags=["timelines"])
def home_timeline(
    request: HttpRequest,
    response: HttpResponse,
    max_id: str | None = None,
    since_id: str | None = None,
    min_id: str | None = None,
    limit: str | None = None,
):
    """The caller's statuses and reposts and those of the accounts they follow."""
    posts = selectors.home_timeline(
        user=request.auth, page=page_params(max_id, since_id, min_id, limit)
    )
    set_link_header(request, response, [p.pk for p in posts])
    return Presenter(request, filter_context=FilterContext.HOME).statuses(posts)


@router.get(
    "/v1/timelines/public",
    response=list[StatusOut],
    auth=optional_auth,
    exclude_unset=True,
    tags=["timelines"],
)
def public_timeline(
    request: HttpRequest,
    response: HttpResponse,
    local: bool = False,
    remote: bool = False,
    only_media: bool = False,
    max_id: str | None = None,
    since_id: str | None = None,
    min_id: str | None = None,
    limit: str | None = None,
):
    """Every account's public statuses, newest first, without replies and plain reblogs.
    Every account here is local, so `local` changes nothing and `remote` finds none;
    `only_media` keeps the statuses with pictures."""
    if remote:
        return []
    posts = selectors.public_timeline(
        viewer=viewer_of(request),
        page=page_params(max_id, since_id, min_id, limit),
        only_media=only_media,
    )
    set_link_header(request, response, [p.pk for p in posts])
    return Presenter(request).statuses(posts)


@router.get(
    "/v1/timelines/tag/{hashtag}",
    response=list[StatusOut],
    auth=optional_auth,
    exclude_unset=True,
    tags=["timelines"],
)
def tag_timeline(
    request: HttpRequest,
    response: HttpResponse,
    hashtag: str,
    max_id: str | None = None,
    since_id: str | None = None,
    min_id: str | None = None,
    limit: str | None = None,
):
    posts = selectors.tag_timeline(
        name=hashtag, viewer=viewer_of(request), page=page_params(max_id, since_id, min_id, limit)
    )
    set_link_header(request, response, [p.pk for p in posts])
    return Presenter(request, filter_context=FilterContext.PUBLIC).statuses(posts)


# Notifications ---------------------------------------------------------------------------


@router.get(
    "/v1/notifications",
    response=list[NotificationOut],
    exclude_unset=True,
    tags=["notifications"],
)
def notifications(
    request: HttpRequest,
    response: HttpResponse,
    max_id: str | None = None,
    since_id: str | None = None,
    min_id: str | None = None,
    limit: str | None = None,
    types: list[str] = TYPES,
    exclude_types: list[str] = EXCLUDE_TYPES,
):
    """Follows, mentions and comments (type `mention`), reposts (`reblog`) and likes
    (`favourite`), newest first; `types[]` and `exclude_types[]` narrow them.

    Also InfoConnect's own order notifications, typed `infoconnect.*` (Mastodon clients skip
    types they do not know): `infoconnect.order_shipped` and the others carry an `order`
    (`id`, `state`, `total` in fen, `currency`, `carrier`, `tracking_number`, `url`), the
    refund ones a `refund` too. `types[]=infoconnect.order_shipped` asks for just those,
    `exclude_types[]` leaves them out."""
    page = page_params(max_id, since_id, min_id, limit)
    rows = notifications_of_types(
        request.auth,
        page,
        include=set(types) | set(request.GET.getlist("types")),
        exclude=set(exclude_types) | set(request.GET.getlist("exclude_types")),
    )
    set_link_header(request, response, [row.pk for row in rows])
    return Presenter(request, filter_context=FilterContext.NOTIFICATIONS).notifications(rows)


@router.post(
    "/v1/markers",
    response=MarkersOut,
    exclude_unset=True,
    tags=["notifications"],
    openapi_extra=_form_body(MarkersIn),
)
def save_markers(request: HttpRequest):
    """Mark the notifications read (`notifications[last_read_id]`); other timelines are
    not tracked."""
    data = _body(request)
    if "notifications[last_read_id]" in data:
        data = {"notifications": {"last_read_id": data["notifications[last_read_id]"]}}
    markers = _validate(MarkersIn, data)
    if markers.notifications is None:
        return {}
    actions.mark_notifications_read(user=request.auth)
    latest = selectors.notifications(user=request.auth, page=PageParams(limit=1))
    last_read_id = str(markers.notifications.last_read_id or (latest[0].pk if latest else 0))
    return {
        "notifications": {
            "last_read_id": last_read_id,
            "version": 0,
            "updated_at": iso(latest[0].read_at) if latest and latest[0].read_at else "",
        }
    }


# Search ----------------------------------------------------------------------------------


@router.get(
    "/v2/search", response=SearchOut, auth=optional_auth, exclude_unset=True, tags=["search"]
)
def search(
    request: HttpRequest,
    q: str,
    type: str | None = None,  # noqa: A002 - Mastodon's parameter name
    limit: str | None = None,
    offset: int = 0,
    max_id: str | None = None,
    min_id: str | None = None,
):
    """Accounts, statuses and hashtags matching `q`; `type` narrows to one of them.
    Results come in one page: a later `offset` finds nothing more."""
    if type not in (None, "", "accounts", "statuses", "hashtags"):
        raise DomainError(
            CommonError.VALIDATION, _("type must be one of accounts, statuses, hashtags.")
        )
    page = page_params(max_id, None, min_id, limit)
    viewer = viewer_of(request)
    presenter = Presenter(request)
    result: dict = {"accounts": [], "statuses": [], "hashtags": []}
    if offset > 0:
        return result
    if type in (None, "", "accounts"):
        result["accounts"] = presenter.accounts(
            selectors.search_accounts(query=q, viewer=viewer, limit=page.limit)
        )
    if type in (None, "", "statuses"):
        result["statuses"] = presenter.statuses(
            selectors.search_posts(query=q, viewer=viewer, page=page)
        )
    if type in (None, "", "hashtags"):
        result["hashtags"] = [
            presenter.hashtag(tag.name) for tag in selectors.search_tags(query=q, limit=page.limit)
        ]
    return result
