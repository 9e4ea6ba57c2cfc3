"""Mastodon's streaming API, and the web UI's own live events, over the event bus.

``/api/v1/streaming`` is a WebSocket (``?stream=user&access_token=…``, or the token as the
``Sec-WebSocket-Protocol``) on which a client subscribes and unsubscribes with
``{"type": "subscribe", "stream": "hashtag", "tag": "x"}``; each event arrives as
``{"stream": ["hashtag", "x"], "event": "update", "payload": "<the status as JSON>"}``.
``/api/v1/streaming/<stream>`` serves the same events as server-sent events (``event: update``,
``data: <JSON>``). ``/live/events`` is the logged-in web UI's stream: its badges and campaign
progress refresh when told to.

An event names rows; it is rendered here once per process (with no viewer, as Mastodon's
streaming payloads are) and filtered per listener: a listener never hears of an account it
blocks or mutes, or that blocks it, and hears again of its blocks and mutes when they change.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import logging
from collections import OrderedDict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.core.exceptions import DisallowedHost
from django.core.handlers.asgi import ASGIRequest
from django.http import (
    HttpRequest,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.urls import path
from django.views.decorators.http import require_GET

from infoconnect.accounts.models import User
from infoconnect.accounts.oauth import bearer_for_key, grants
from infoconnect.api.mastodon import Presenter
from infoconnect.core import events
from infoconnect.social import selectors
from infoconnect.social.models import Visibility
from infoconnect.social.text import normalize_tag

logger = logging.getLogger(__name__)
# A comment line this often keeps proxies and clients from closing a quiet stream.
HEARTBEAT_SECONDS = 15.0
# Rendered events kept per process: one publish reaches many listeners at once.
RENDERED_KEPT = 512
STATUS_EVENTS = {"update", "status.update", "conversation"}
PUBLIC_STREAMS = {"public", "public:local", "public:media", "public:local:media"}
HASHTAG_STREAMS = {"hashtag", "hashtag:local"}


class StreamError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def in_thread(function):
    """``function`` run from the event loop in a thread of the pool, each with its own
    database connection (closed once it is old): many listeners' reads run side by side."""
    return database_sync_to_async(function, thread_sensitive=False)


def stream_user(token: str) -> User | None:
    """The account a streaming token stands for: the one place a token is looked up. A
    personal access token streams; an OAuth token needs a person and ``read:statuses``."""
    bearer = bearer_for_key(token)
    if bearer is None or bearer.user is None:
        return None
    if bearer.scopes is not None and not grants(bearer.scopes, "read:statuses"):
        return None
    return bearer.user


@dataclass(frozen=True)
class Spec:
    """One stream a client asked for, as Mastodon names it (``["hashtag", "x"]``)."""

    name: str
    tag: str = ""

    @property
    def label(self) -> list[str]:
        return [self.name, self.tag] if self.tag else [self.name]


def parse_spec(name: str, params: dict, user: User | None) -> tuple[Spec, str]:
    """A stream request as (spec, bus stream); StreamError when it cannot be served."""
    name = (name or "").strip()
    if name in PUBLIC_STREAMS:
        return Spec(name), events.PUBLIC
    if name in HASHTAG_STREAMS:
        tag = normalize_tag(str(params.get("tag") or ""))
        if not tag:
            raise StreamError(400, "No tag for stream provided")
        return Spec(name, tag), events.hashtag_stream(tag)
    if name == "list":
        if user is None:
            raise StreamError(401, "Missing access token")
        list_id = str(params.get("list") or "").strip()
        if not list_id.isdigit() or len(list_id) > 18:
            raise StreamError(404, "No such list")
        return Spec(name, list_id), events.list_stream(int(list_id))
    if name in {"user", "user:notification", "direct"}:
        if user is None:
            raise StreamError(401, "Missing access token")
        if name == "direct":
            return Spec(name), events.direct_stream(user.pk)
        return Spec(name), events.user_stream(user.pk)
    raise StreamError(400, "Unknown stream type")


async def resolve_spec(name: str, params: dict, user: User | None) -> tuple[Spec, str]:
    """parse_spec, and for a list, that the list is the caller's own: another person's list
    is as missing as one that never was."""
    spec, stream = parse_spec(name, params, user)
    if spec.name == "list":
        owned = await in_thread(selectors.owns_list)(owner_id=user.pk, list_id=int(spec.tag))
        if not owned:
            raise StreamError(404, "No such list")
    return spec, stream


def _accepts(spec: Spec, event: str) -> bool:
    if spec.name == "user:notification":
        return event == "notification"
    return True


class _ScopeRequest(HttpRequest):
    """What the presenter needs of a request (its host and scheme) for a WebSocket."""

    def __init__(self, scope: dict) -> None:
        super().__init__()
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        server = scope.get("server") or ("localhost", 80)
        self.META = {
            "HTTP_HOST": headers.get("host", f"{server[0]}:{server[1]}"),
            "SERVER_NAME": str(server[0]),
            "SERVER_PORT": str(server[1]),
        }
        if "x-forwarded-proto" in headers:
            self.META["HTTP_X_FORWARDED_PROTO"] = headers["x-forwarded-proto"]
        self._ws_scheme = "https" if scope.get("scheme") == "wss" else "http"

    def _get_scheme(self) -> str:
        return self._ws_scheme


class Renderer:
    """Renders each published event once per (event, host): one publish reaches many
    listeners, who share the one rendering (and wait for it together), and the WebSocket
    frame that carries it to each of them."""

    def __init__(self) -> None:
        self.done: OrderedDict[tuple, asyncio.Future] = OrderedDict()
        self.frames: OrderedDict[tuple, str] = OrderedDict()

    def frame(self, label: list[str], event: str, data: str) -> str:
        """The WebSocket message for one event on one stream: the same for every listener of
        that stream, so encoded once (``data`` is the shared rendering, its hash kept)."""
        key = (tuple(label), event, data)
        frame = self.frames.get(key)
        if frame is None:
            frame = self.frames[key] = _dump({"stream": label, "event": event, "payload": data})
            while len(self.frames) > RENDERED_KEPT:
                self.frames.popitem(last=False)
        return frame

    async def once(self, key: tuple, render) -> str | None:
        future = self.done.get(key)
        if future is None:
            future = asyncio.ensure_future(in_thread(_logged(render))())
            self.done[key] = future
            while len(self.done) > RENDERED_KEPT:
                self.done.popitem(last=False)
        return await asyncio.shield(future)


def _logged(render):
    def run() -> str | None:
        try:
            return render()
        except Exception:  # noqa: BLE001 - one bad event must not end every stream
            logger.exception("Could not render a streamed event")
            return None

    return run


_renderers: dict[asyncio.AbstractEventLoop, Renderer] = {}


def renderer() -> Renderer:
    loop = asyncio.get_running_loop()
    for other in [known for known in _renderers if known.is_closed()]:
        del _renderers[other]
    return _renderers.setdefault(loop, Renderer())


def _dump(data) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _render_status(request: HttpRequest, post_id: int, *, public_only: bool) -> str | None:
    post = selectors.streamed_post(post_id=post_id)
    if post is None or (public_only and post.visibility != Visibility.PUBLIC):
        return None
    return _dump(Presenter(request).status(post))


def _render_conversation(request: HttpRequest, post_id: int, viewer: User) -> str | None:
    post = selectors.streamed_post(post_id=post_id)
    if post is None:
        return None
    presenter = Presenter(request)
    status = presenter.status(post)
    others = [m["id"] for m in status["mentions"]] + [str(post.author_id)]
    accounts = User.objects.filter(pk__in=[int(i) for i in others if i != str(viewer.pk)])
    return _dump(
        {
            "id": str(post.pk),
            "unread": post.author_id != viewer.pk,
            "accounts": presenter.accounts(list(accounts.order_by("pk"))),
            "last_status": status,
        }
    )


def _render_notification(request: HttpRequest, viewer: User, payload: dict) -> str | None:
    row = selectors.streamed_notification(
        user_id=viewer.pk,
        notification_id=payload.get("notification"),
        key=payload.get("notification_key", ""),
    )
    if row is None:
        return None
    # A copy: the listener's request renders statuses for everyone, with no viewer.
    request = copy.copy(request)
    request.auth = viewer
    return _dump(Presenter(request).notifications([row])[0])


@dataclass
class Listener:
    """One client's streams over one subscription to the bus."""

    user: User | None
    request: HttpRequest
    subscription: events.Subscription | None = None
    specs: dict[str, set[Spec]] = field(default_factory=dict)
    hidden: set[int] = field(default_factory=set)

    async def start(self) -> None:
        self.subscription = await events.subscribe()
        if self.user is not None:
            await self.subscription.add(events.control_stream(self.user.pk))
            await self.reload_hidden()

    async def reload_hidden(self) -> None:
        self.hidden = await in_thread(selectors.hidden_account_ids)(user_id=self.user.pk)

    async def add(self, spec: Spec, stream: str) -> None:
        self.specs.setdefault(stream, set()).add(spec)
        await self.subscription.add(stream)

    async def remove(self, spec: Spec, stream: str) -> None:
        specs = self.specs.get(stream, set())
        specs.discard(spec)
        if not specs:
            self.specs.pop(stream, None)
            await self.subscription.remove(stream)

    async def close(self) -> None:
        if self.subscription is not None:
            await self.subscription.close()

    async def receive(self, timeout: float | None = None) -> list[tuple[list[str], str, str]]:
        """(stream label, event, payload) for what the next message brings this client,
        an empty list when it brings nothing or ``timeout`` seconds pass first."""
        try:
            stream, message = await asyncio.wait_for(self.subscription.get(), timeout)
        except TimeoutError:
            return []
        event, payload = message["event"], message["payload"]
        if stream.startswith("control:"):
            await self.reload_hidden()
            return []
        if self.hidden.intersection(payload.get("accounts", ())):
            return []
        out = []
        for spec in tuple(self.specs.get(stream, ())):
            if not _accepts(spec, event):
                continue
            data = await self.render(spec, message)
            if data is not None:
                out.append((spec.label, event, data))
        return out

    async def render(self, spec: Spec, message: dict) -> str | None:
        event, payload = message["event"], message["payload"]
        host = self.request.build_absolute_uri("/")
        if event == "delete":
            return str(payload["status"])
        if event == "notification":
            return await in_thread(
                _logged(lambda: _render_notification(self.request, self.user, payload))
            )()
        if event == "conversation":
            return await in_thread(
                _logged(lambda: _render_conversation(self.request, payload["status"], self.user))
            )()
        if event in STATUS_EVENTS:
            public_only = spec.name in PUBLIC_STREAMS | HASHTAG_STREAMS

            def render() -> str | None:
                return _render_status(self.request, payload["status"], public_only=public_only)

            data = await renderer().once((message["id"], host, public_only), render)
            if data is not None and spec.name.endswith(":media"):
                if not json.loads(data)["media_attachments"]:
                    return None
            return data
        return None


# WebSocket -------------------------------------------------------------------------------


class StreamingConsumer(AsyncWebsocketConsumer):
    """``/api/v1/streaming``: Mastodon's multiplexed WebSocket."""

    async def connect(self) -> None:
        params = {k: v[-1] for k, v in parse_qs(self.scope["query_string"].decode()).items()}
        headers = {k.decode("latin-1").lower(): v.decode() for k, v in self.scope["headers"]}
        protocol = headers.get("sec-websocket-protocol", "").split(",")[0].strip()
        bearer = headers.get("authorization", "").partition(" ")[2].strip()
        token = params.get("access_token") or bearer or protocol
        user = await in_thread(stream_user)(token) if token else None
        if token and user is None:
            await self.close(code=4001)
            return
        try:
            request = _ScopeRequest(self.scope)
            request.get_host()
            first = (
                await resolve_spec(params["stream"], params, user) if params.get("stream") else None
            )
        except DisallowedHost:
            await self.close(code=4000)
            return
        except StreamError as error:
            await self.close(code=4000 + error.status)
            return
        self.listener = Listener(user=user, request=request)
        await self.listener.start()
        if first is not None:
            await self.listener.add(*first)
        # Accepted once subscribed: what is published after the handshake reaches the client.
        await self.accept(subprotocol=protocol if protocol and protocol == token else None)
        self.pump = asyncio.ensure_future(self.forward())

    async def forward(self) -> None:
        try:
            while not self.listener.subscription.overflowed:
                for label, event, data in await self.listener.receive():
                    await self.send(renderer().frame(label, event, data))
        except Exception:
            logger.exception("The stream of a WebSocket failed")
            await self.close(code=1011)
            return
        # Fell too far behind: the client reconnects and catches up from the API.
        await self.close(code=1013)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        try:
            message = json.loads(text_data or "")
            kind = message.get("type")
            name = message.get("stream")
        except (ValueError, AttributeError):
            await self.send(_dump({"error": "Invalid JSON", "status": 400}))
            return
        if kind not in {"subscribe", "unsubscribe"}:
            await self.send(_dump({"error": "Unknown message type", "status": 400}))
            return
        try:
            spec, stream = await resolve_spec(name, message, self.listener.user)
        except StreamError as error:
            await self.send(_dump({"error": error.message, "status": error.status}))
            return
        if kind == "subscribe":
            await self.listener.add(spec, stream)
        else:
            await self.listener.remove(spec, stream)

    async def disconnect(self, code: int) -> None:
        pump = getattr(self, "pump", None)
        if pump is not None:
            pump.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await pump
        listener = getattr(self, "listener", None)
        if listener is not None:
            await listener.close()


websocket_urlpatterns = [
    path("api/v1/streaming", StreamingConsumer.as_asgi()),
    path("api/v1/streaming/", StreamingConsumer.as_asgi()),
]


# Server-sent events ----------------------------------------------------------------------


def _sse(event: str, data: str) -> str:
    lines = "".join(f"data: {line}\n" for line in data.split("\n"))
    return f"event: {event}\n{lines}\n"


def _event_stream(body: AsyncIterator[str]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(body, content_type="text/event-stream; charset=utf-8")
    response["Cache-Control"] = "no-store"
    # nginx would otherwise hold the events back in its buffer.
    response["X-Accel-Buffering"] = "no"
    return response


async def _listen(listener: Listener, streams: list[tuple[Spec, str]]) -> AsyncIterator[str]:
    # Subscribed before the first byte: an event published once the client sees the stream
    # open reaches it.
    try:
        await listener.start()
        for spec, stream in streams:
            await listener.add(spec, stream)
        yield ":)\n\n"
        loop = asyncio.get_running_loop()
        quiet_since = loop.time()
        while not listener.subscription.overflowed:
            for _label, event, data in await listener.receive(HEARTBEAT_SECONDS):
                quiet_since = loop.time()
                yield _sse(event, data)
            if loop.time() - quiet_since >= HEARTBEAT_SECONDS:
                quiet_since = loop.time()
                yield ":thump\n\n"
    finally:
        await listener.close()


def _token(request: HttpRequest) -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return request.GET.get("access_token", "")


def _needs_asgi(request: HttpRequest) -> HttpResponse | None:
    """A stream served by a WSGI server (the test server, runserver) would never end and
    hold its thread: it is refused, and the web UI polls instead."""
    if isinstance(request, ASGIRequest):
        return None
    return JsonResponse({"error": "streaming_needs_asgi"}, status=503)


async def _sse_view(request: HttpRequest, name: str) -> HttpResponse:
    refused = _needs_asgi(request)
    if refused is not None:
        return refused
    token = _token(request)
    user = await in_thread(stream_user)(token) if token else None
    if token and user is None:
        return JsonResponse({"error": "Invalid access token"}, status=401)
    try:
        spec = await resolve_spec(name, request.GET, user)
    except StreamError as error:
        return JsonResponse({"error": error.message}, status=error.status)
    return _event_stream(_listen(Listener(user=user, request=request), [spec]))


def _sse_for(name: str):
    @require_GET
    async def view(request: HttpRequest) -> HttpResponse:
        return await _sse_view(request, name)

    view.__name__ = "stream_" + name.replace(":", "_")
    return view


@require_GET
async def health(request: HttpRequest) -> HttpResponse:
    return HttpResponse("OK", content_type="text/plain")


urlpatterns = [
    path("health", health, name="streaming_health"),
    *(
        path(name.replace(":", "/"), _sse_for(name), name=f"streaming_{name.replace(':', '_')}")
        for name in [
            "user",
            "user:notification",
            "public",
            "public:local",
            "public:media",
            "public:local:media",
            "hashtag",
            "hashtag:local",
            "list",
            "direct",
        ]
    ),
]


# The web UI's stream ---------------------------------------------------------------------


async def _web_events(user: User) -> AsyncIterator[str]:
    subscription = await events.subscribe(events.web_stream(user.pk), events.CAMPAIGN_DELIVERIES)
    try:
        yield ":)\n\n"
        while not subscription.overflowed:
            try:
                stream, message = await asyncio.wait_for(subscription.get(), HEARTBEAT_SECONDS)
            except TimeoutError:
                yield ":thump\n\n"
                continue
            payload = message["payload"]
            if stream == events.CAMPAIGN_DELIVERIES:
                if not payload["low"] <= user.pk <= payload["high"]:
                    continue
                follows = await in_thread(selectors.follows)(
                    follower_id=user.pk, target_id=payload["merchant"]
                )
                if not follows:
                    continue
                payload = {}
            yield _sse(message["event"], _dump(payload))
    finally:
        await subscription.close()


@require_GET
async def web_events(request: HttpRequest) -> HttpResponse:
    """``/live/events``: the logged-in person's badge and campaign events."""
    refused = _needs_asgi(request)
    if refused is not None:
        return refused
    user = await request.auser()
    if not user.is_authenticated:
        return JsonResponse({"error": "not_authenticated"}, status=401)
    return _event_stream(_web_events(user))
