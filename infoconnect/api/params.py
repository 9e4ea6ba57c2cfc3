"""A Mastodon client's write parameters, however it sends them: JSON, a form, or multipart
(also with PATCH and PUT, which Django parses only for POST). Arrays come as ``key[]``,
nested values as ``parent[key]``; both spellings are read the same."""

import json

from django.http import HttpRequest, QueryDict
from django.utils.translation import gettext as _

from infoconnect.core.errors import CommonError, DomainError

_TRUE = {"true", "1", "on", "yes", "t"}
_FALSE = {"false", "0", "off", "no", "f", ""}


def _refuse(field: str, message: str) -> DomainError:
    return DomainError(CommonError.VALIDATION, message, fields={field: [message]})


class Params:
    """Values by name; ``files`` holds multipart uploads."""

    def __init__(self, values: dict, files=None) -> None:
        self.values = values
        self.files = files or {}

    def __contains__(self, name: str) -> bool:
        return name in self.values

    def string(self, name: str) -> str | None:
        value = self.values.get(name)
        if value is not None and not isinstance(value, str):
            raise _refuse(name, _("%(field)s must be a string.") % {"field": name})
        return value

    def boolean(self, name: str) -> bool | None:
        if name not in self.values or self.values[name] is None:
            return None
        value = self.values[name]
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE:
            return True
        if isinstance(value, str) and value.strip().lower() in _FALSE:
            return False
        raise _refuse(name, _("%(field)s must be true or false.") % {"field": name})

    def ids(self, name: str) -> list[str]:
        """An array of ids (strings, or numbers in JSON); a boolean is not an id."""
        value = self.values.get(name, [])
        items = value if isinstance(value, list) else [value]
        out = []
        for item in items:
            if isinstance(item, bool) or not isinstance(item, str | int):
                raise _refuse(name, _("%(field)s must be a list of ids.") % {"field": name})
            out.append(str(item))
        return out


def _from_query(query: QueryDict) -> dict:
    values: dict = {}
    for key, items in query.lists():
        if key.endswith("[]"):
            values[key.removesuffix("[]")] = items
        else:
            values[key] = items[-1]
    return values


def _flatten(data: dict) -> dict:
    """JSON's ``{"source": {"privacy": …}}`` as a form's ``source[privacy]``."""
    values: dict = {}
    for key, value in data.items():
        key = key.removesuffix("[]")
        if isinstance(value, dict):
            for inner, item in value.items():
                values[f"{key}[{inner}]"] = item
        else:
            values[key] = value
    return values


def _has_nul(values: dict) -> bool:
    def nul(item) -> bool:
        return isinstance(item, str) and "\x00" in item

    return any(
        nul(key) or nul(value) or (isinstance(value, list) and any(nul(v) for v in value))
        for key, value in values.items()
    )


def read(request: HttpRequest, *, with_query: bool = False) -> Params:
    """The request's parameters; ``with_query`` adds the query string's (a DELETE's
    parameters often travel there)."""
    files = None
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            raise DomainError(CommonError.VALIDATION, _("The body is not valid JSON.")) from None
        if not isinstance(data, dict):
            raise DomainError(CommonError.VALIDATION, _("The body must be a JSON object."))
        values = _flatten(data)
    elif request.method == "POST":
        values, files = _from_query(request.POST), request.FILES
    elif request.content_type == "multipart/form-data":
        form, files = request.parse_file_upload(request.META, request)
        values = _from_query(form)
    elif request.content_type == "application/x-www-form-urlencoded":
        values = _from_query(QueryDict(request.body, encoding=request.encoding))
    else:
        values = {}
    if with_query:
        values = {**_from_query(request.GET), **values}
    if _has_nul(values):
        raise DomainError(CommonError.VALIDATION, _("The request contains a NUL character."))
    return Params(values, files)
