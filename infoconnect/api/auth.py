"""API authentication: a bearer token (``Authorization: Bearer <token>``), either a personal
access token or an OAuth access token an app was given, or the browser's session (with its
CSRF token for writes).

An OAuth token may call a route only with the scope api/scopes.py names for it (Mastodon's
403 otherwise); personal access tokens and sessions have every scope. An app's own token
(client credentials, no person) reads public data as an anonymous visitor would."""

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security import SessionAuth

from infoconnect.accounts.errors import AccountsError
from infoconnect.accounts.oauth import Bearer, bearer_for_key, grants
from infoconnect.api.scopes import required_scopes
from infoconnect.core.errors import DomainError


def _bearer(request: HttpRequest) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip()


def bearer_of(request: HttpRequest, token: str) -> Bearer | None:
    # The rate limiter may have looked this token up already.
    seen = getattr(request, "bearer_user", None)
    bearer = seen[1] if seen is not None and seen[0] == token else bearer_for_key(token)
    request.bearer = bearer
    return bearer


def check_scope(request: HttpRequest, bearer: Bearer) -> None:
    if bearer.scopes is None:
        return
    match = request.resolver_match
    needed = required_scopes(request.method, match.route if match else request.path)
    if needed is None or (needed and not any(grants(bearer.scopes, s) for s in needed)):
        raise DomainError(AccountsError.OUTSIDE_SCOPES)


class TokenAuth:
    """Required authentication: a valid bearer token for a person, or a logged-in session."""

    openapi_type = "http"
    openapi_scheme = "bearer"

    def __init__(self) -> None:
        self._session = SessionAuth()

    def __call__(self, request: HttpRequest):
        token = _bearer(request)
        if token is not None:
            bearer = bearer_of(request, token)
            if bearer is None:
                raise AuthenticationError()
            check_scope(request, bearer)
            if bearer.user is None:
                return self.app_only(request, bearer)
            request.user = bearer.user
            return bearer.user
        # No session to use: not authenticated (401). Only a logged-in session's writes need
        # its CSRF token, which the session check enforces (403 without it).
        if not getattr(request.user, "is_authenticated", False):
            return None
        return self._session(request) or None

    def app_only(self, request: HttpRequest, bearer: Bearer):
        raise DomainError(AccountsError.USER_TOKEN_REQUIRED)


class OptionalAuth(TokenAuth):
    """For public reads: a bad token is still a 401, but no token at all (or an app's own
    token) is anonymous."""

    def __call__(self, request: HttpRequest):
        user = super().__call__(request)
        if user is None:
            request.user = AnonymousUser()
            return request.user
        return user

    def app_only(self, request: HttpRequest, bearer: Bearer):
        request.user = AnonymousUser()
        return request.user


class AppTokenAuth(TokenAuth):
    """An OAuth token, of a person or of the app alone: the app asking about itself."""

    def __call__(self, request: HttpRequest):
        token = _bearer(request)
        if token is None:
            raise DomainError(AccountsError.APP_TOKEN_REQUIRED)
        bearer = bearer_of(request, token)
        if bearer is None:
            raise AuthenticationError()
        if bearer.application_id is None:
            raise DomainError(AccountsError.APP_TOKEN_REQUIRED)
        check_scope(request, bearer)
        return bearer


token_auth = TokenAuth()
optional_auth = OptionalAuth()
app_token_auth = AppTokenAuth()
