"""The ASGI application: Django for HTTP (pages, the API, server-sent events) and the
streaming API's WebSocket, as ``manage.py serve`` runs them under uvicorn.

Without Redis the event bus lives in one process, so ``serve`` asks this process to run the
task worker as well (``INFOCONNECT_EMBEDDED_WORKER=1``): it starts with the server's lifespan
and stops with it, and what its tasks publish reaches this process's listeners.
"""

import asyncio
import os
import threading

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_application = get_asgi_application()

# After setup: these import models.
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.utils.crypto import get_random_string  # noqa: E402

from infoconnect.api.streaming import websocket_urlpatterns  # noqa: E402
from infoconnect.core.management.commands.serve import EMBEDDED_WORKER_ENV  # noqa: E402
from infoconnect.core.runtime import tune_garbage_collector  # noqa: E402
from infoconnect.core.workers import Worker  # noqa: E402

WORKER_STOP_TIMEOUT = 10.0

tune_garbage_collector()


class EmbeddedWorker:
    """The task worker as a thread of the web server's process (every queue)."""

    def __init__(self) -> None:
        self.worker = Worker(
            queue_names=["*"],
            excluded_queue_names=[],
            batch=False,
            interval=1,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=get_random_string(32),
        )
        self.thread = threading.Thread(target=self.worker.run, name="task-worker", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        # It finishes the task it runs, then leaves its loop.
        self.worker.running = False
        self.thread.join(WORKER_STOP_TIMEOUT)


class Lifespan:
    """Starts the embedded worker with the server when asked to, and stops it with it."""

    def __init__(self, application) -> None:
        self.application = application

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "lifespan":
            await self.application(scope, receive, send)
            return
        worker = None
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                if os.environ.get(EMBEDDED_WORKER_ENV) == "1":
                    worker = EmbeddedWorker()
                    worker.start()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if worker is not None:
                    await asyncio.to_thread(worker.stop)
                await send({"type": "lifespan.shutdown.complete"})
                return


application = Lifespan(
    ProtocolTypeRouter({"http": django_application, "websocket": URLRouter(websocket_urlpatterns)})
)
