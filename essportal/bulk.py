"""Bulk inserts for the jobs that write thousands of rows at once (the collective grant).

On SQLite, Django's bulk_create builds its statement value by value, ~0.1 ms a row in Python:
for a collective grant's four rows per employee (batch item, invitation, two audit events) more
than the database's own work (bench/README.md). There `bulk_insert` writes the same rows with
the same field preparation (defaults, auto_now_add, each field's get_db_prep_save) in multi-row
statements built from one placeholder group. On PostgreSQL, Django 5.2's bulk_create already
sends each column's values as one array (INSERT … SELECT FROM UNNEST), so it is used as it is.
Neither sends signals. Unlike bulk_create, `bulk_insert` sets no primary keys (nor `_state`) on
the objects and takes plain values only, not expressions; and it writes in several statements
without a transaction of its own, so callers wrap it in theirs (the collective job's chunks are
atomic).
"""

from django.db import connections, router
from django.db.models import Model
from django.db.models.constants import OnConflict
from django.db.models.fields import NOT_PROVIDED


def bulk_insert(objs: list[Model], *, ignore_conflicts: bool = False) -> None:
    if not objs:
        return
    model = type(objs[0])
    connection = connections[router.db_for_write(model)]
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    if connection.vendor != "sqlite" or not _plain(model, fields):
        model._default_manager.bulk_create(objs, ignore_conflicts=ignore_conflicts)
        return
    on_conflict = OnConflict.IGNORE if ignore_conflicts else None
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    statement = f"{connection.ops.insert_statement(on_conflict=on_conflict)} {table} ({columns})"
    rows_per_statement = connection.features.max_query_params // len(fields)
    with connection.cursor() as cursor:
        for start in range(0, len(objs), rows_per_statement):
            piece = objs[start : start + rows_per_statement]
            params = [
                field.get_db_prep_save(field.pre_save(obj, add=True), connection)
                for obj in piece
                for field in fields
            ]
            cursor.execute(f"{statement} VALUES {', '.join([row] * len(piece))}", params)


def _plain(model, fields) -> bool:
    """A table of its own whose every column gets its value from Python: what bulk_create does
    for inherited models, database defaults and generated columns is left to bulk_create."""
    return (
        bool(fields)
        and not model._meta.parents
        and not any(field.generated or field.db_default is not NOT_PROVIDED for field in fields)
    )
