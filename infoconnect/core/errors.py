"""The one exception type every domain raises, and the base of each domain's error codes.

A domain lists its codes as an Enum whose members are (code, HTTP status, message)::

    class SocialError(ErrorCode):
        POST_NOT_FOUND = ("post_not_found", 404, _("That post does not exist."))

    raise DomainError(SocialError.POST_NOT_FOUND)

The API turns a DomainError into ``{"error": message, "code": code}`` with its status; web
views show the message to the person.
"""

from enum import Enum

from django.utils.translation import gettext_lazy as _


class ErrorCode(Enum):
    def __init__(self, code: str, status: int, message: str) -> None:
        self.code = code
        self.status = status
        self.message = message


class CommonError(ErrorCode):
    NOT_FOUND = ("not_found", 404, _("Not found."))
    VALIDATION = ("validation_error", 422, _("The input is not valid."))
    NOT_AUTHENTICATED = ("not_authenticated", 401, _("Log in or send a valid access token."))
    FORBIDDEN = ("forbidden", 403, _("You may not do that."))
    RATE_LIMITED = ("rate_limited", 429, _("Too many requests; try again later."))
    IDEMPOTENCY_KEY_REUSED = (
        "idempotency_key_reused",
        409,
        _("This Idempotency-Key was used with different parameters."),
    )
    IDEMPOTENCY_KEY_IN_USE = (
        "idempotency_key_in_use",
        409,
        _("A request with this Idempotency-Key is still being processed."),
    )
    IDEMPOTENCY_KEY_MISSING = (
        "idempotency_key_missing",
        400,
        _("This request needs an Idempotency-Key header."),
    )


class DomainError(Exception):
    def __init__(
        self,
        error: ErrorCode,
        message: str | None = None,
        *,
        fields: dict[str, list[str]] | None = None,
    ) -> None:
        self.error = error
        self.code = error.code
        self.status = error.status
        self.message = str(message if message is not None else error.message)
        self.fields = fields or {}
        super().__init__(self.message)

    def as_dict(self) -> dict:
        body: dict = {"error": self.message, "code": self.code}
        if self.fields:
            body["fields"] = self.fields
        return body
