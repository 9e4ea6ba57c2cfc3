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
from functools import partial
from typing import Any, ParamSpec, TypeVar

from django.db import DatabaseError, InterfaceError, OperationalError, connections, transaction
from django.utils.module_loading import import_string
from django_tasks import task as django_task
from django_tasks.base import Task

logger = logging.getLogger(__name__)
P = ParamSpec("P")
T = TypeVar("T")


def resolve(task: Task | str) -> Task:
    return import_string(task) if isinstance(task, str) else task


def enqueue_on_commit(
    task: Task | str, *args: Any, run_after: datetime | None = None, **kwargs: Any
) -> None:
    """Queue ``task(*args, **kwargs)`` once the current transaction commits (now, outside one)."""
    transaction.on_commit(partial(enqueue_now, task, *args, run_after=run_after, **kwargs))


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
