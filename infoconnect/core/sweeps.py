"""The sweep: every declared edge with a due column, made for every row that is due.

Each lifecycle edge that declares ``due`` (and ``sweep``, the action that makes the move) is
swept here with one keyset loop: ids of rows in the edge's source states whose due time has
passed, in ascending id order, a batch at a time, each handed to the action with ``now``.
The action re-checks and moves conditionally, so the sweep is safe to run twice, beside the
tasks that were queued for the same rows, and on several machines at once. One row that
fails is logged and the sweep goes on with the next.

Due work that is no move (a reminder) registers its own sweep with ``register_due_job``; it
runs after the edges, given ``now``, and is as safe to run twice.

``manage.py sweep`` runs it (``manage.py periodic`` runs that every minute).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from django.utils import timezone
from django.utils.module_loading import import_string

from infoconnect.core.lifecycle import Edge, Lifecycle, lifecycles

logger = logging.getLogger(__name__)
DEFAULT_BATCH = 500
# label -> (app label, sweep(now=...) -> how many rows it did).
_due_jobs: dict[str, tuple[str, Callable[..., int]]] = {}


def register_due_job(label: str, *, app_label: str, sweep: Callable[..., int]) -> None:
    """Make ``run`` sweep a due job that is not a lifecycle edge."""
    _due_jobs[label] = (app_label, sweep)


def due_ids(
    lifecycle: Lifecycle, edge: Edge, *, now: datetime, after: int, batch: int
) -> list[int]:
    model = lifecycle.model
    return list(
        model._default_manager.filter(
            **{
                f"{lifecycle.field}__in": edge.sources,
                f"{edge.due}__lte": edge.cutoff(now),
                "pk__gt": after,
            }
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:batch]
    )


def sweep_edge(
    lifecycle: Lifecycle, verb: str, *, now: datetime | None = None, batch: int = DEFAULT_BATCH
) -> int:
    """Make ``verb`` for every row due by ``now``; returns how many rows the action moved."""
    edge = lifecycle.edge(verb)
    if not edge.due:
        raise LookupError(f"{type(lifecycle).__name__}.{verb} has no due column")
    now = now or timezone.now()
    action = import_string(edge.sweep)
    id_kwarg = f"{lifecycle.model._meta.model_name}_id"
    done = 0
    last_id = 0
    while ids := due_ids(lifecycle, edge, now=now, after=last_id, batch=batch):
        for pk in ids:
            try:
                done += bool(action(**{id_kwarg: pk}, now=now))
            except Exception:
                logger.exception(
                    "Sweep %s.%s failed for row %s", lifecycle.model.__name__, verb, pk
                )
        last_id = ids[-1]
    return done


def run(*, now: datetime | None = None, app_label: str | None = None) -> dict[str, int]:
    """Sweep every due edge (of one app, with ``app_label``); counts by ``model.verb``."""
    now = now or timezone.now()
    counts: dict[str, int] = {}
    for lifecycle in lifecycles():
        meta = lifecycle.model._meta
        if app_label and meta.app_label != app_label:
            continue
        for edge in lifecycle.due_edges():
            counts[f"{meta.model_name}.{edge.verb}"] = sweep_edge(lifecycle, edge.verb, now=now)
    for label, (job_app, sweep) in _due_jobs.items():
        if not app_label or job_app == app_label:
            counts[label] = sweep(now=now)
    return counts
