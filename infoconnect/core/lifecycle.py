"""Lifecycles: every stateful row's edges declared once, and the one conditional move.

A domain declares each stateful model's graph in its app's ``lifecycle.py``::

    class OrderLifecycle(Lifecycle):
        model = Order
        invalid_state = ShopError.INVALID_STATE
        edges = (
            Edge("ship", sources=(State.PAID,), target=State.SHIPPED, event="shipped"),
            Edge("expire", sources=(State.AWAITING_PAYMENT,), target=State.EXPIRED,
                 event="expired", due="expires_at", sweep="infoconnect.shop.actions.orders.expire_order"),
        )

        def moved(self, obj, edge, *, from_state, **context):
            ...  # record the event, queue what comes next

    orders = register(OrderLifecycle())

``move(obj, verb, **fields)`` is the one ``UPDATE … WHERE state = <expected>``: it raises the
domain's invalid-state error when the row is not in a state the edge leaves from (or moved
first), and then calls ``moved``, the lifecycle's hook. ``allows(obj, verb)`` answers views, the
API and templates, so no list of states is restated outside the lifecycle.

Hot-path statements (one-statement payments, stock placing, the fan-out's chunk counters) stay
in their modules for speed; their edge names the module (``hot_path``), and they report the move
through ``moved`` like any other. A source test reads the tree and refuses a state write anywhere
else.

An edge with a ``due`` column is made by the sweep (``core/sweeps.py``) once ``due`` (plus
``delay``) has passed: the sweep calls the action named by ``sweep`` with the row's id and
``now``, and the action makes the move with what goes with it.

Takahe's stator declares its graphs the same way; its moves are unconditional, these are not.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, ClassVar, TypeVar

from django.core.exceptions import FieldDoesNotExist
from django.db import connections, models, router
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from infoconnect.core.errors import DomainError, ErrorCode


@dataclass(frozen=True)
class Edge:
    """One declared move: ``verb`` takes a row from any of ``sources`` to ``target``.

    ``sources`` empty means the edge creates the row (its first state). ``event`` is the kind
    of event the hook records, if any. ``due`` names the column whose time (plus ``delay``, a
    timedelta or a callable returning one, read at sweep time) makes the move due, and ``sweep``
    the dotted path of the action the sweep calls for it. ``hot_path`` names the module that
    writes this move in its own statement.
    """

    verb: str
    sources: tuple[str, ...]
    target: str
    event: str = ""
    due: str = ""
    delay: timedelta | Callable[[], timedelta] | None = None
    sweep: str = ""
    hot_path: str = ""

    def __post_init__(self) -> None:
        if self.due and not self.sweep:
            raise ValueError(f"Edge {self.verb!r} has a due column but no sweep action")

    def current_delay(self) -> timedelta:
        delay = self.delay() if callable(self.delay) else self.delay
        return delay or timedelta(0)

    def cutoff(self, now: datetime) -> datetime:
        """Rows whose ``due`` column is at or before this time are due."""
        return now - self.current_delay()

    def due_at(self, obj: models.Model) -> datetime:
        """When this edge falls due for ``obj``: its ``due`` column plus the delay."""
        return getattr(obj, self.due) + self.current_delay()


@dataclass(frozen=True)
class Move:
    """What ``moved`` is told: the edge taken and the state the row left."""

    edge: Edge
    from_state: str
    at: datetime
    context: dict[str, Any] = field(default_factory=dict)


class Lifecycle:
    """The declared graph of one model's ``state`` column; subclass it once per model."""

    model: ClassVar[type[models.Model]]
    invalid_state: ClassVar[ErrorCode]
    edges: ClassVar[tuple[Edge, ...]] = ()
    field: ClassVar[str] = "state"

    def __init__(self) -> None:
        self._by_verb = {edge.verb: edge for edge in self.edges}
        if len(self._by_verb) != len(self.edges):
            raise ValueError(f"{type(self).__name__} declares a verb twice")
        known = {value for value, _label in self.model._meta.get_field(self.field).flatchoices}
        for edge in self.edges:
            for state in (*edge.sources, edge.target):
                if state not in known:
                    raise ValueError(f"{type(self).__name__}.{edge.verb}: unknown state {state!r}")

    # --- questions -------------------------------------------------------------------------

    def edge(self, verb: str) -> Edge:
        try:
            return self._by_verb[verb]
        except KeyError:
            raise LookupError(f"{type(self).__name__} has no edge {verb!r}") from None

    def allows(self, obj: models.Model, verb: str) -> bool:
        """Whether ``verb`` may be taken from the row's current state."""
        return getattr(obj, self.field) in self.edge(verb).sources

    def sources(self, *verbs: str) -> tuple[str, ...]:
        """The states any of ``verbs`` leaves from, in declaration order (for queries)."""
        seen: dict[str, None] = {}
        for verb in verbs:
            seen.update(dict.fromkeys(self.edge(verb).sources))
        return tuple(seen)

    def targets(self, *verbs: str) -> tuple[str, ...]:
        """The states ``verbs`` lead to, in the order given (for queries)."""
        return tuple(dict.fromkeys(self.edge(verb).target for verb in verbs))

    def verbs_from(self, state: str) -> list[str]:
        return [edge.verb for edge in self.edges if state in edge.sources]

    def due_edges(self) -> Iterable[Edge]:
        return (edge for edge in self.edges if edge.due)

    # --- the move --------------------------------------------------------------------------

    def move(
        self,
        obj: models.Model,
        verb: str,
        *,
        strict: bool = True,
        where: dict[str, Any] | None = None,
        now: datetime | None = None,
        context: dict[str, Any] | None = None,
        **fields: Any,
    ) -> bool:
        """Take ``verb`` from the state ``obj`` holds: one ``UPDATE … WHERE state = <it>``.

        ``fields`` are written with the state; ``where`` adds conditions (a deadline, an
        owner). When the row is elsewhere (or moved first) this raises the domain's
        invalid-state error, or returns False with ``strict=False``. On success ``obj`` holds
        the new values and the hook ``moved`` has run, with ``context``.
        """
        edge = self.edge(verb)
        from_state = getattr(obj, self.field)
        if from_state not in edge.sources:
            return self._refused(strict)
        changed = None if where else self._update_by_hand(obj.pk, from_state, edge.target, fields)
        if changed is None:
            changed = self.model._default_manager.filter(
                pk=obj.pk, **{self.field: from_state}, **(where or {})
            ).update(**{self.field: edge.target}, **fields)
        if changed != 1:
            return self._refused(strict)
        setattr(obj, self.field, edge.target)
        for name, value in fields.items():
            if not hasattr(value, "resolve_expression"):
                setattr(obj, name, value)
        self.moved(obj, Move(edge, from_state, now or timezone.now(), context or {}))
        return True

    def _update_by_hand(
        self, pk: Any, from_state: str, target: str, fields: dict[str, Any]
    ) -> int | None:
        """The move's ``UPDATE … WHERE id = %s AND state = %s`` written by hand: every action's
        move runs one, and compiling it through the ORM each time cost more Python than the
        database spent on it. None (the ORM writes it) for a value it must compile: an
        expression, or a field that is not a column of the row's own table."""
        meta = self.model._meta
        connection = connections[router.db_for_write(self.model)]
        quote = connection.ops.quote_name
        sets, params = [], []
        for name, value in ((self.field, target), *fields.items()):
            if hasattr(value, "resolve_expression"):
                return None
            try:
                field = meta.get_field(name)
            except FieldDoesNotExist:
                return None
            if not field.concrete or field.many_to_many or field.primary_key:
                return None
            if field.model._meta.concrete_model is not meta.concrete_model:
                return None  # a parent table's column (multi-table inheritance)
            if field.is_relation and isinstance(value, models.Model):
                value = value.pk
            sets.append(f"{quote(field.column)} = %s")
            params.append(field.get_db_prep_save(value, connection))
        state = meta.get_field(self.field)
        sql = (
            f"UPDATE {quote(meta.db_table)} SET {', '.join(sets)}"
            f" WHERE {quote(meta.pk.column)} = %s AND {quote(state.column)} = %s"
        )
        params += [meta.pk.get_db_prep_value(pk, connection), from_state]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.rowcount

    def report(
        self,
        obj: models.Model,
        verb: str,
        *,
        from_state: str,
        now: datetime | None = None,
        context: dict[str, Any] | None = None,
    ) -> None:
        """A hot-path statement on ``verb``'s edge moved ``obj``: run the hook as ``move`` does."""
        edge = self.edge(verb)
        if not edge.hot_path:
            raise LookupError(f"{type(self).__name__}.{verb} declares no hot-path statement")
        self.moved(obj, Move(edge, from_state, now or timezone.now(), context or {}))

    def moved(self, obj: models.Model, move: Move) -> None:
        """The hook: what every move along an edge does next (record, settle, queue)."""

    def _refused(self, strict: bool) -> bool:
        if strict:
            raise DomainError(self.invalid_state)
        return False


_registry: dict[type[models.Model], Lifecycle] = {}
L = TypeVar("L", bound=Lifecycle)


def register(lifecycle: L) -> L:
    """Make ``lifecycle`` known to the sweep and the templates; returns it."""
    _registry[lifecycle.model] = lifecycle
    return lifecycle


def lifecycles() -> list[Lifecycle]:
    """Every registered lifecycle (every app's ``lifecycle.py`` is imported on first use)."""
    autodiscover_modules("lifecycle")
    return list(_registry.values())


def lifecycle_of(obj_or_model: models.Model | type[models.Model]) -> Lifecycle:
    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    if model not in _registry:
        lifecycles()
    return _registry[model]
