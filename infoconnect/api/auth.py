"""API authentication: a personal access token as ``Authorization: Bearer <token>``, or the
browser's session (with its CSRF token for writes)."""

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security import SessionAuth

from infoconnect.accounts.tokens import user_for_token


def _bearer(request: HttpRequest) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip()


class TokenAuth:
    """Required authentication: a valid bearer token or a logged-in session."""

    openapi_type = "http"
    openapi_scheme = "bearer"

    def __init__(self) -> None:
        self._session = SessionAuth()

    def __call__(self, request: HttpRequest):
        token = _bearer(request)
        if token is not None:
            # The rate limiter may have looked this token up already.
            seen = getattr(request, "bearer_user", None)
            user = seen[1] if seen is not None and seen[0] == token else user_for_token(token)
            if user is None:
                raise AuthenticationError()
            request.user = user
            return user
        # No session to use: not authenticated (401). Only a logged-in session's writes need
        # its CSRF token, which the session check enforces (403 without it).
        if not getattr(request.user, "is_authenticated", False):
            return None
        return self._session(request) or None


class OptionalAuth(TokenAuth):
    """For public reads: a bad token is still a 401, but no token at all is anonymous."""

    def __call__(self, request: HttpRequest):
        user = super().__call__(request)
        if user is None:
            request.user = AnonymousUser()
            return request.user
        return user


token_auth = TokenAuth()
optional_auth = OptionalAuth()
