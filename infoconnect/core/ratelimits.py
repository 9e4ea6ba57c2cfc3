"""Request limits named by key, counted in the cache (Redis in production, the local cache in
the embedded default) with django-ratelimit.

Each limit is a rate in ``settings.RATE_LIMITS`` ("30/m", "5/h"); code names the limit::

    ratelimits.check(request, "post")          # raises RateLimited past the rate

A limit counts per signed-in user, else per client IP; sign-ups and password resets count
per IP. Past the rate the answer is 429 with ``Retry-After`` (seconds): the API's JSON error
with the ``rate_limited`` code, a translated page on the web.
"""

import math
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import ngettext
from django_ratelimit.core import get_usage

from infoconnect.accounts.oauth import bearer_for_key
from infoconnect.core.errors import CommonError, DomainError
from infoconnect.core.views import render_domain_error

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class RateLimited(DomainError):
    def __init__(self, retry_after: int) -> None:
        self.retry_after = max(1, int(retry_after))
        super().__init__(CommonError.RATE_LIMITED, try_again_message(self.retry_after))


def try_again_message(seconds: int) -> str:
    if seconds < 120:
        return ngettext(
            "Too many requests; try again in %(count)d second.",
            "Too many requests; try again in %(count)d seconds.",
            seconds,
        ) % {"count": seconds}
    minutes = math.ceil(seconds / 60)
    return ngettext(
        "Too many requests; try again in %(count)d minute.",
        "Too many requests; try again in %(count)d minutes.",
        minutes,
    ) % {"count": minutes}


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or behind the proxy (SECURE_PROXY=1) the address the
    proxy appended last to X-Forwarded-For, since a client can write any earlier entries."""
    if settings.CLIENT_IP_FROM_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.rsplit(",", 1)[-1].strip()
        if last:
            return last
    return request.META.get("REMOTE_ADDR") or "0.0.0.0"


def _signed_in_user(request: HttpRequest):
    user = getattr(request, "ratelimit_user", None) or getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def check(request: HttpRequest, name: str, *, per: str = "user_or_ip") -> None:
    """Count one request against the limit `name`; raise RateLimited once it is spent."""
    rate = settings.RATE_LIMITS.get(name)
    if not rate:
        return
    user = _signed_in_user(request) if per == "user_or_ip" else None
    key = (lambda group, request: f"user:{user.pk}") if user is not None else "ip"
    usage = get_usage(request, group=f"infoconnect.{name}", key=key, rate=rate, increment=True)
    if usage is not None and usage["should_limit"]:
        raise RateLimited(usage["time_left"])


def web_response(request: HttpRequest, error: RateLimited) -> HttpResponse:
    """The page (or htmx fragment) a person sees past a limit."""
    response = render_domain_error(request, error)
    response["Retry-After"] = str(error.retry_after)
    return response


def api_response(error: RateLimited) -> HttpResponse:
    response = JsonResponse(error.as_dict(), status=error.status)
    response["Retry-After"] = str(error.retry_after)
    return response


def limit(
    name: str,
    *,
    per: str = "user_or_ip",
    methods: frozenset = frozenset({"POST"}),
    files_only: bool = False,
):
    """Limit an HTML view's `methods` requests by the limit `name` (with `files_only`, only
    the requests that carry a file)."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method in methods and (not files_only or request.FILES):
                try:
                    check(request, name, per=per)
                except RateLimited as error:
                    return web_response(request, error)
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


class ApiRateLimitMiddleware:
    """Every /api/ request counts against `api_read` (GET, HEAD, OPTIONS) or `api_write`, per
    token or session user, else per IP. Placed after AuthenticationMiddleware."""

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            settings.RATELIMIT_ENABLE
            and request.path.startswith("/api/")
            and not any(request.path.startswith(p) for p in settings.RATE_LIMIT_API_EXEMPT)
        ):
            request.ratelimit_user = _bearer_user(request)
            name = "api_read" if request.method in SAFE_METHODS else "api_write"
            try:
                check(request, name)
            except RateLimited as error:
                return api_response(error)
        return self.get_response(request)


def _bearer_user(request: HttpRequest):
    """The bearer token's user (of a personal or an OAuth token), kept on the request with the
    token (``bearer_user``) so the API's authentication does not look it up a second time."""
    scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return None
    bearer = bearer_for_key(token)
    request.bearer_user = (token, bearer)
    return bearer.user if bearer is not None else None
