"""The OAuth scope each API route needs, in one table: Mastodon's granular scopes for the
Mastodon endpoints (as docs.joinmastodon.org lists them), `read` or `write` for InfoConnect's
own resources. An OAuth token lacking the scope is refused with 403; personal access tokens
and the browser's session have every scope.

A route is its method and its path pattern as the router declares it, a path parameter
written `{}` whatever its name. A test walks every registered route and finds it here, so a new
endpoint cannot forget its scope; one that is missing is refused to every OAuth token."""

import re
from functools import lru_cache

# The route needs no token at all (authentication is off on it).
PUBLIC = "public"
# InfoConnect's own resources: `read` for GET, `write` for every other method.
READ_WRITE = "read|write"
# Any valid token, whatever its scopes (an app asking about itself).
ANY_SCOPE = "any"

# (methods, path pattern, scope): the first rule whose method and pattern match wins. A
# pattern ending in "/**" also covers every path below it.
RULES: list[tuple[str, str, str | tuple[str, ...]]] = [
    # Apps and the instance
    ("POST", "/api/v1/apps", PUBLIC),
    ("GET", "/api/v1/apps/verify_credentials", ANY_SCOPE),
    ("GET", "/api/v1/instance", PUBLIC),
    ("GET", "/api/v1/instance/", PUBLIC),
    ("GET", "/api/v1/instance/**", PUBLIC),
    ("GET", "/api/v2/instance", PUBLIC),
    ("GET", "/api/v2/instance/", PUBLIC),
    ("GET", "/api/v1/custom_emojis", PUBLIC),
    ("GET", "/api/v1/trends/**", PUBLIC),
    ("GET", "/api/v1/directory", PUBLIC),
    ("GET", "/api/v1/announcements", "read"),
    ("POST", "/api/v1/announcements/{}/dismiss", "write:accounts"),
    ("PUT", "/api/v1/announcements/{}/reactions/{}", "write:favourites"),
    ("DELETE", "/api/v1/announcements/{}/reactions/{}", "write:favourites"),
    # Accounts
    ("GET", "/api/v1/accounts/verify_credentials", ("read:accounts", "profile")),
    ("PATCH", "/api/v1/accounts/update_credentials", "write:accounts"),
    ("GET", "/api/v1/accounts/relationships", "read:follows"),
    ("GET", "/api/v1/accounts/familiar_followers", "read:follows"),
    ("GET", "/api/v1/accounts/search", "read:accounts"),
    ("GET", "/api/v1/accounts/lookup", "read:accounts"),
    ("GET", "/api/v1/accounts/{}", "read:accounts"),
    ("GET", "/api/v1/accounts/{}/statuses", "read:statuses"),
    ("GET", "/api/v1/accounts/{}/followers", "read:accounts"),
    ("GET", "/api/v1/accounts/{}/following", "read:accounts"),
    ("GET", "/api/v1/accounts/{}/lists", "read:lists"),
    ("GET", "/api/v1/accounts/{}/featured_tags", "read:accounts"),
    ("POST", "/api/v1/accounts/{}/follow", "write:follows"),
    ("POST", "/api/v1/accounts/{}/unfollow", "write:follows"),
    ("POST", "/api/v1/accounts/{}/remove_from_followers", "write:follows"),
    ("POST", "/api/v1/accounts/{}/block", "write:blocks"),
    ("POST", "/api/v1/accounts/{}/unblock", "write:blocks"),
    ("POST", "/api/v1/accounts/{}/mute", "write:mutes"),
    ("POST", "/api/v1/accounts/{}/unmute", "write:mutes"),
    ("POST", "/api/v1/accounts/{}/pin", "write:accounts"),
    ("POST", "/api/v1/accounts/{}/unpin", "write:accounts"),
    ("POST", "/api/v1/accounts/{}/note", "write:accounts"),
    ("GET", "/api/v1/preferences", "read:accounts"),
    ("GET", "/api/v1/bookmarks", "read:bookmarks"),
    ("GET", "/api/v1/favourites", "read:favourites"),
    ("GET", "/api/v1/mutes", "read:mutes"),
    ("GET", "/api/v1/blocks", "read:blocks"),
    ("GET", "/api/v1/endorsements", "read:accounts"),
    ("GET", "/api/v1/follow_requests", "read:follows"),
    ("POST", "/api/v1/follow_requests/{}/authorize", "write:follows"),
    ("POST", "/api/v1/follow_requests/{}/reject", "write:follows"),
    ("GET", "/api/v1/followed_tags", "read:follows"),
    ("GET", "/api/v1/tags/{}", "read:follows"),
    ("POST", "/api/v1/tags/{}/follow", "write:follows"),
    ("POST", "/api/v1/tags/{}/unfollow", "write:follows"),
    ("GET", "/api/v1/featured_tags", "read:accounts"),
    ("POST", "/api/v1/featured_tags", "write:accounts"),
    ("DELETE", "/api/v1/featured_tags/{}", "write:accounts"),
    ("POST", "/api/v1/reports", "write:reports"),
    # Statuses, media, polls, scheduled statuses
    ("POST", "/api/v1/statuses", "write:statuses"),
    ("GET", "/api/v1/statuses", "read:statuses"),
    ("GET", "/api/v1/statuses/{}", "read:statuses"),
    ("PUT", "/api/v1/statuses/{}", "write:statuses"),
    ("DELETE", "/api/v1/statuses/{}", "write:statuses"),
    ("GET", "/api/v1/statuses/{}/context", "read:statuses"),
    ("GET", "/api/v1/statuses/{}/history", "read:statuses"),
    ("GET", "/api/v1/statuses/{}/source", "read:statuses"),
    ("GET", "/api/v1/statuses/{}/reblogged_by", "read:accounts"),
    ("GET", "/api/v1/statuses/{}/favourited_by", "read:accounts"),
    ("POST", "/api/v1/statuses/{}/favourite", "write:favourites"),
    ("POST", "/api/v1/statuses/{}/unfavourite", "write:favourites"),
    ("POST", "/api/v1/statuses/{}/reblog", "write:statuses"),
    ("POST", "/api/v1/statuses/{}/unreblog", "write:statuses"),
    ("POST", "/api/v1/statuses/{}/bookmark", "write:bookmarks"),
    ("POST", "/api/v1/statuses/{}/unbookmark", "write:bookmarks"),
    ("POST", "/api/v1/statuses/{}/pin", "write:accounts"),
    ("POST", "/api/v1/statuses/{}/unpin", "write:accounts"),
    ("POST", "/api/v1/statuses/{}/mute", "write:mutes"),
    ("POST", "/api/v1/statuses/{}/unmute", "write:mutes"),
    ("POST", "/api/v1/media", "write:media"),
    ("POST", "/api/v2/media", "write:media"),
    ("GET", "/api/v1/media/{}", "write:media"),
    ("PUT", "/api/v1/media/{}", "write:media"),
    ("DELETE", "/api/v1/media/{}", "write:media"),
    ("GET", "/api/v1/polls/{}", "read:statuses"),
    ("POST", "/api/v1/polls/{}/votes", "write:statuses"),
    ("GET", "/api/v1/scheduled_statuses", "read:statuses"),
    ("GET", "/api/v1/scheduled_statuses/{}", "read:statuses"),
    ("PUT", "/api/v1/scheduled_statuses/{}", "write:statuses"),
    ("DELETE", "/api/v1/scheduled_statuses/{}", "write:statuses"),
    # Timelines, lists, markers, streaming
    ("GET", "/api/v1/timelines/home", "read:statuses"),
    ("GET", "/api/v1/timelines/public", "read:statuses"),
    ("GET", "/api/v1/timelines/tag/{}", "read:statuses"),
    ("GET", "/api/v1/timelines/list/{}", "read:lists"),
    ("GET", "/api/v1/lists", "read:lists"),
    ("POST", "/api/v1/lists", "write:lists"),
    ("GET", "/api/v1/lists/{}", "read:lists"),
    ("PUT", "/api/v1/lists/{}", "write:lists"),
    ("DELETE", "/api/v1/lists/{}", "write:lists"),
    ("GET", "/api/v1/lists/{}/accounts", "read:lists"),
    ("POST", "/api/v1/lists/{}/accounts", "write:lists"),
    ("DELETE", "/api/v1/lists/{}/accounts", "write:lists"),
    ("GET", "/api/v1/markers", "read:statuses"),
    ("POST", "/api/v1/markers", "write:statuses"),
    ("GET", "/api/v1/streaming", "read:statuses"),
    ("GET", "/api/v1/streaming/**", "read:statuses"),
    # Notifications
    ("GET", "/api/v1/notifications", "read:notifications"),
    ("GET", "/api/v1/notifications/unread_count", "read:notifications"),
    ("GET", "/api/v1/notifications/{}", "read:notifications"),
    ("POST", "/api/v1/notifications/clear", "write:notifications"),
    ("POST", "/api/v1/notifications/{}/dismiss", "write:notifications"),
    ("GET", "/api/v2/notifications", "read:notifications"),
    ("GET", "/api/v2/notifications/unread_count", "read:notifications"),
    ("GET", "/api/v2/notifications/{}", "read:notifications"),
    ("POST", "/api/v2/notifications/{}/dismiss", "write:notifications"),
    ("GET", "/api/v2/notifications/policy", "read:notifications"),
    ("PATCH", "/api/v2/notifications/policy", "write:notifications"),
    ("GET", "/api/v1/push/subscription", "push"),
    ("POST", "/api/v1/push/subscription", "push"),
    ("PUT", "/api/v1/push/subscription", "push"),
    ("DELETE", "/api/v1/push/subscription", "push"),
    # Filters and search
    ("GET", "/api/v2/filters", "read:filters"),
    ("GET", "/api/v2/filters/**", "read:filters"),
    ("*", "/api/v2/filters", "write:filters"),
    ("*", "/api/v2/filters/**", "write:filters"),
    ("GET", "/api/v1/filters", "read:filters"),
    ("GET", "/api/v1/filters/**", "read:filters"),
    ("*", "/api/v1/filters", "write:filters"),
    ("*", "/api/v1/filters/**", "write:filters"),
    ("GET", "/api/v2/filter_keywords/**", "read:filters"),
    ("*", "/api/v2/filter_keywords/**", "write:filters"),
    ("GET", "/api/v2/filter_statuses/**", "read:filters"),
    ("*", "/api/v2/filter_statuses/**", "write:filters"),
    ("GET", "/api/v2/search", "read:search"),
    # Conversations: Mastodon's direct messages, and InfoConnect's inbox where it sits there.
    ("GET", "/api/v1/conversations", "read:statuses"),
    ("GET", "/api/v1/conversations/**", "read:statuses"),
    ("POST", "/api/v1/conversations/{}/messages", "write:statuses"),
    ("POST", "/api/v1/conversations/{}/messages/{}/report", "write:reports"),
    ("*", "/api/v1/conversations/**", "write:conversations"),
    # InfoConnect's own resources
    ("*", "/api/v1/addresses/**", READ_WRITE),
    ("*", "/api/v1/campaigns/**", READ_WRITE),
    ("*", "/api/v1/cart/**", READ_WRITE),
    ("*", "/api/v1/checkout/**", READ_WRITE),
    ("*", "/api/v1/companies/**", READ_WRITE),
    ("*", "/api/v1/coupons/**", READ_WRITE),
    ("*", "/api/v1/follower_tags/**", READ_WRITE),
    ("*", "/api/v1/marketing_preferences/**", READ_WRITE),
    ("*", "/api/v1/merchant/**", READ_WRITE),
    ("*", "/api/v1/messages/**", READ_WRITE),
    ("*", "/api/v1/inbox/**", READ_WRITE),
    ("*", "/api/v1/order_lines/**", READ_WRITE),
    ("*", "/api/v1/orders/**", READ_WRITE),
    ("*", "/api/v1/payment_terms/**", READ_WRITE),
    ("*", "/api/v1/price_lists/**", READ_WRITE),
    ("*", "/api/v1/products/**", READ_WRITE),
    ("*", "/api/v1/quotes/**", READ_WRITE),
    ("*", "/api/v1/refund_requests/**", READ_WRITE),
    ("*", "/api/v1/requisitions/**", READ_WRITE),
    ("*", "/api/v1/reviews/**", READ_WRITE),
    ("*", "/api/v1/skus/**", READ_WRITE),
    ("POST", "/api/v1/wallet/webhooks/{}", PUBLIC),
    ("*", "/api/v1/wallet/**", READ_WRITE),
    # Paths no router has: a JSON 404 to anyone.
    ("*", "/api/{}", PUBLIC),
]

_PARAMETER = re.compile(r"\{[^}]*\}|<(?:\w+:)?\w+>")
_SLASHES = re.compile(r"/+")


def normalize(path: str) -> str:
    """A path pattern in the table's form: one leading slash, `{}` for each parameter, from
    either the router's `{name}` or Django's `<type:name>`."""
    return _SLASHES.sub("/", "/" + _PARAMETER.sub("{}", path))


def _matches(pattern: str, path: str) -> bool:
    if pattern.endswith("/**"):
        base = pattern.removesuffix("/**")
        return path == base or path.startswith(base + "/")
    return path == pattern


@lru_cache(maxsize=1024)
def required_scopes(method: str, path: str) -> tuple[str, ...] | None:
    """The scopes any one of which lets a token call the route, () if it needs none beyond a
    valid token (or no token at all), None if the table has no rule for it."""
    method = "GET" if method == "HEAD" else method
    path = normalize(path)
    for methods, pattern, scope in RULES:
        if methods not in ("*", method) or not _matches(pattern, path):
            continue
        if scope in (PUBLIC, ANY_SCOPE):
            return ()
        if scope == READ_WRITE:
            return ("read",) if method == "GET" else ("write",)
        return scope if isinstance(scope, tuple) else (scope,)
    return None


def is_mapped(method: str, path: str) -> bool:
    return required_scopes(method, path) is not None
