"""`manage.py serve`: the web server, the task worker and the periodic sweeper together,
stopped together.

All three run as child processes in their own process group, so a Ctrl-C in the terminal
reaches only this command, which forwards it once (a second SIGINT would make the worker
abandon the task it is running).
"""

import signal
import socket
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from infoconnect.core.management.demo import DEMO_PASSWORD, demo_is_seeded, demo_logins

STOP_TIMEOUT = 10.0
POLL_SECONDS = 0.2


def _accepts_connections(addr: str, port: int) -> bool:
    host = "127.0.0.1" if addr in ("0.0.0.0", "") else ("::1" if addr == "::" else addr)
    try:
        with socket.create_connection((host, port), timeout=POLL_SECONDS):
            return True
    except OSError:
        return False


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
            help="Serve with gunicorn instead of Django's development server.",
        )
        parser.add_argument("--web-workers", type=int, default=2, help="gunicorn worker processes.")
        parser.add_argument(
            "--stop-timeout",
            type=float,
            default=STOP_TIMEOUT,
            help="Seconds to wait for the children to stop before killing them.",
        )

    def child_commands(self, options: dict) -> dict[str, list[str]]:
        """The two children, by the name used when one of them fails."""
        manage = str(settings.BASE_DIR / "manage.py")
        bind = f"{options['addr']}:{options['port']}"
        if options["gunicorn"]:
            web = [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi:application",
                "--bind",
                bind,
                "--workers",
                str(options["web_workers"]),
                "--access-logfile",
                "-",
            ]
        else:
            web = [sys.executable, manage, "runserver", "--noreload", bind]
        # One worker serves every queue, so nothing queued in the demo waits forever.
        worker = [sys.executable, manage, "db_worker", "--no-reload", "--queue-name", "*"]
        periodic = [sys.executable, manage, "periodic"]
        return {"web server": web, "task worker": worker, "periodic sweeper": periodic}

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
        children: dict[str, subprocess.Popen] = {}
        try:
            for name, command in self.child_commands(options).items():
                children[name] = subprocess.Popen(command, cwd=settings.BASE_DIR, process_group=0)
            failed = self._wait(children, options["addr"], options["port"])
        finally:
            self._stop(children, self.stop_signal or signal.SIGTERM, options["stop_timeout"])
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        if failed:
            name, code = failed
            raise CommandError(f"The {name} exited with status {code}; stopped everything.")
        self.stdout.write("Stopped.")

    def _on_signal(self, signum: int, frame) -> None:
        self.stop_signal = signum

    def _wait(
        self, children: dict[str, subprocess.Popen], addr: str, port: int
    ) -> tuple[str, int] | None:
        """Until a signal arrives (None) or a child exits ((its name, its status)); the
        banner shows once the server accepts connections, below the children's start-up lines."""
        announced = False
        while self.stop_signal is None:
            for name, child in children.items():
                code = child.poll()
                if code is not None:
                    return name, code
            if not announced and _accepts_connections(addr, port):
                self._banner(addr, port)
                announced = True
            time.sleep(POLL_SECONDS)
        return None

    def _stop(self, children: dict[str, subprocess.Popen], signum: int, timeout: float) -> None:
        running = [child for child in children.values() if child.poll() is None]
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
