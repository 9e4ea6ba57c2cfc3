"""Rows written by hand on the submit's and the last approval's path: one multi-row INSERT,
as ``bulk_create`` writes it, without the ORM's cost of building it (each of those inserts
spent more Python than the database spent running it)."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection
from django.db.models import Model


def insert_rows(rows: Sequence[Model], *, ignore_conflicts: bool = False) -> list[Model]:
    """Insert ``rows`` (instances of one model, their defaults filled) in one statement; each
    gets its new id, unless ``ignore_conflicts`` (a row already there is skipped, as
    ``bulk_create(ignore_conflicts=True)`` does, and ids are not read back)."""
    if not rows:
        return list(rows)
    model = type(rows[0])
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    params = []
    for row in rows:
        for field in fields:
            value = getattr(row, field.attname)
            if hasattr(value, "resolve_expression"):
                # A database default or an expression: the ORM knows how to write it.
                return model._default_manager.bulk_create(rows, ignore_conflicts=ignore_conflicts)
            params.append(field.get_db_prep_save(value, connection))
    quote = connection.ops.quote_name
    placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)})"
        f" VALUES {', '.join([placeholders] * len(rows))}"
    )
    pk = model._meta.pk
    sql += " ON CONFLICT DO NOTHING" if ignore_conflicts else f" RETURNING {quote(pk.column)}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = [] if ignore_conflicts else [found for (found,) in cursor.fetchall()]
    for row, found in zip(rows, ids, strict=False):
        setattr(row, pk.attname, found)
        row._state.adding = False
        row._state.db = connection.alias
    return list(rows)
