"""Hand-written joined reads loaded into model instances, as ``select_related`` would load
them, for the reads on every submit and decision: compiling the ORM's joins and building
its rows cost more Python than the database spent answering them."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.db.models import Model


@dataclass(frozen=True)
class Joined:
    """The select list of some tables' columns (each table an alias), the fields each
    model's instance is loaded with (the others are deferred) and the engine's converters."""

    select: str
    layout: list[tuple[type[Model], list[str]]]
    converters: dict

    def rows(self, sql: str, params: list) -> list[list[Model | None]]:
        """Run ``SELECT <select> <sql>``: each row as one instance per table (None where a
        left join found nothing)."""
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {self.select} {sql}", params)
            rows = cursor.fetchall()
        if rows and self.converters:
            compiler = self.layout[0][0].objects.none().query.get_compiler(connection=connection)
            rows = list(compiler.apply_converters(rows, self.converters))
        return [self._load(row) for row in rows]

    def _load(self, row) -> list[Model | None]:
        loaded, start = [], 0
        for model, names in self.layout:
            values = row[start : start + len(names)]
            start += len(names)
            found = None if values[0] is None else model.from_db(connection.alias, names, values)
            loaded.append(found)
        return loaded


_cache: dict[tuple[str, str], Joined] = {}


def joined(name: str, layout: list[tuple[type[Model], str, list[str] | None]]) -> Joined:
    """The ``Joined`` of ``layout`` — (model, alias, field attnames or None for all, the
    primary key first) — built once per engine under ``name``."""
    key = (name, connection.vendor)
    found = _cache.get(key)
    if found is not None:
        return found
    chosen = []
    for model, alias, names in layout:
        fields = list(model._meta.concrete_fields)
        if names is not None:
            fields = [field for field in fields if field.attname in names]
        chosen.append((model, alias, fields))
    cols = [field.get_col(alias) for _m, alias, fields in chosen for field in fields]
    compiler = layout[0][0].objects.none().query.get_compiler(connection=connection)
    found = Joined(
        select=", ".join(f"{alias}.{f.column}" for _m, alias, fields in chosen for f in fields),
        layout=[(model, [f.attname for f in fields]) for model, _a, fields in chosen],
        converters=compiler.get_converters(cols),
    )
    _cache[key] = found
    return found
