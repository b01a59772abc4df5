"""Room on each page of the invitation table for the outbox's sent mark to rewrite its row in
place (a HOT update: no index touched), on PostgreSQL; other databases have no such setting."""

from django.db import migrations

TABLE = "invitations_invitation"


def set_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} SET (fillfactor = 80)")


def reset_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("invitations", "0008_grant_batch_kind_and_selection")]

    operations = [migrations.RunPython(set_fillfactor, reset_fillfactor)]
