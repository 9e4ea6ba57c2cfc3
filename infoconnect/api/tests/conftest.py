"""Helpers for the API tests: posts made through the actions, and the entity field sets
Mastodon clients read."""

import socket
import threading
import time

import pytest

ACCOUNT_FIELDS = {
    "id",
    "username",
    "acct",
    "display_name",
    "note",
    "url",
    "uri",
    "avatar",
    "avatar_static",
    "header",
    "header_static",
    "locked",
    "bot",
    "group",
    "discoverable",
    "indexable",
    "hide_collections",
    "created_at",
    "last_status_at",
    "followers_count",
    "following_count",
    "statuses_count",
    "fields",
    "emojis",
    "roles",
    "verified_merchant",
}
STATUS_FIELDS = {
    "id",
    "uri",
    "url",
    "created_at",
    "edited_at",
    "account",
    "content",
    "visibility",
    "sensitive",
    "spoiler_text",
    "in_reply_to_id",
    "in_reply_to_account_id",
    "reblog",
    "quote",
    "reblogs_count",
    "favourites_count",
    "replies_count",
    "mentions",
    "tags",
    "media_attachments",
    "emojis",
    "card",
    "poll",
    "language",
}
# Present only when a token's user is asking.
VIEWER_FIELDS = {"favourited", "reblogged", "muted", "bookmarked", "pinned", "filtered"}
RELATIONSHIP_FIELDS = {
    "id",
    "following",
    "showing_reblogs",
    "notifying",
    "languages",
    "followed_by",
    "blocking",
    "blocked_by",
    "muting",
    "muting_notifications",
    "requested",
    "requested_by",
    "domain_blocking",
    "endorsed",
    "note",
}
ISO_RE = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$"
BASE = "http://testserver"


@pytest.fixture
def make_post():
    """make_post(author, "text", in_reply_to=post) -> a Post made by the action."""
    from infoconnect.social import actions

    def make(author, text: str = "hello", *, in_reply_to=None):
        return actions.create_post(
            author=author, text=text, in_reply_to_id=in_reply_to.pk if in_reply_to else None
        )

    return make


def error(response) -> dict:
    """The JSON error body, checking its shape on the way."""
    assert response["Content-Type"].startswith("application/json"), response.content
    body = response.json()
    assert set(body) >= {"error", "code"}
    assert body["error"]
    return body


def links(response) -> dict[str, str]:
    """The Link header as {rel: url}."""
    out = {}
    for part in response.get("Link", "").split(", "):
        if not part:
            continue
        url, rel = part.split("; ")
        out[rel.removeprefix('rel="').removesuffix('"')] = url.strip("<>")
    return out


@pytest.fixture
def server(settings):
    """uvicorn serving config.asgi on a free port, in a thread of this process (the test
    database and, without Redis, the in-process bus are shared): "127.0.0.1:<port>".

    The live server of pytest-django is WSGI; this one also serves the streaming API."""
    import uvicorn
    from django.db import connections
    from django.urls import reverse

    from config.asgi import application

    settings.EVENTS_CHANNEL_PREFIX = f"test-{time.monotonic_ns()}:"
    database = connections.databases["default"]
    max_age = database.get("CONN_MAX_AGE", 0)
    # The server's threads close their connections after each use: none outlives the test.
    database["CONN_MAX_AGE"] = 0
    # The URLconf loads before the first event renders (it takes seconds on a busy machine).
    reverse("social:home")
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(application, lifespan="off", log_level="warning", ws_ping_interval=None)
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not instance.started and time.monotonic() < deadline:
        time.sleep(0.02)
    port = sock.getsockname()[1]
    yield f"127.0.0.1:{port}"
    instance.should_exit = True
    thread.join(10)
    sock.close()
    database["CONN_MAX_AGE"] = max_age
