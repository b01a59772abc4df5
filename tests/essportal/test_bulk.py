"""bulk_insert writes the rows bulk_create would write (the collective grant's inserts). Run on
SQLite by `make test` (its own statements) and on PostgreSQL by the integration leg
(bulk_create)."""

import datetime

import pytest
import time_machine
from django.db import IntegrityError, connection, models, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from employers.models import AuditEvent
from essportal.bulk import _plain, bulk_insert
from invitations.models import Invitation
from tests.factories import EmployeeFactory, EmployerFactory

pytestmark = pytest.mark.django_db


def test_rows_get_their_defaults_and_creation_time_as_with_bulk_create():
    employer = EmployerFactory()
    employee = EmployeeFactory(employer=employer)
    moment = datetime.datetime(2026, 3, 2, 9, 30, tzinfo=datetime.UTC)
    with time_machine.travel(moment, tick=False):
        bulk_insert(
            [
                AuditEvent(employer=employer, employee=employee, action=AuditEvent.Action.GRANTED),
                AuditEvent(employer=employer, action=AuditEvent.Action.MAIL_SENT, detail="x"),
            ]
        )
    rows = list(AuditEvent.objects.order_by("id").values())
    assert [(row["employee_id"], row["action"], row["detail"]) for row in rows] == [
        (employee.pk, "granted", ""),
        (None, "mail_sent", "x"),
    ]
    assert {row["created_at"] for row in rows} == {moment}
    assert {row["actor_id"] for row in rows} == {None}
    assert {row["ip_address"] for row in rows} == {None}


def test_thousands_of_rows_are_all_written():
    employer = EmployerFactory()
    bulk_insert(
        [AuditEvent(employer=employer, action="granted", detail=str(i)) for i in range(2500)]
    )
    details = set(AuditEvent.objects.values_list("detail", flat=True))
    assert details == {str(i) for i in range(2500)}


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own statements")
def test_on_sqlite_rows_go_in_statements_as_large_as_its_parameter_limit_allows(monkeypatch):
    employer = EmployerFactory()
    columns = len([f for f in AuditEvent._meta.concrete_fields if not f.primary_key])
    monkeypatch.setattr(connection.features, "max_query_params", columns * 3)
    with CaptureQueriesContext(connection) as queries:
        bulk_insert(
            [AuditEvent(employer=employer, action="granted", detail=str(i)) for i in range(7)]
        )
    assert [q["sql"].count("), (") + 1 for q in queries] == [3, 3, 1]
    # Its own statements, not bulk_create's (which asks SQLite for the new ids back).
    assert not any("RETURNING" in q["sql"] for q in queries)
    assert AuditEvent.objects.count() == 7


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite stores datetimes as text")
def test_on_sqlite_times_are_stored_as_django_stores_them():
    employer = EmployerFactory()
    moment = datetime.datetime(2026, 3, 2, 9, 30, tzinfo=datetime.UTC)
    AuditEvent.objects.create(employer=employer, action="granted", detail="create")
    with time_machine.travel(moment, tick=False):
        AuditEvent.objects.filter(detail="create").update(created_at=timezone.now())
        bulk_insert([AuditEvent(employer=employer, action="granted", detail="bulk")])
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT created_at || '' FROM employers_auditevent")
        assert cursor.fetchall() == [("2026-03-02 09:30:00",)]


def test_conflicting_rows_are_skipped_when_asked_and_the_others_written():
    taken, free = EmployeeFactory(), EmployeeFactory()
    existing = Invitation.objects.create(employee=taken)
    now = timezone.now()
    bulk_insert(
        [Invitation(employee=taken, created_at=now), Invitation(employee=free, created_at=now)],
        ignore_conflicts=True,
    )
    # At most one open invitation per employee: the one already there stays the only one.
    assert list(Invitation.objects.filter(employee=taken)) == [existing]
    assert Invitation.objects.filter(employee=free, status=Invitation.Status.PENDING).count() == 1


def test_a_conflict_is_an_error_unless_asked_to_skip_and_nothing_is_written():
    taken, free = EmployeeFactory(), EmployeeFactory()
    Invitation.objects.create(employee=taken)
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk_insert([Invitation(employee=free), Invitation(employee=taken)])
    assert not Invitation.objects.filter(employee=free).exists()


def test_nothing_to_insert_sends_no_query():
    with CaptureQueriesContext(connection) as queries:
        bulk_insert([])
    assert len(queries) == 0


def test_columns_the_database_fills_itself_are_left_to_bulk_create():
    fields = [f for f in AuditEvent._meta.concrete_fields if not f.primary_key]
    assert _plain(AuditEvent, fields)
    assert not _plain(AuditEvent, [*fields, models.IntegerField(db_default=1)])
