"""Mastodon's media endpoints: pictures are uploaded first, then a status takes them by id
(`media_ids[]`). Pictures are processed while the upload waits, so `url` is always set and
the answer is 200 on /api/v2/media too."""

import json

from django.http import HttpRequest, QueryDict
from django.http.multipartparser import MultiPartParser, MultiPartParserError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from ninja import Router, Schema

from infoconnect.api.mastodon import Presenter, parse_id
from infoconnect.core import ratelimits
from infoconnect.core.errors import CommonError, DomainError
from infoconnect.social import media
from infoconnect.social.errors import MediaError, SocialError

router = Router(tags=["media"])

# What an upload or an update may carry; a custom thumbnail (for audio and video) is not.
UPLOAD_FIELDS = frozenset({"file", "description", "focus"})
UPDATE_FIELDS = frozenset({"description", "focus"})


class MediaSizeOut(Schema):
    width: int
    height: int
    size: str
    aspect: float


class FocusOut(Schema):
    x: float
    y: float


class MediaMetaOut(Schema):
    original: MediaSizeOut
    small: MediaSizeOut
    focus: FocusOut


class MediaAttachmentOut(Schema):
    id: str
    type: str
    url: str
    preview_url: str
    remote_url: str | None
    preview_remote_url: str | None
    text_url: str | None
    meta: MediaMetaOut
    description: str | None
    blurhash: str | None


FORM_BODY = {
    "requestBody": {
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "description": {"type": "string", "maxLength": 1500},
                        "focus": {"type": "string", "example": "0.5,-0.25"},
                    },
                }
            }
        }
    }
}
UPDATE_BODY = {
    "requestBody": {
        "content": {
            content_type: {
                "schema": {
                    "type": "object",
                    "properties": {
                        "description": {"type": "string", "maxLength": 1500},
                        "focus": {"type": "string", "example": "0.5,-0.25"},
                    },
                }
            }
            for content_type in (
                "application/json",
                "application/x-www-form-urlencoded",
                "multipart/form-data",
            )
        }
    }
}


def _refuse_unsupported(names, supported: frozenset) -> None:
    refused = sorted({name for name in names if name not in supported})
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


def _text(value, name: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise DomainError(
            CommonError.VALIDATION,
            _("%(name)s must be text.") % {"name": name},
            fields={name: [str(_("Must be text."))]},
        )
    if "\x00" in value:
        raise DomainError(CommonError.VALIDATION, _("The request contains a NUL character."))
    return value


def _upload(request: HttpRequest) -> dict:
    ratelimits.check(request, "media")
    _refuse_unsupported([*request.POST, *request.FILES], UPLOAD_FIELDS)
    picture = media.upload_media(
        owner=request.auth,
        upload=request.FILES.get("file"),
        description=_text(request.POST.get("description"), "description"),
        focus=_text(request.POST.get("focus"), "focus"),
    )
    return Presenter(request).media(picture)


@router.post("/v2/media", response=MediaAttachmentOut, openapi_extra=FORM_BODY)
def upload_media_v2(request: HttpRequest):
    """Upload a picture (JPEG, PNG, GIF or WebP; re-encoded without its metadata) with an
    optional `description` (alt text) and `focus` ("x,y", each -1 to 1); a status then takes
    it with `media_ids[]`."""
    return _upload(request)


@router.post("/v1/media", response=MediaAttachmentOut, openapi_extra=FORM_BODY)
def upload_media_v1(request: HttpRequest):
    """The same as /api/v2/media, as older clients call it."""
    return _upload(request)


def _media_id(media_id: str) -> int:
    return parse_id(media_id, MediaError.MEDIA_NOT_FOUND)


@router.get("/v1/media/{media_id}", response=MediaAttachmentOut)
def get_media(request: HttpRequest, media_id: str):
    """One of your pictures."""
    picture = media.own_media(owner=request.auth, media_id=_media_id(media_id))
    return Presenter(request).media(picture)


def _update_params(request: HttpRequest) -> dict:
    """A PUT's parameters as JSON, a form or multipart (Django reads bodies only for POST)."""
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            raise DomainError(CommonError.VALIDATION, _("The body is not valid JSON.")) from None
        if not isinstance(data, dict):
            raise DomainError(CommonError.VALIDATION, _("The body must be a JSON object."))
        return data
    if request.content_type == "multipart/form-data":
        try:
            fields, files = MultiPartParser(
                request.META, request, request.upload_handlers, request.encoding
            ).parse()
        except MultiPartParserError:
            raise DomainError(
                CommonError.VALIDATION, _("The request body could not be read.")
            ) from None
        return {**{key: fields.get(key) for key in fields}, **{key: True for key in files}}
    form = QueryDict(request.body, encoding=request.encoding)
    return {key: form.get(key) for key in form}


@router.put("/v1/media/{media_id}", response=MediaAttachmentOut, openapi_extra=UPDATE_BODY)
def update_media(request: HttpRequest, media_id: str):
    """Change a picture's `description` or `focus` while no status has it."""
    pk = _media_id(media_id)
    data = _update_params(request)
    _refuse_unsupported(data, UPDATE_FIELDS)
    picture = media.update_media(
        owner=request.auth,
        media_id=pk,
        description=_text(data.get("description"), "description"),
        focus=_text(data.get("focus"), "focus"),
    )
    return Presenter(request).media(picture)


@router.delete("/v1/media/{media_id}", response=dict)
def delete_media(request: HttpRequest, media_id: str):
    """Remove a picture that no status has taken."""
    media.delete_media(owner=request.auth, media_id=_media_id(media_id))
    return {}
