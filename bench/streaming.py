"""Streaming fan-out: 1,000 WebSocket clients, each on its own home (``user``) stream of an
account that follows one author, against uvicorn serving config.asgi in its own process, with
the event bus on Redis. The author posts through the action (as the web and the API do); each
sample is the time from the post's commit to one client's receipt of its ``update`` event.

Baseline, in the same run and the same event loop: Redis pub/sub itself, 1,000 subscribers
each on a channel of its own and one pipelined PUBLISH to all of them, timed from the publish
to each subscriber's receipt. The ratio is baseline / value (1.0 = no cost over raw Redis).

REDIS_URL chooses the Redis (default redis://127.0.0.1:6379/0); BENCH_STREAMS another number
of streams.
"""

import asyncio
import os
import socket
import subprocess
import sys
import time
import urllib.request

from common import ROOT, emit, percentile, setup_django

N_STREAMS = int(os.environ.get("BENCH_STREAMS", "1000"))
ROUNDS = 20
WARMUP = 2
TARGET_MS = 200
PREFIX = "st_"
CONNECT_BATCH = 100


def log(message: str) -> None:
    print(f"# streaming: {message}", file=sys.stderr, flush=True)


def accounts() -> tuple[object, list[str]]:
    """The author and a token for each of its N_STREAMS followers (made once, then reused)."""
    from infoconnect.accounts.models import AccessToken, User
    from infoconnect.accounts.tokens import new_token_key
    from infoconnect.social import actions

    author, _ = User.objects.get_or_create(username=f"{PREFIX}author")
    # Earlier runs' tokens are not needed again.
    AccessToken.objects.filter(name="bench", user__username__startswith=PREFIX).delete()
    tokens = []
    for i in range(1, N_STREAMS + 1):
        follower, made = User.objects.get_or_create(username=f"{PREFIX}{i}")
        if made:
            actions.follow(follower=follower, target=author)
        key = new_token_key()
        AccessToken.objects.create(
            user=follower, name="bench", key_hash=AccessToken.hash_key(key), hint=key[:7]
        )
        tokens.append(key)
    return author, tokens


def start_server(env: dict) -> tuple[subprocess.Popen, int]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "config.asgi:application", "--port", str(port)]
        + ["--log-level", "warning", "--ws-ping-interval", "0"],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/streaming/health"):
                return server, port
        except OSError:
            time.sleep(0.5)
    server.kill()
    raise RuntimeError("uvicorn did not start")


async def connect_all(port: int, tokens: list[str]) -> list:
    import websockets

    clients = []
    for start in range(0, len(tokens), CONNECT_BATCH):
        batch = tokens[start : start + CONNECT_BATCH]
        clients += await asyncio.gather(
            *(
                websockets.connect(
                    f"ws://127.0.0.1:{port}/api/v1/streaming?stream=user&access_token={t}",
                    ping_interval=None,
                    open_timeout=60,
                )
                for t in batch
            )
        )
    return clients


async def streaming_samples(author, clients: list) -> list[float]:
    from django.db import transaction

    from infoconnect.social import actions

    samples: list[float] = []
    committed: dict[str, float] = {}

    def post(n: int) -> None:
        with transaction.atomic():
            # Registered first, so it runs at the commit, before the publish.
            transaction.on_commit(lambda: committed.__setitem__("at", time.perf_counter()))
            actions.create_post(author=author, text=f"Bench post {n}")

    async def receive(ws) -> float:
        await asyncio.wait_for(ws.recv(), 30)
        return time.perf_counter()

    for n in range(WARMUP + ROUNDS):
        waiting = [asyncio.ensure_future(receive(ws)) for ws in clients]
        await asyncio.to_thread(post, n)
        received = await asyncio.gather(*waiting)
        if n >= WARMUP:
            samples += [(at - committed["at"]) * 1000 for at in received]
    return samples


async def redis_samples(url: str) -> list[float]:
    import redis
    import redis.asyncio as aredis

    channels = [f"bench:streaming:{i}" for i in range(N_STREAMS)]
    subscribers = []
    for channel in channels:
        client = aredis.Redis.from_url(url)
        pubsub = client.pubsub()
        await pubsub.subscribe(channel)
        await pubsub.get_message(timeout=5)  # the subscribe confirmation
        subscribers.append((client, pubsub))
    publisher = redis.Redis.from_url(url)
    samples: list[float] = []

    async def receive(pubsub) -> float:
        while True:
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=30)
            if message is not None:
                return time.perf_counter()

    def publish() -> float:
        pipeline = publisher.pipeline(transaction=False)
        for channel in channels:
            pipeline.publish(channel, '{"event":"update","payload":{"status":1}}')
        start = time.perf_counter()
        pipeline.execute()
        return start

    for n in range(WARMUP + ROUNDS):
        waiting = [asyncio.ensure_future(receive(p)) for _c, p in subscribers]
        start = await asyncio.to_thread(publish)
        received = await asyncio.gather(*waiting)
        if n >= WARMUP:
            samples += [(at - start) * 1000 for at in received]
    for client, pubsub in subscribers:
        await pubsub.aclose()
        await client.aclose()
    return samples


def main() -> int:
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
    os.environ.setdefault("EVENTS_CHANNEL_PREFIX", f"bench:{os.getpid()}:")
    vendor = setup_django()
    log(f"{N_STREAMS} followers and their tokens")
    author, tokens = accounts()
    server, port = start_server(dict(os.environ))
    try:

        async def run() -> tuple[list[float], list[float]]:
            log("opening the WebSockets")
            clients = await connect_all(port, tokens)
            # Give the server a moment to finish every subscription.
            await asyncio.sleep(1)
            log(f"{ROUNDS} posts to {len(clients)} streams")
            measured = await streaming_samples(author, clients)
            await asyncio.gather(*(ws.close() for ws in clients))
            log("raw Redis pub/sub baseline")
            baseline = await redis_samples(os.environ["REDIS_URL"])
            return measured, baseline

        measured, baseline = asyncio.run(run())
    finally:
        server.terminate()
        server.wait(10)
    value, base = percentile(measured, 99), percentile(baseline, 99)
    emit(
        "streaming.fanout_ms",
        value,
        "ms",
        base,
        base / value,
        vendor=vendor,
        streams=N_STREAMS,
        runs=ROUNDS,
        p50_ms=round(percentile(measured, 50), 3),
        target_ms=TARGET_MS,
    )
    return 0 if value <= TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
