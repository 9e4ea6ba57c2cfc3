"""The HTTP API: django-ninja under /api/, Mastodon-shaped social endpoints under /api/v1/
(and /api/v2/search), InfoConnect's own resources beside them.

Every error is ``{"error": "<message for a person>", "code": "<stable_code>"}``.
"""

import logging
from functools import wraps

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.http.request import RawPostDataException
from django.urls import URLPattern
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI, Router
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from infoconnect.api.auth import token_auth
from infoconnect.api.schemas import ErrorOut
from infoconnect.core.errors import CommonError, DomainError
from infoconnect.core.ratelimits import RateLimited

logger = logging.getLogger(__name__)


ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}
# What any operation may answer besides its own responses: a domain rule refusing (403, 404,
# 409), input that is not valid (422) and the rate limiter (429, on every /api/ route).
EVERY_OPERATION = {
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
}
# With a token or a session: a bad or revoked token.
AUTHENTICATED = {401: "Unauthorized"}
# With a request body: one that cannot be read, is too large, or is a form where JSON is wanted.
WITH_BODY = {400: "Bad Request", 413: "Content Too Large", 415: "Unsupported Media Type"}
RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "integer", "minimum": 0},
    }
}
IDEMPOTENCY_KEY_DESCRIPTION = (
    "A key the client makes for this one request (a UUID, say). A money-moving request needs "
    "it: the first answer is replayed for the same key, and the same key with other "
    "parameters is a 409."
)


def document_errors(schema: dict) -> dict:
    """Every status code the API can answer, with the error schema, on every operation."""
    schema.setdefault("components", {}).setdefault("schemas", {}).setdefault(
        "ErrorOut", ErrorOut.model_json_schema()
    )
    for methods in schema.get("paths", {}).values():
        for operation in methods.values():
            statuses = dict(EVERY_OPERATION)
            if operation.get("security"):
                statuses.update(AUTHENTICATED)
            if "requestBody" in operation:
                statuses.update(WITH_BODY)
            responses = operation.setdefault("responses", {})
            for status, description in statuses.items():
                if status in responses or str(status) in responses:
                    continue
                responses[status] = {
                    "description": description,
                    "content": {"application/json": {"schema": ERROR_REF}},
                }
            too_many = responses.get(429) or responses.get("429")
            too_many.setdefault("headers", RETRY_AFTER)
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "header" and parameter["name"] == "Idempotency-Key":
                    parameter["description"] = IDEMPOTENCY_KEY_DESCRIPTION
                    parameter["schema"] = {"type": "string", "minLength": 1, "maxLength": 255}
    return schema


class InfoConnectAPI(NinjaAPI):
    """A NinjaAPI whose 405 answers (ninja's own, plain text) are JSON errors too, that
    refuses NUL characters, which PostgreSQL cannot store or compare, and whose OpenAPI
    document lists the errors every operation can answer."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        return document_errors(
            super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        )

    @property
    def urls(self):
        patterns, app_name, namespace = super().urls
        for pattern in patterns:
            if isinstance(pattern, URLPattern):
                pattern.callback = _guarded(pattern.callback)
        return patterns, app_name, namespace


def _has_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path:
        return True
    params = [request.GET]
    if request.content_type == "application/json":
        # A JSON string can only carry NUL escaped.
        if b"\\u0000" in request.body or b"\x00" in request.body:
            return True
    elif request.method == "POST":
        params.append(request.POST)
    return any(
        "\x00" in key or any("\x00" in value for value in values)
        for query in params
        for key, values in query.lists()
    )


def _guarded(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            has_nul = _has_nul(request)
        except RequestDataTooBig:
            return error_response(
                request, 413, "request_too_large", _("The request body is too large.")
            )
        except (MultiPartParserError, UnreadablePostError):
            return error_response(
                request, 400, "bad_request", _("The request body could not be read.")
            )
        if has_nul:
            return error_response(
                request,
                422,
                CommonError.VALIDATION.code,
                _("The request contains a NUL character."),
            )
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            allowed = response.get("Allow", "")
            response = error_response(
                request, 405, "method_not_allowed", _("This method is not allowed here.")
            )
            response["Allow"] = allowed
        return response

    wrapper.csrf_exempt = True
    return wrapper


api = InfoConnectAPI(
    title="InfoConnect API",
    version="1",
    urls_namespace="api",
    docs_url="/v1/docs",
    openapi_url="/v1/openapi.json",
    auth=token_auth,
)


def error_response(request: HttpRequest, status: int, code: str, message: str, **extra):
    return api.create_response(
        request, {"error": str(message), "code": code, **extra}, status=status
    )


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(RateLimited)
def on_rate_limited(request, exc: RateLimited):
    response = on_domain_error(request, exc)
    response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(NinjaValidationError)
def on_validation_error(request, exc: NinjaValidationError):
    fields: dict[str, list[str]] = {}
    for error in exc.errors:
        location = [
            str(part)
            for part in error.get("loc", [])
            if part not in ("body", "query", "path", "payload", "form")
        ]
        fields.setdefault(".".join(location) or "request", []).append(str(error.get("msg", "")))
    first = next(iter(fields.items()), ("request", ["invalid"]))
    message = f"{first[0]}: {first[1][0]}"
    return error_response(request, 422, CommonError.VALIDATION.code, message, fields=fields)


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return error_response(
        request, 401, CommonError.NOT_AUTHENTICATED.code, CommonError.NOT_AUTHENTICATED.message
    )


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return error_response(request, 404, CommonError.NOT_FOUND.code, CommonError.NOT_FOUND.message)


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    codes = {
        400: "bad_request",
        401: "not_authenticated",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
        409: "conflict",
        429: "rate_limited",
    }
    return error_response(request, exc.status_code, codes.get(exc.status_code, "error"), str(exc))


@api.exception_handler(MultiPartParserError)
def on_unreadable_body(request, exc):
    """A PUT or PATCH whose multipart body cannot be parsed (no boundary, cut short): read by
    the endpoint itself, after the guard that answers the same for a POST."""
    return error_response(request, 400, "bad_request", _("The request body could not be read."))


@api.exception_handler(RawPostDataException)
def on_form_body(request, exc):
    """A JSON endpoint sent a form: the NUL check has read the form, so the body is gone, and
    the endpoint wants JSON in any case."""
    return error_response(
        request, 415, "unsupported_media_type", _("Send this request's body as JSON.")
    )


@api.exception_handler(Exception)
def on_unexpected(request, exc):
    logger.exception("Unhandled API error on %s", request.path)
    return error_response(request, 500, "server_error", "Something went wrong on our side.")


from infoconnect.api import routers  # noqa: E402  (registers every router on `api`)

routers.register(api)

# Mounted last, so it only answers paths no router has: unknown API paths are JSON 404s.
fallback = Router()


@fallback.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}", auth=None, include_in_schema=False
)
def unknown_path(request: HttpRequest, rest: str):
    return error_response(request, 404, CommonError.NOT_FOUND.code, CommonError.NOT_FOUND.message)


api.add_router("/", fallback)
