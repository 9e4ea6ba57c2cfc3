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

import logging
from datetime import datetime
from functools import partial
from typing import Any

from django.db import transaction
from django.utils.module_loading import import_string
from django_tasks.base import Task

logger = logging.getLogger(__name__)


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
