"""The event bus: a publish reaches the listeners of its streams once its transaction commits,
never when it rolls back (on Redis when REDIS_URL is set, in the process otherwise); and
`manage.py serve` puts the task worker where the bus can carry what its tasks publish."""

import asyncio
import os
import time

import pytest
from asgiref.sync import sync_to_async
from django.db import transaction

from config.asgi import EmbeddedWorker, Lifespan
from infoconnect.core import events
from infoconnect.core.management.commands import serve
from infoconnect.core.testing import run_async

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _own_channels(settings):
    settings.EVENTS_CHANNEL_PREFIX = f"test-events-{time.monotonic_ns()}:"


def _write(streams: list[str], fail: bool = False) -> None:
    with transaction.atomic():
        events.publish(streams, "update", {"status": 7})
        if fail:
            raise ValueError("rolled back")


def test_a_publish_reaches_its_streams_after_commit_and_never_after_a_rollback():
    async def scenario():
        listener = await events.subscribe("user:1", "public")
        other = await events.subscribe("user:2")
        with pytest.raises(ValueError):
            await sync_to_async(_write)(["user:1"], fail=True)
        await sync_to_async(_write)(["user:1", "public", "user:1"])
        received = [await asyncio.wait_for(listener.get(), 5) for _ in range(2)]
        assert sorted(stream for stream, _message in received) == ["public", "user:1"]
        assert {m["event"] for _s, m in received} == {"update"}
        assert {m["payload"]["status"] for _s, m in received} == {7}
        # One publish, one message id on every stream it names.
        assert len({m["id"] for _s, m in received}) == 1
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(listener.get(), 0.5)
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(other.get(), 0.1)
        await listener.remove("public")
        await sync_to_async(_write)(["public"])
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(listener.get(), 0.5)
        await listener.close()
        await other.close()

    run_async(scenario())


def test_the_bus_is_redis_when_redis_url_is_set(settings):
    settings.REDIS_URL = ""
    assert isinstance(events.bus(), events.InProcessBus)
    settings.REDIS_URL = "redis://127.0.0.1:6379/7"
    assert isinstance(events.bus(), events.RedisBus)


def test_without_redis_serve_runs_the_worker_inside_the_web_server(settings):
    settings.REDIS_URL = ""
    command = serve.Command()
    options = {"addr": "127.0.0.1", "port": 8000, "gunicorn": False, "web_workers": 4}
    children = command.child_commands(options)
    assert list(children) == ["web server", "periodic sweeper"]
    assert children["web server"][1:] == [
        "-m",
        "uvicorn",
        "config.asgi:application",
        "--host",
        "127.0.0.1",
        "--port",
        "8000",
        "--lifespan",
        "on",
    ]
    assert command.child_environment("web server")[serve.EMBEDDED_WORKER_ENV] == "1"
    assert command.child_environment("periodic sweeper") is None
    gunicorn = command.child_commands({**options, "gunicorn": True})["web server"]
    # One process: a second would have a bus of its own.
    assert gunicorn[gunicorn.index("--workers") + 1] == "1"
    assert "uvicorn.workers.UvicornWorker" in gunicorn


def test_with_redis_the_worker_is_a_process_of_its_own(settings):
    settings.REDIS_URL = "redis://127.0.0.1:6379/7"
    command = serve.Command()
    options = {"addr": "0.0.0.0", "port": 8000, "gunicorn": True, "web_workers": 4}
    children = command.child_commands(options)
    assert list(children) == ["web server", "task worker", "periodic sweeper"]
    assert children["web server"][children["web server"].index("--workers") + 1] == "4"
    assert command.child_environment("web server") is None


def test_the_lifespan_starts_and_stops_the_embedded_worker(monkeypatch):
    started = []
    monkeypatch.setenv(serve.EMBEDDED_WORKER_ENV, "1")
    monkeypatch.setattr(EmbeddedWorker, "start", lambda self: started.append(self))
    monkeypatch.setattr(EmbeddedWorker, "stop", lambda self: started.append("stopped"))

    async def scenario():
        inbox = asyncio.Queue()
        for message in ("lifespan.startup", "lifespan.shutdown"):
            inbox.put_nowait({"type": message})
        sent = []

        async def send(message):
            sent.append(message["type"])

        await Lifespan(None)({"type": "lifespan"}, inbox.get, send)
        return sent

    assert run_async(scenario()) == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    assert isinstance(started[0], EmbeddedWorker) and started[1] == "stopped"
    assert started[0].worker.queue_names == ["*"]
    assert os.environ[serve.EMBEDDED_WORKER_ENV] == "1"
