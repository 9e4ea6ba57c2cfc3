"""Mastodon's filters: /api/v2/filters with their keywords and statuses, and the v1 view
(/api/v1/filters: one v1 filter per keyword) older clients read.

Clients send JSON or forms; a form names lists Rails' way (``context[]``,
``keywords_attributes[][keyword]`` or ``keywords_attributes[0][keyword]``)."""

import json
import re

from django.http import HttpRequest, QueryDict
from django.utils.translation import gettext_lazy as _
from ninja import Router

from infoconnect.api.mastodon import parse_id
from infoconnect.api.status_filters import filter_entity, keyword_entity, status_entity
from infoconnect.api.times import iso
from infoconnect.core.errors import CommonError, DomainError
from infoconnect.social import filters
from infoconnect.social.errors import SocialError
from infoconnect.social.filters import UNCHANGED, KeywordChange
from infoconnect.social.models import Filter

router = Router(tags=["filters"])

KEYWORD_KEY = re.compile(r"^keywords_attributes\[(\d*)\]\[(\w+)\]$")
TRUE = {"1", "true", "on", "yes"}
FALSE = {"0", "false", "off", "no", ""}


def _params(request: HttpRequest) -> dict:
    """A write's parameters as a dict whose lists stay lists, from JSON or a form (a PUT's
    form too, which Django leaves unparsed)."""
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            raise DomainError(CommonError.VALIDATION, _("The body is not valid JSON.")) from None
        if not isinstance(data, dict):
            raise DomainError(CommonError.VALIDATION, _("The body must be a JSON object."))
        return data
    form = request.POST if request.method == "POST" else QueryDict(request.body)
    data: dict = {}
    indexed: dict[str, dict] = {}
    appended: dict[str, list] = {}
    for key, values in form.lists():
        match = KEYWORD_KEY.match(key)
        if match is None:
            name = key.removesuffix("[]")
            data[name] = values if key.endswith("[]") or name == "context" else values[-1]
        elif match.group(1):
            indexed.setdefault(match.group(1), {})[match.group(2)] = values[-1]
        else:
            appended[match.group(2)] = values
    if indexed or appended:
        keywords = [indexed[index] for index in sorted(indexed, key=int)]
        # keywords_attributes[][field]: the n-th value of each field makes the n-th keyword.
        count = max((len(values) for values in appended.values()), default=0)
        keywords += [
            {field: values[n] for field, values in appended.items() if n < len(values)}
            for n in range(count)
        ]
        data["keywords_attributes"] = keywords
    return data


def _bad(field: str, message: str) -> DomainError:
    return DomainError(CommonError.VALIDATION, f"{field}: {message}", fields={field: [message]})


def _text(data: dict, field: str) -> str | None:
    value = data.get(field)
    if value is None:
        return None
    if not isinstance(value, str):
        raise _bad(field, str(_("must be text.")))
    return value


def _bool(data: dict, field: str) -> bool | None:
    value = data.get(field)
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in TRUE | FALSE:
        return value.lower() in TRUE
    raise _bad(field, str(_("must be true or false.")))


def _context(data: dict) -> list[str] | None:
    value = data.get("context")
    if value is None:
        return None
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise _bad("context", str(_("must be a list of contexts.")))
    return value


def _expires_in(data: dict):
    """Seconds from now; empty or null means never; absent means unchanged."""
    if "expires_in" not in data:
        return UNCHANGED
    value = data["expires_in"]
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise _bad("expires_in", str(_("must be a number of seconds.")))
    try:
        return int(value)
    except (TypeError, ValueError):
        raise _bad("expires_in", str(_("must be a number of seconds."))) from None


def _keyword_changes(data: dict) -> list[KeywordChange]:
    value = data.get("keywords_attributes", [])
    if isinstance(value, dict):  # JSON keyed by index, as Rails accepts it
        value = [value[key] for key in sorted(value, key=str)]
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise _bad("keywords_attributes", str(_("must be a list of keywords.")))
    changes = []
    for item in value:
        raw_id = item.get("id")
        keyword_id = None
        if raw_id not in (None, ""):
            keyword_id = parse_id(str(raw_id), SocialError.FILTER_KEYWORD_NOT_FOUND)
        changes.append(
            KeywordChange(
                id=keyword_id,
                keyword=_text(item, "keyword"),
                whole_word=_bool(item, "whole_word"),
                destroy=bool(_bool(item, "_destroy")),
            )
        )
    return changes


def _filter_id(value: str) -> int:
    return parse_id(value, SocialError.FILTER_NOT_FOUND)


# Filters --------------------------------------------------------------------------------


@router.get("/v2/filters")
def list_filters(request: HttpRequest):
    """The caller's filters, oldest first."""
    return [filter_entity(row) for row in filters.filters_of(owner=request.auth)]


@router.post("/v2/filters")
def create_filter(request: HttpRequest):
    """A filter: `title`, `context[]` (home, notifications, public, thread, account),
    `filter_action` (warn or hide), `expires_in` (seconds) and `keywords_attributes[]`
    (`keyword`, `whole_word`)."""
    data = _params(request)
    expires_in = _expires_in(data)
    row = filters.create_filter(
        owner=request.auth,
        title=_text(data, "title") or "",
        context=_context(data) or [],
        filter_action=_text(data, "filter_action") or Filter.Action.WARN,
        expires_in=None if expires_in is UNCHANGED else expires_in,
        keywords=_keyword_changes(data),
    )
    return filter_entity(row)


@router.get("/v2/filters/{filter_id}")
def get_filter(request: HttpRequest, filter_id: str):
    return filter_entity(filters.get_filter(owner=request.auth, filter_id=_filter_id(filter_id)))


@router.put("/v2/filters/{filter_id}")
def update_filter(request: HttpRequest, filter_id: str):
    """Change what is sent; a keyword with an `id` is changed, with `_destroy` removed."""
    data = _params(request)
    row = filters.update_filter(
        owner=request.auth,
        filter_id=_filter_id(filter_id),
        title=_text(data, "title"),
        context=_context(data),
        filter_action=_text(data, "filter_action"),
        expires_in=_expires_in(data),
        keywords=_keyword_changes(data),
    )
    return filter_entity(row)


@router.delete("/v2/filters/{filter_id}")
def delete_filter(request: HttpRequest, filter_id: str):
    filters.delete_filter(owner=request.auth, filter_id=_filter_id(filter_id))
    return {}


# Keywords -------------------------------------------------------------------------------


def _keyword_id(value: str) -> int:
    return parse_id(value, SocialError.FILTER_KEYWORD_NOT_FOUND)


@router.get("/v2/filters/{filter_id}/keywords")
def list_keywords(request: HttpRequest, filter_id: str):
    rows = filters.keywords_of(owner=request.auth, filter_id=_filter_id(filter_id))
    return [keyword_entity(row) for row in rows]


@router.post("/v2/filters/{filter_id}/keywords")
def add_keyword(request: HttpRequest, filter_id: str):
    data = _params(request)
    whole_word = _bool(data, "whole_word")
    row = filters.add_keyword(
        owner=request.auth,
        filter_id=_filter_id(filter_id),
        keyword=_text(data, "keyword") or "",
        whole_word=whole_word is not False,
    )
    return keyword_entity(row)


@router.get("/v2/filter_keywords/{keyword_id}")
def get_keyword(request: HttpRequest, keyword_id: str):
    return keyword_entity(
        filters.get_keyword(owner=request.auth, keyword_id=_keyword_id(keyword_id))
    )


@router.put("/v2/filter_keywords/{keyword_id}")
def update_keyword(request: HttpRequest, keyword_id: str):
    data = _params(request)
    row = filters.update_keyword(
        owner=request.auth,
        keyword_id=_keyword_id(keyword_id),
        keyword=_text(data, "keyword"),
        whole_word=_bool(data, "whole_word"),
    )
    return keyword_entity(row)


@router.delete("/v2/filter_keywords/{keyword_id}")
def delete_keyword(request: HttpRequest, keyword_id: str):
    filters.delete_keyword(owner=request.auth, keyword_id=_keyword_id(keyword_id))
    return {}


# Filtered statuses ----------------------------------------------------------------------


def _filter_status_id(value: str) -> int:
    return parse_id(value, SocialError.FILTER_STATUS_NOT_FOUND)


@router.get("/v2/filters/{filter_id}/statuses")
def list_filter_statuses(request: HttpRequest, filter_id: str):
    rows = filters.statuses_of(owner=request.auth, filter_id=_filter_id(filter_id))
    return [status_entity(row) for row in rows]


@router.post("/v2/filters/{filter_id}/statuses")
def add_filter_status(request: HttpRequest, filter_id: str):
    """Filter one status (`status_id`) the caller can see."""
    data = _params(request)
    raw = data.get("status_id")
    if raw in (None, "") or isinstance(raw, bool):
        raise _bad("status_id", str(_("is required.")))
    row = filters.add_status(
        owner=request.auth,
        filter_id=_filter_id(filter_id),
        post_id=parse_id(str(raw), SocialError.POST_NOT_FOUND),
    )
    return status_entity(row)


@router.get("/v2/filter_statuses/{filter_status_id}")
def get_filter_status(request: HttpRequest, filter_status_id: str):
    row = filters.get_filter_status(
        owner=request.auth, filter_status_id=_filter_status_id(filter_status_id)
    )
    return status_entity(row)


@router.delete("/v2/filter_statuses/{filter_status_id}")
def delete_filter_status(request: HttpRequest, filter_status_id: str):
    filters.delete_status(owner=request.auth, filter_status_id=_filter_status_id(filter_status_id))
    return {}


# v1 -------------------------------------------------------------------------------------


@router.get("/v1/filters")
def list_v1_filters(request: HttpRequest):
    """The v2 filters as Mastodon 3's: one per keyword, `irreversible` for hide."""
    return [
        {
            "id": str(keyword.pk),
            "phrase": keyword.keyword,
            "context": list(row.context),
            "whole_word": keyword.whole_word,
            "expires_at": iso(row.expires_at),
            "irreversible": row.filter_action == Filter.Action.HIDE,
        }
        for row in filters.filters_of(owner=request.auth)
        for keyword in sorted(row.keywords.all(), key=lambda kw: kw.pk)
    ]
