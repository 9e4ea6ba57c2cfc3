"""`manage.py periodic`: the platform's periodic work, for a deployment without cron.

Every few seconds it runs whichever of the cron-safe commands in ``settings.PERIODIC_COMMANDS``
are due: unpaid orders expire, shipped orders confirm themselves, lost campaign sends resume,
tasks a killed worker left running are queued again.
Each of those commands is safe to run twice and on several machines at once, so running this
beside every worker (as ``manage.py serve`` does) needs no coordination.

The process outlives the database: before each command a connection the server dropped is
replaced, and a command that failed is tried again after ``RETRY_SECONDS`` rather than a whole
period later.
"""

import logging
import signal
import time

from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError

from infoconnect.core.jobs import close_broken_connections

logger = logging.getLogger(__name__)
TICK_SECONDS = 1.0
RETRY_SECONDS = 10.0


class Command(BaseCommand):
    help = (
        "Run the periodic sweeps (settings.PERIODIC_COMMANDS) until stopped; --once runs each once."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--once", action="store_true", help="Run every sweep once and exit.")

    def handle(self, *args, **options) -> None:
        schedule = list(settings.PERIODIC_COMMANDS)
        known = get_commands()
        unknown = [name for name, _seconds in schedule if name not in known]
        if unknown:
            raise CommandError(f"PERIODIC_COMMANDS names unknown commands: {', '.join(unknown)}")
        if options["once"]:
            for name, _seconds in schedule:
                self._run(name)
            return
        self.stopping = False
        previous = {
            signum: signal.signal(signum, self._on_signal)
            for signum in (signal.SIGINT, signal.SIGTERM)
        }
        try:
            due = dict.fromkeys((name for name, _seconds in schedule), 0.0)
            while not self.stopping:
                now = time.monotonic()
                for name, seconds in schedule:
                    if now >= due[name]:
                        wait = seconds if self._run(name) else min(seconds, RETRY_SECONDS)
                        due[name] = time.monotonic() + wait
                time.sleep(TICK_SECONDS)
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    def _on_signal(self, signum: int, frame) -> None:
        # Finish the sweep in hand, then stop.
        self.stopping = True

    def _run(self, name: str) -> bool:
        # A connection the server dropped since the last command is replaced, not reused.
        close_broken_connections()
        try:
            call_command(name, stdout=self.stdout, stderr=self.stderr)
            return True
        except Exception:
            # One failing sweep must not stop the others; a later round tries it again.
            logger.exception("Periodic command %s failed", name)
            return False
