"""`manage.py serve`: the web server, the task worker and the periodic sweeper together,
stopped together.

The web server is uvicorn serving ``config.asgi`` (pages, the API and the streaming API), or
gunicorn with uvicorn workers for ``--gunicorn``. With Redis the task worker is a process of its
own and publishes to the web server's listeners through Redis; without it the event bus lives in
one process, so the worker runs inside the web server's (one) process instead.

All three run as child processes in their own process group, so a Ctrl-C in the terminal
reaches only this command, which forwards it once (a second SIGINT would make the worker
abandon the task it is running). A child that dies is started again, after a pause that
doubles each time it dies soon after starting (up to ``RESTART_MAX_DELAY``), so a database
restart or a crash takes nothing down for good.
"""

import logging
import os
import signal
import socket
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from infoconnect.core.management.demo import DEMO_PASSWORD, demo_is_seeded, demo_logins

logger = logging.getLogger(__name__)
# Read by config/asgi.py: run the task worker in the web server's process.
EMBEDDED_WORKER_ENV = "INFOCONNECT_EMBEDDED_WORKER"
STOP_TIMEOUT = 10.0
POLL_SECONDS = 0.2
RESTART_FIRST_DELAY = 1.0
RESTART_MAX_DELAY = 30.0


def _accepts_connections(addr: str, port: int) -> bool:
    host = "127.0.0.1" if addr in ("0.0.0.0", "") else ("::1" if addr == "::" else addr)
    try:
        with socket.create_connection((host, port), timeout=POLL_SECONDS):
            return True
    except OSError:
        return False


class Child:
    """One child process, started again after a pause when it exits."""

    def __init__(self, name: str, command: list[str], env: dict | None = None) -> None:
        self.name = name
        self.command = command
        self.env = env
        self.delay = RESTART_FIRST_DELAY
        self.process: subprocess.Popen | None = None
        self.restart_at: float | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            self.command, cwd=settings.BASE_DIR, process_group=0, env=self.env
        )
        self.started = time.monotonic()
        self.restart_at = None

    def watch(self) -> None:
        now = time.monotonic()
        if self.restart_at is not None:
            if now >= self.restart_at:
                self.start()
            return
        code = self.process.poll()
        if code is None:
            return
        # One that ran for a while is not failing at start: no reason to wait long.
        if now - self.started > RESTART_MAX_DELAY:
            self.delay = RESTART_FIRST_DELAY
        logger.warning(
            "The %s exited with status %s; starting it again in %gs", self.name, code, self.delay
        )
        self.restart_at = now + self.delay
        self.delay = min(self.delay * 2, RESTART_MAX_DELAY)


class Command(BaseCommand):
    help = (
        "Run the web server, the task worker and the periodic sweeps; Ctrl-C or SIGTERM stops them."
    )
    # Both children run Django's checks themselves.
    requires_system_checks = []

    def add_arguments(self, parser) -> None:
        parser.add_argument("--addr", default="127.0.0.1", help="Address to listen on.")
        parser.add_argument("--port", type=int, default=8000, help="Port to listen on.")
        parser.add_argument(
            "--gunicorn",
            action="store_true",
            help="Serve with gunicorn and uvicorn workers instead of a single uvicorn process.",
        )
        parser.add_argument("--web-workers", type=int, default=2, help="gunicorn worker processes.")
        parser.add_argument(
            "--stop-timeout",
            type=float,
            default=STOP_TIMEOUT,
            help="Seconds to wait for the children to stop before killing them.",
        )

    def child_commands(self, options: dict) -> dict[str, list[str]]:
        """The children, by the name used when one of them fails."""
        manage = str(settings.BASE_DIR / "manage.py")
        shared_bus = bool(settings.REDIS_URL)
        if options["gunicorn"]:
            # Without Redis each process would have a bus of its own: one process then.
            workers = options["web_workers"] if shared_bus else 1
            web = [
                sys.executable,
                "-m",
                "gunicorn",
                "config.asgi:application",
                "--worker-class",
                "uvicorn.workers.UvicornWorker",
                "--bind",
                f"{options['addr']}:{options['port']}",
                "--workers",
                str(workers),
                "--access-logfile",
                "-",
            ]
        else:
            web = [
                sys.executable,
                "-m",
                "uvicorn",
                "config.asgi:application",
                "--host",
                options["addr"],
                "--port",
                str(options["port"]),
                "--lifespan",
                "on",
            ]
        children = {"web server": web}
        if shared_bus:
            # One worker serves every queue, so nothing queued in the demo waits forever.
            children["task worker"] = [
                sys.executable,
                manage,
                "task_worker",
                "--no-reload",
                "--queue-name",
                "*",
            ]
        children["periodic sweeper"] = [sys.executable, manage, "periodic"]
        return children

    def child_environment(self, name: str) -> dict | None:
        """The web server runs the task worker itself when there is no Redis to share."""
        if name != "web server" or settings.REDIS_URL:
            return None
        return {**os.environ, EMBEDDED_WORKER_ENV: "1"}

    def handle(self, *args, **options) -> None:
        # Otherwise the banner would announce whatever already listens there.
        if _accepts_connections(options["addr"], options["port"]):
            raise CommandError(
                f"Something already listens on {options['addr']}:{options['port']}; "
                "stop it or choose another --port."
            )
        self.stop_signal: int | None = None
        previous = {
            signum: signal.signal(signum, self._on_signal)
            for signum in (signal.SIGINT, signal.SIGTERM)
        }
        children = [
            Child(name, command, self.child_environment(name))
            for name, command in self.child_commands(options).items()
        ]
        try:
            for child in children:
                child.start()
            self._wait(children, options["addr"], options["port"])
        finally:
            self._stop(children, self.stop_signal or signal.SIGTERM, options["stop_timeout"])
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        self.stdout.write("Stopped.")

    def _on_signal(self, signum: int, frame) -> None:
        self.stop_signal = signum

    def _wait(self, children: list[Child], addr: str, port: int) -> None:
        """Until a signal arrives, starting again each child that exits; the banner shows once
        the server accepts connections, below the children's start-up lines."""
        announced = False
        while self.stop_signal is None:
            for child in children:
                child.watch()
            if not announced and _accepts_connections(addr, port):
                self._banner(addr, port)
                announced = True
            time.sleep(POLL_SECONDS)

    def _stop(self, children: list[Child], signum: int, timeout: float) -> None:
        processes = [child.process for child in children if child.process is not None]
        running = [process for process in processes if process.poll() is None]
        for child in running:
            child.send_signal(signum)
        deadline = time.monotonic() + timeout
        for child in running:
            try:
                child.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()

    def _banner(self, addr: str, port: int) -> None:
        host = "127.0.0.1" if addr in ("0.0.0.0", "") else ("::1" if addr == "::" else addr)
        if ":" in host:
            host = f"[{host}]"
        url = f"http://{host}:{port}"
        out = self.stdout
        out.write("")
        out.write(self.style.SUCCESS(f"InfoConnect is running at {url}/"))
        out.write(f"  Admin (operators): {url}/admin/")
        if demo_is_seeded():
            out.write(f"  Demo logins (password {DEMO_PASSWORD}, demo only):")
            for what, username in demo_logins():
                out.write(f"    {what:<28} {username}")
        out.write("  Press Ctrl-C to stop the web server, the task worker and the periodic sweeps.")
        out.write("")
