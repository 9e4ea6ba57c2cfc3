"""The only way to queue work: after the transaction commits, with one failure policy.

An action that wants work done later calls ``enqueue_on_commit`` with the task (or its dotted
path, which keeps a lifecycle or an action from importing a tasks module: tasks import
actions, never the reverse). The task is queued once the surrounding transaction commits and
never if it rolls back. Queueing that fails is logged and otherwise ignored: every queued task
has a sweep behind it (``core/sweeps.py`` or the campaign resume) that finds the work left
undone, so a lost enqueue delays work and never loses it. A ``run_after`` on a backend that
cannot defer (the immediate backend in some tests) is left to those sweeps too.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any, ParamSpec, TypeVar

from django.db import (
    DatabaseError,
    InterfaceError,
    OperationalError,
    connections,
    router,
    transaction,
)
from django.utils.module_loading import import_string
from django_tasks import task as django_task
from django_tasks.base import Task
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.compat import normalize_json, task_enqueued
from django_tasks_db.models import DBTaskResult, get_date_max

logger = logging.getLogger(__name__)
P = ParamSpec("P")
T = TypeVar("T")


def resolve(task: Task | str) -> Task:
    return import_string(task) if isinstance(task, str) else task


def enqueue_on_commit(
    task: Task | str, *args: Any, run_after: datetime | None = None, **kwargs: Any
) -> None:
    """Queue ``task(*args, **kwargs)`` once the current transaction commits (now, outside one).

    The tasks one transaction queues are written together after its commit: on the database
    backend, in one INSERT (``_Batch``)."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        enqueue_now(task, *args, run_after=run_after, **kwargs)
        return
    batch = _Batch.pending(connection)
    queued = _Queued(batch, task, args, kwargs, run_after)
    # Its own commit hook is dropped with a savepoint rolled back, as Django drops any.
    transaction.on_commit(queued.confirm)
    batch.schedule(connection)


class _Queued:
    """One task waiting for its transaction; ``confirm`` runs once the commit kept it."""

    def __init__(self, batch, task, args, kwargs, run_after) -> None:
        self.batch, self.task, self.args, self.kwargs = batch, task, args, kwargs
        self.run_after = run_after

    def confirm(self) -> None:
        if self.batch.sent:
            # Run after the batch was written (hooks run by hand in a test): queue it alone.
            self.send()
        else:
            self.batch.kept.append(self)

    def send(self) -> bool:
        return enqueue_now(self.task, *self.args, run_after=self.run_after, **self.kwargs)


class _Batch:
    """The tasks a transaction kept, written by a commit hook that stays after all of theirs.

    Written by hand rather than one ``enqueue`` each: the database backend's ``enqueue`` is an
    INSERT of its own in autocommit, a round trip and a commit per task after every submit and
    approval. Its hook is registered outside every savepoint (empty savepoint ids), so only
    the outermost rollback drops it; each task's own hook says whether the commit kept it."""

    def __init__(self) -> None:
        self.kept: list[_Queued] = []
        self.sent = False

    @staticmethod
    def pending(connection) -> _Batch:
        for _sids, func, _robust in reversed(connection.run_on_commit):
            if isinstance(getattr(func, "__self__", None), _Batch):
                return func.__self__
        return _Batch()

    def schedule(self, connection) -> None:
        """Keep this batch's hook the last one, after the hook of the task just queued."""
        hooks = connection.run_on_commit
        for index in range(len(hooks) - 1, -1, -1):
            if getattr(hooks[index][1], "__self__", None) is self:
                # Replaced, not removed: the hooks keep their places, as a test that runs
                # the hooks added since some point (captureOnCommitCallbacks) counts them.
                hooks[index] = (hooks[index][0], _nothing, False)
                break
        hooks.append((set(), self.flush, False))

    def flush(self) -> None:
        self.sent = True
        kept, self.kept = self.kept, []
        database: list[tuple[_Queued, Task]] = []
        for queued in kept:
            found = _database_task(queued)
            if found is None:
                queued.send()
            else:
                database.append((queued, found))
        if len(database) == 1:
            database[0][0].send()
        elif database:
            _insert_all(database)


def _nothing() -> None:
    """Where a batch's hook was before a later task moved it after its own."""


def _database_task(queued: _Queued) -> Task | None:
    """The task ready to write to the database backend, or None (another backend, or not
    found: ``enqueue_now`` then says why)."""
    try:
        task = resolve(queued.task)
        if queued.run_after is not None:
            task = task.using(run_after=queued.run_after)
        backend = task.get_backend()
    except Exception:
        return None
    return task if isinstance(backend, DatabaseBackend) else None


def _insert_all(database: list[tuple[_Queued, Task]]) -> None:
    """What ``DatabaseBackend.enqueue`` does for each task, in one INSERT; on failure each is
    queued alone (and a failure of those logged)."""
    try:
        rows = []
        for queued, task in database:
            backend = task.get_backend()
            backend.validate_task(task)
            rows.append(
                DBTaskResult(
                    id=backend._get_id(),
                    args_kwargs=normalize_json({"args": queued.args, "kwargs": queued.kwargs}),
                    priority=task.priority,
                    task_path=task.module_path,
                    queue_name=task.queue_name,
                    # What the app's pre_save receiver writes for "now", which bulk_create
                    # does not send.
                    run_after=get_date_max() if task.run_after is None else task.run_after,
                    backend_name=backend.alias,
                )
            )
        _insert_results(DBTaskResult, rows)
    except Exception:
        logger.exception("Could not queue %d tasks at once; queueing each", len(database))
        for queued, _task in database:
            queued.send()
        return
    for (_queued, task), row in zip(database, rows, strict=True):
        task_enqueued.send(type(task.get_backend()), task_result=row.task_result)


def enqueue_now(
    task: Task | str, *args: Any, run_after: datetime | None = None, **kwargs: Any
) -> bool:
    """Queue it at once; False (logged) when it could not be queued and a sweep will see to it."""
    try:
        task = resolve(task)
        if run_after is not None:
            if not task.get_backend().supports_defer:
                return False
            task = task.using(run_after=run_after)
        task.enqueue(*args, **kwargs)
        return True
    except Exception:
        logger.exception("Could not queue %s%r; the sweep will pick the work up", task, args)
        return False


TRANSIENT_ERRORS = (OperationalError, InterfaceError)
RETRY_DELAYS = (0.2, 1.0, 3.0)


def is_transient(error: BaseException) -> bool:
    """A lost or refused connection, a serialization failure or a deadlock: worth a retry."""
    if isinstance(error, TRANSIENT_ERRORS):
        return True
    cause = getattr(error, "__cause__", None)
    return isinstance(error, DatabaseError) and getattr(cause, "sqlstate", "") in {
        "40001",  # serialization_failure
        "40P01",  # deadlock_detected
    }


def in_transaction() -> bool:
    return any(connection.in_atomic_block for connection in connections.all(initialized_only=True))


def close_broken_connections() -> None:
    """Between two units of work of a long-running process, what Django does around each
    request: close each connection an error left unusable (or older than CONN_MAX_AGE) and
    have the next query health-check the others (CONN_HEALTH_CHECKS), so a connection the
    server dropped is replaced instead of failing every later query. A connection inside a
    transaction is left to the code that opened it.
    """
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()


def retry_transient(function: Callable[P, T]) -> Callable[P, T]:
    """Run ``function`` again after a transient database error, on a fresh connection.

    Only outside a transaction: inside one, the error belongs to the caller's transaction.
    Every task is safe to run twice, so running its body again after a failure is too.
    """

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        for delay in RETRY_DELAYS:
            try:
                return function(*args, **kwargs)
            except Exception as error:
                if not is_transient(error) or in_transaction():
                    raise
                logger.warning("%s hit %r; retrying in %.1fs", function.__qualname__, error, delay)
                close_broken_connections()
                time.sleep(delay)
        return function(*args, **kwargs)

    return wrapper


def task(*args: Any, **kwargs: Any):
    """``django_tasks.task`` whose body is retried after a transient database error.

    ``@task()`` and ``@task(priority=…)`` as with django_tasks; every app's tasks use this.
    """
    if args and callable(args[0]):
        return django_task(retry_transient(args[0]), **kwargs)
    return lambda function: django_task(retry_transient(function), *args, **kwargs)


def _insert_results(model, rows: list) -> None:
    """One multi-row INSERT in autocommit, as ``create`` writes each row (``bulk_create``
    would wrap its one statement in a transaction of its own: two more round trips)."""
    connection = connections[router.db_for_write(model)]
    fields = [field for field in model._meta.concrete_fields]
    params = []
    for row in rows:
        for field in fields:
            params.append(field.get_db_prep_save(field.pre_save(row, True), connection))
    quote = connection.ops.quote_name
    marks = "(" + ", ".join(["%s"] * len(fields)) + ")"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(model._meta.db_table)}"
            f" ({', '.join(quote(field.column) for field in fields)})"
            f" VALUES {', '.join([marks] * len(rows))}",
            params,
        )
    for row in rows:
        row._state.adding = False
        row._state.db = connection.alias
