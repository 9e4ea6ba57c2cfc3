"""The event bus: what happened, told to whoever listens now (Mastodon streaming, the web UI's
badges and campaign progress), once the transaction that made it has committed.

``publish(streams, event, payload)`` names the streams an event goes to (``user:5``,
``public``, ``hashtag:<tag>``, ``direct:5``, ``web:5`` …); a listener holds a ``Subscription``
to some streams and awaits ``(stream, message)`` pairs, a message being ``{"event", "payload",
"id"}``. A payload names rows (a status id, a notification id, the accounts involved), never
renders them: the streaming layer renders once per process and filters per listener.

With ``REDIS_URL`` set, messages go through Redis pub/sub, so the web processes and the task
workers share one bus: each publish is one pipelined round trip however many streams it
names, and each process holds one subscribing connection for all of its listeners. Without
Redis (the embedded default) the bus lives in the process: ``manage.py serve`` then runs the
task worker inside the web server's process (see ``config/asgi.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
import uuid
import weakref
from collections.abc import Iterable

import redis
import redis.asyncio as aredis
from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)
# Messages a listener may fall behind by before it is dropped (its client reconnects).
QUEUE_LIMIT = 1000
RECONNECT_FIRST_DELAY = 0.5
RECONNECT_MAX_DELAY = 10.0
# Seconds Redis has to confirm a subscription before the listener gives up (its client retries).
CONFIRM_TIMEOUT = 10.0


# Stream names -----------------------------------------------------------------------------


def user_stream(user_id: int) -> str:
    """A user's home: posts of accounts they follow and their own, and their notifications."""
    return f"user:{user_id}"


def direct_stream(user_id: int) -> str:
    return f"direct:{user_id}"


def list_stream(list_id: int) -> str:
    """A list's timeline: what its members post that its owner may read."""
    return f"list:{list_id}"


def hashtag_stream(tag: str) -> str:
    return f"hashtag:{tag.lower()}"


def web_stream(user_id: int) -> str:
    """The logged-in web UI's own events (badges, campaign progress) for one account."""
    return f"web:{user_id}"


def control_stream(user_id: int) -> str:
    """What every listener of one account hears whatever it streams (its blocks and mutes)."""
    return f"control:{user_id}"


PUBLIC = "public"
# A campaign chunk's deliveries: every web listener checks whether it was among them.
CAMPAIGN_DELIVERIES = "campaign-deliveries"


# Publishing ------------------------------------------------------------------------------


def publish(streams: Iterable[str], event: str, payload: dict) -> None:
    """Tell ``streams`` of ``event`` once the current transaction commits (at once outside
    one); a rolled-back write tells nobody. A bus that is down loses the event, never the
    write: listeners catch up by reading the API."""
    names = list(dict.fromkeys(streams))
    if not names:
        return
    message = {"id": uuid.uuid4().hex, "event": event, "payload": payload}
    transaction.on_commit(lambda: _send(names, message))


def _send(streams: list[str], message: dict) -> None:
    try:
        bus().send(streams, message)
    except Exception:  # noqa: BLE001 - the write has committed; the event is only a hint
        logger.exception("Could not publish %s to %d streams", message["event"], len(streams))


# Subscriptions ---------------------------------------------------------------------------


class Subscription:
    """One listener's streams and the queue of what arrives on them (in its event loop)."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.streams: set[str] = set()
        self.queue: asyncio.Queue = asyncio.Queue()
        self.overflowed = False

    async def add(self, *streams: str) -> None:
        for stream in streams:
            if stream not in self.streams:
                self.streams.add(stream)
                await self.hub.attach(self, stream)

    async def remove(self, *streams: str) -> None:
        for stream in streams:
            if stream in self.streams:
                self.streams.discard(stream)
                await self.hub.detach(self, stream)

    async def get(self) -> tuple[str, dict]:
        return await self.queue.get()

    async def close(self) -> None:
        await self.remove(*list(self.streams))

    def put(self, stream: str, message: dict) -> None:
        if self.queue.qsize() >= QUEUE_LIMIT:
            self.overflowed = True
            return
        self.queue.put_nowait((stream, message))


class Hub:
    """The listeners of one event loop, by stream."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.listeners: dict[str, set[Subscription]] = {}

    def subscription(self) -> Subscription:
        return Subscription(self)

    async def attach(self, subscription: Subscription, stream: str) -> None:
        listeners = self.listeners.setdefault(stream, set())
        listeners.add(subscription)
        if len(listeners) == 1:
            await self.first_listener(stream)

    async def detach(self, subscription: Subscription, stream: str) -> None:
        listeners = self.listeners.get(stream)
        if not listeners:
            return
        listeners.discard(subscription)
        if not listeners:
            del self.listeners[stream]
            await self.last_listener_gone(stream)

    async def first_listener(self, stream: str) -> None:
        """Hook: start receiving ``stream`` in this process."""

    async def last_listener_gone(self, stream: str) -> None:
        """Hook: stop receiving ``stream`` in this process."""

    def deliver(self, streams: list[str], message: dict) -> None:
        for stream in streams:
            for subscription in tuple(self.listeners.get(stream, ())):
                subscription.put(stream, message)


class InProcessBus:
    """One process's bus: a publish from any thread reaches every event loop's listeners."""

    def __init__(self) -> None:
        self._hubs: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def hub(self) -> Hub:
        loop = asyncio.get_running_loop()
        with self._lock:
            hub = self._hubs.get(loop)
            if hub is None:
                hub = self._hubs[loop] = Hub(loop)
        return hub

    def send(self, streams: list[str], message: dict) -> None:
        with self._lock:
            hubs = list(self._hubs.values())
        for hub in hubs:
            if not any(stream in hub.listeners for stream in streams):
                continue
            with contextlib.suppress(RuntimeError):  # its loop has closed
                hub.loop.call_soon_threadsafe(hub.deliver, streams, message)


class RedisHub(Hub):
    """A loop's listeners fed by one Redis pub/sub connection, subscribed to the streams they
    listen to; a subscription is in place (confirmed by Redis) before ``add`` returns."""

    def __init__(self, loop: asyncio.AbstractEventLoop, url: str, prefix: str) -> None:
        super().__init__(loop)
        self.prefix = prefix
        self.client = aredis.Redis.from_url(url)
        self.pubsub = self.client.pubsub()
        self.confirmations: dict[str, asyncio.Future] = {}
        self.reader: asyncio.Task | None = None
        self.commands = asyncio.Lock()
        self._last_data: bytes | None = None
        self._last_message: dict = {}

    async def first_listener(self, stream: str) -> None:
        channel = self.prefix + stream
        confirmed = self.loop.create_future()
        self.confirmations[channel] = confirmed
        # One command at a time: redis-py's pub/sub connection is made by the first one, and
        # two made at once would leave one's subscriptions on a connection nobody reads.
        async with self.commands:
            await self.pubsub.subscribe(channel)
        if self.reader is None or self.reader.done():
            self.reader = self.loop.create_task(self.read())
        try:
            await asyncio.wait_for(asyncio.shield(confirmed), CONFIRM_TIMEOUT)
        except TimeoutError:
            self.confirmations.pop(channel, None)
            raise

    async def last_listener_gone(self, stream: str) -> None:
        with contextlib.suppress(redis.RedisError, OSError):
            async with self.commands:
                await self.pubsub.unsubscribe(self.prefix + stream)

    async def read(self) -> None:
        delay = RECONNECT_FIRST_DELAY
        while self.listeners or self.confirmations:
            try:
                item = await self.pubsub.get_message(timeout=1.0)
            except (redis.RedisError, OSError) as error:
                # redis-py subscribes again to every channel when it reconnects.
                logger.warning("The event bus lost Redis (%s); retrying in %.1fs", error, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, RECONNECT_MAX_DELAY)
                continue
            delay = RECONNECT_FIRST_DELAY
            if item is None:
                continue
            channel = item["channel"].decode()
            if item["type"] == "subscribe":
                confirmed = self.confirmations.pop(channel, None)
                if confirmed is not None and not confirmed.done():
                    confirmed.set_result(True)
            elif item["type"] == "message":
                self.deliver([channel.removeprefix(self.prefix)], self.decode(item["data"]))

    def decode(self, data: bytes) -> dict:
        """A message as a dict; one publish to many streams arrives as the same bytes on each
        channel in a row, and is decoded once (listeners only read it)."""
        if data != self._last_data:
            self._last_data, self._last_message = data, json.loads(data)
        return self._last_message


class RedisBus:
    def __init__(self, url: str, prefix: str) -> None:
        self.url = url
        self.prefix = prefix
        self.client = redis.Redis.from_url(url)
        self._hubs: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def hub(self) -> Hub:
        loop = asyncio.get_running_loop()
        hub = self._hubs.get(loop)
        if hub is None:
            hub = self._hubs[loop] = RedisHub(loop, self.url, self.prefix)
        return hub

    def send(self, streams: list[str], message: dict) -> None:
        data = json.dumps(message, separators=(",", ":"))
        pipeline = self.client.pipeline(transaction=False)
        for stream in streams:
            pipeline.publish(self.prefix + stream, data)
        pipeline.execute()


_bus: InProcessBus | RedisBus | None = None
_bus_settings: tuple[str, str] | None = None
_bus_lock = threading.Lock()


def bus() -> InProcessBus | RedisBus:
    """The process's bus, as the settings say (made again when they change, as in tests)."""
    global _bus, _bus_settings
    wanted = (settings.REDIS_URL, settings.EVENTS_CHANNEL_PREFIX)
    with _bus_lock:
        if _bus is None or _bus_settings != wanted:
            _bus = RedisBus(*wanted) if wanted[0] else InProcessBus()
            _bus_settings = wanted
        return _bus


async def subscribe(*streams: str) -> Subscription:
    """A subscription in the running event loop, already listening to ``streams``."""
    subscription = bus().hub().subscription()
    await subscription.add(*streams)
    return subscription
