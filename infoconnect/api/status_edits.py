"""Mastodon's status edit: ``PUT /api/v1/statuses/{id}``, its ``/history`` and ``/source``.

An edit changes the text, the content warning (``spoiler_text``), ``sensitive`` and
``language``; pictures stay as they are, so ``media_ids`` other than the status's own, a poll
or any other parameter is refused with 422 ``unsupported_parameter`` naming it.
"""

import json
from io import BytesIO

from django.http import HttpRequest, QueryDict
from django.http.multipartparser import MultiPartParser, MultiPartParserError
from django.utils.translation import gettext as _
from ninja import Router, Schema

from infoconnect.api import social
from infoconnect.api.auth import optional_auth
from infoconnect.api.mastodon import Presenter, iso, parse_id, viewer_of
from infoconnect.api.schemas import AccountOut, ErrorOut, StatusOut
from infoconnect.core import ratelimits
from infoconnect.core.errors import CommonError, DomainError
from infoconnect.social import edit_selectors, edits, selectors
from infoconnect.social.errors import SocialError
from infoconnect.social.models import Post

router = Router(tags=["statuses"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut}
TEXT_FIELDS = ("status", "spoiler_text", "language")
EDITABLE = {*TEXT_FIELDS, "sensitive", "media_ids"}
TRUE, FALSE = {"true", "1", "on", "yes"}, {"false", "0", "off", "no", ""}


class StatusEditIn(Schema):
    """What an edit sends, as JSON or as a form."""

    status: str | None = None
    spoiler_text: str | None = None
    sensitive: bool | None = None
    language: str | None = None
    media_ids: list[str] | None = None


class StatusEditOut(Schema):
    content: str
    spoiler_text: str
    sensitive: bool
    created_at: str
    account: AccountOut
    poll: dict | None
    media_attachments: list[dict]
    emojis: list[dict]


class StatusSourceOut(Schema):
    id: str
    text: str
    spoiler_text: str


def _unsupported(name: str) -> DomainError:
    return DomainError(
        SocialError.UNSUPPORTED_PARAMETER,
        _("InfoConnect does not support the parameter %(name)s in a status edit.") % {"name": name},
    )


def _edit_params(request: HttpRequest) -> dict:
    """The edit's parameters as JSON, a form or multipart (a PUT's form is not in
    request.POST), ``media_ids[]`` as one list."""
    content_type = request.content_type or ""
    if content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            raise DomainError(CommonError.VALIDATION, _("The body is not valid JSON.")) from None
        if not isinstance(data, dict):
            raise DomainError(CommonError.VALIDATION, _("The body must be a JSON object."))
        return data
    if content_type == "multipart/form-data":
        try:
            form, files = MultiPartParser(
                request.META, BytesIO(request.body), request.upload_handlers, request.encoding
            ).parse()
        except MultiPartParserError:
            raise DomainError(CommonError.VALIDATION, _("The body is not a valid form.")) from None
        if files:
            raise _unsupported(next(iter(files)))
    else:
        form = QueryDict(request.body, encoding=request.encoding)
    data: dict = {}
    for key in form:
        if key in ("media_ids[]", "media_ids"):
            data["media_ids"] = data.get("media_ids", []) + form.getlist(key)
        else:
            data[key] = form.get(key)
    return data


def _flag(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in TRUE | FALSE:
        return value.strip().lower() in TRUE
    raise DomainError(CommonError.VALIDATION, _("sensitive must be true or false."))


def _clean(data: dict, post: Post) -> dict:
    """The edit's keyword arguments; what a client may not change is refused by name."""
    for key in data:
        if key not in EDITABLE:
            raise _unsupported(key)
    for key in TEXT_FIELDS:
        if data.get(key) is not None and not isinstance(data[key], str):
            raise DomainError(CommonError.VALIDATION, _("%(name)s must be text.") % {"name": key})
    if "media_ids" in data:
        ids = data["media_ids"] if isinstance(data["media_ids"], list) else [data["media_ids"]]
        current = [
            str(pk) for pk in post.media.order_by("position", "pk").values_list("pk", flat=True)
        ]
        if [str(pk) for pk in ids if pk not in (None, "")] != current:
            raise _unsupported("media_ids")
    return {
        "text": data.get("status"),
        "spoiler_text": data.get("spoiler_text"),
        "sensitive": None if data.get("sensitive") is None else _flag(data["sensitive"]),
        "language": data.get("language"),
    }


def _status_id(status_id: str) -> int:
    return parse_id(status_id, SocialError.POST_NOT_FOUND)


def _rendered(request: HttpRequest, post: Post) -> dict:
    """The status with the fields an edit changes as the row has them."""
    data = Presenter(request).status(post)
    data.update(
        edited_at=iso(post.edited_at),
        spoiler_text=post.spoiler_text,
        sensitive=post.sensitive,
        language=post.language or None,
        visibility=post.visibility,
    )
    return data


def _visible_post(request: HttpRequest, status_id: str) -> Post:
    viewer = viewer_of(request)
    post = selectors.get_post(post_id=_status_id(status_id), viewer=viewer)
    edit_selectors.require_direct_reader(post, viewer)
    return post


# The path is api/social.py's (GET and DELETE a status): Django serves a path from the first
# router that has it, so the edit joins that router.
@social.router.put(
    "/v1/statuses/{status_id}",
    response={200: StatusOut, **ERRORS},
    exclude_unset=True,
    openapi_extra={
        "requestBody": {
            "content": {
                kind: {"schema": StatusEditIn.model_json_schema()}
                for kind in ("application/json", "application/x-www-form-urlencoded")
            }
        }
    },
)
def edit_status(request: HttpRequest, status_id: str):
    """Edit one's own status (`status`, `spoiler_text`, `sensitive`, `language`); the
    version it replaces goes to its history."""
    ratelimits.check(request, "post")
    post = _visible_post(request, status_id)
    edited = edits.edit_post(
        user=request.auth, post_id=post.pk, **_clean(_edit_params(request), post)
    )
    return _rendered(request, selectors.get_post(post_id=edited.pk, viewer=request.auth))


@router.get(
    "/v1/statuses/{status_id}/history",
    response={200: list[StatusEditOut], **ERRORS},
    auth=optional_auth,
)
def status_history(request: HttpRequest, status_id: str):
    """Every version of the status, the original first and the current one last."""
    post = _visible_post(request, status_id)
    presenter = Presenter(request)
    status = presenter.status(post)
    return [
        {
            "content": presenter.content(version.text),
            "spoiler_text": version.spoiler_text,
            "sensitive": version.sensitive,
            "created_at": iso(version.created_at),
            "account": status["account"],
            "poll": None,
            # Pictures cannot be edited: every version has the status's own.
            "media_attachments": status["media_attachments"],
            "emojis": [],
        }
        for version in edit_selectors.post_versions(post)
    ]


@router.get("/v1/statuses/{status_id}/source", response={200: StatusSourceOut, **ERRORS})
def status_source(request: HttpRequest, status_id: str):
    """The status's text as written, for its author to edit."""
    post = _visible_post(request, status_id)
    if post.author_id != request.auth.pk:
        raise DomainError(SocialError.NOT_YOUR_POST_TO_EDIT)
    return {"id": str(post.pk), "text": post.text, "spoiler_text": post.spoiler_text}
