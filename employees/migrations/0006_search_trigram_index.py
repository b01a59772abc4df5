"""A trigram index for the HR list's search (`search_text LIKE '%word%'`), on PostgreSQL only.

Without it every search reads all of the employer's rows (bench/hr_list.py, figures in
bench/README.md), a cost that grows with the employer's size; with it PostgreSQL looks up the rows
that contain the word's trigrams. The index is deliberately not in Employee.Meta.indexes: a GIN index does not exist on
SQLite (the embedded default, and the test suite's tables are built from the models), so it
lives only in this migration and both operations do nothing on other databases.

The index is built CONCURRENTLY (hence a non-atomic migration) so that deploying it on a large
table does not block writes to employees.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEX = "employee_search_trgm"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} "
        "ON employees_employee USING gin (search_text gin_trgm_ops)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("employees", "0005_statement_notified_at"),
    ]

    operations = [
        # CREATE EXTENSION pg_trgm (a trusted extension: the database owner may create it).
        # Django's operation is itself a no-op on databases other than PostgreSQL.
        TrigramExtension(),
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
