"""Task workers that outlive a database fault, and the reclaim of tasks a dead worker left.

``manage.py task_worker`` runs django_tasks_db's worker with two changes. A transient database
error between tasks (a dropped connection, a database restarting) no longer ends the process:
the worker logs it, closes the connection and resumes after a back-off. And on PostgreSQL its
database session is named after its worker id (``application_name``), so anyone can tell
whether the worker that claimed a task is still there.

A worker killed while running a task leaves the task's row RUNNING. ``reclaim_stale_tasks``
(``manage.py reclaim_tasks``, run by ``periodic``) puts such a row back to READY once it has
run for ``settings.TASK_RUNNING_TIMEOUT`` seconds and, on PostgreSQL, no session carries its
worker's name any more (on SQLite, one machine, the age alone decides). A worker is not told
apart by a row lock: the worker commits its claim before it runs the task, so a live worker
holds no lock on its row. A task that runs again is safe: every task is safe to run twice.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connections
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from infoconnect.core.jobs import TRANSIENT_ERRORS, close_broken_connections

logger = logging.getLogger(__name__)
SESSION_PREFIX = "worker:"
# PostgreSQL keeps the first 63 bytes of an application_name.
SESSION_NAME_LENGTH = 63
RESUME_FIRST_DELAY = 0.5
RESUME_MAX_DELAY = 10.0
RECLAIM_BATCH = 500


def session_name(worker_id: str) -> str:
    return f"{SESSION_PREFIX}{worker_id}"[:SESSION_NAME_LENGTH]


def put_back(task_id, *, started_at: datetime) -> bool:
    """RUNNING -> READY for the run that started at ``started_at`` (not a later one)."""
    return bool(
        DBTaskResult.objects.filter(
            pk=task_id, status=TaskResultStatus.RUNNING, started_at=started_at
        ).update(status=TaskResultStatus.READY, started_at=None)
    )


class Worker(db_worker.Worker):
    """django_tasks_db's worker, resumed after a transient database error instead of exiting.

    One per process: it names the process's database sessions.
    """

    unrecorded: DBTaskResult | None = None

    def run(self) -> None:
        self.name_sessions()
        delay = RESUME_FIRST_DELAY
        while True:
            started = time.monotonic()
            try:
                self.put_back_unrecorded()
                super().run()
                return
            except TRANSIENT_ERRORS as error:
                if not self.running:
                    return  # stopping anyway; the reclaim frees a task whose outcome was lost
                if time.monotonic() - started > RESUME_MAX_DELAY:
                    delay = RESUME_FIRST_DELAY
                logger.warning(
                    "Worker %s lost the database (%s); resuming in %.1fs",
                    self.worker_id,
                    str(error).strip(),
                    delay,
                )
            close_broken_connections()
            time.sleep(delay)
            delay = min(delay * 2, RESUME_MAX_DELAY)

    def run_task(self, db_task_result: DBTaskResult) -> None:
        try:
            super().run_task(db_task_result)
        except TRANSIENT_ERRORS:
            # The task ran but its outcome could not be written: it runs again once the
            # database is back (this worker is alive, so the reclaim would not free it).
            self.unrecorded = db_task_result
            raise

    def put_back_unrecorded(self) -> None:
        if self.unrecorded is None:
            return
        task = self.unrecorded
        if put_back(task.pk, started_at=task.started_at):
            logger.warning("Task id=%s lost its outcome with the database; it runs again", task.pk)
        self.unrecorded = None

    def name_sessions(self) -> None:
        connection = connections[DBTaskResult.objects.db]
        if connection.vendor == "postgresql":
            connection.close()
            options = connection.settings_dict.setdefault("OPTIONS", {})
            options["application_name"] = session_name(self.worker_id)


def live_sessions() -> set[str] | None:
    """The names of the workers' sessions open now; None where the database cannot tell."""
    connection = connections[DBTaskResult.objects.db]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT application_name FROM pg_stat_activity"
            " WHERE datname = current_database() AND application_name LIKE %s",
            [f"{SESSION_PREFIX}%"],
        )
        return {name for (name,) in cursor.fetchall()}


def reclaim_stale_tasks(*, now: datetime | None = None) -> int:
    """Put back to READY each task RUNNING for longer than TASK_RUNNING_TIMEOUT whose worker is
    gone; returns how many. A live worker's session may blink (a reconnect) as this looks: its
    task then runs twice, which every task is safe to do."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.TASK_RUNNING_TIMEOUT)
    stale = list(
        DBTaskResult.objects.running()
        .filter(started_at__lt=cutoff)
        .order_by("started_at")
        .values_list("pk", "started_at", "worker_ids")[:RECLAIM_BATCH]
    )
    if not stale:
        return 0
    live = live_sessions()
    reclaimed = 0
    for task_id, started_at, worker_ids in stale:
        worker_id = worker_ids[-1] if worker_ids else ""
        if live is not None and session_name(worker_id) in live:
            continue
        if put_back(task_id, started_at=started_at):
            reclaimed += 1
            logger.warning(
                "Task id=%s ran since %s on worker %s, which is gone; it runs again",
                task_id,
                started_at.isoformat(),
                worker_id or "?",
            )
    return reclaimed
