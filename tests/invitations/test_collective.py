"""Collective grant (R5, R12)."""

import csv
import datetime
import io
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from invitations import collective
from invitations.collective import grant_batch_run, grant_preview
from invitations.models import GrantBatch, Invitation
from invitations.services import grant_batch_start, invitation_grant
from tests.factories import EmployeeFactory, UserFactory


@pytest.fixture
def staff_mix(employer):
    """Three to invite and one of each reason to leave someone out."""
    people = {
        "invite": [EmployeeFactory(employer=employer, last_name=f"Nieuw{i}") for i in range(3)],
        "end_date": EmployeeFactory(
            employer=employer, last_name="Vertrokken", end_date=datetime.date(2025, 1, 31)
        ),
        "no_email": EmployeeFactory(employer=employer, last_name="Zondermail", email=""),
        "has_account": EmployeeFactory(employer=employer, last_name="Actief", user=UserFactory()),
        "pending": EmployeeFactory(employer=employer, last_name="Uitgenodigd"),
        "locked": EmployeeFactory(employer=employer, last_name="Geblokkeerd"),
    }
    invitation_grant(employee=people["pending"])
    locked = invitation_grant(employee=people["locked"])
    Invitation.objects.filter(pk=locked.pk).update(status="locked")
    return people


def test_the_preview_counts_who_is_invited_and_who_is_left_out_by_reason(employer, staff_mix):
    preview = grant_preview(employer=employer)
    assert preview.to_invite == 3
    groups = {g.outcome: (g.count, g.names) for g in preview.skipped}
    assert groups == {
        "end_date": (1, [staff_mix["end_date"].full_name]),
        "no_email": (1, [staff_mix["no_email"].full_name]),
        "has_account": (1, [staff_mix["has_account"].full_name]),
        "pending": (1, [staff_mix["pending"].full_name]),
        "locked": (1, [staff_mix["locked"].full_name]),
    }


def test_the_preview_sends_nothing(employer, staff_mix):
    invitations = Invitation.objects.count()
    grant_preview(employer=employer)
    assert Invitation.objects.count() == invitations and not mail.outbox


def test_the_job_invites_only_employees_without_an_end_date(employer, staff_mix, on_commit):
    with on_commit():
        batch = grant_batch_start(employer=employer)
    batch.refresh_from_db()
    assert batch.status == "done" and batch.invited == 3 and batch.total == 8
    assert batch.percent == 100
    invited = {m.to[0] for m in mail.outbox}
    assert invited == {e.email for e in staff_mix["invite"]}


def test_an_expired_invitation_is_replaced_by_the_collective_grant(employer, on_commit):
    employee = EmployeeFactory(employer=employer)
    with on_commit():
        old = invitation_grant(employee=employee)
    old.refresh_from_db()
    Invitation.objects.filter(pk=old.pk).update(
        expires_at=old.sent_at - datetime.timedelta(seconds=1)
    )
    with on_commit():
        grant_batch_start(employer=employer)
    old.refresh_from_db()
    assert old.status == "expired"
    assert Invitation.objects.get(employee=employee, status="pending").batch is not None


def test_starting_twice_joins_the_running_batch(employer, staff_mix):
    first = grant_batch_start(employer=employer)  # on_commit not run: still running
    second = grant_batch_start(employer=employer)
    assert first == second
    assert GrantBatch.objects.count() == 1


def test_a_retried_request_with_the_same_key_never_starts_a_second_batch(employer, staff_mix):
    first = grant_batch_start(employer=employer, request_key="k1")
    grant_batch_run(batch_id=first.pk)
    again = grant_batch_start(employer=employer, request_key="k1")
    assert again == first and GrantBatch.objects.count() == 1


def test_running_again_after_it_finished_invites_nobody_twice(employer, staff_mix):
    grant_batch_run(batch_id=grant_batch_start(employer=employer).pk)
    second = grant_batch_run(batch_id=grant_batch_start(employer=employer).pk)
    assert second.invited == 0
    assert len(mail.outbox) == 3
    for employee in staff_mix["invite"]:
        assert Invitation.objects.filter(employee=employee).count() == 1


def test_an_individual_grant_during_the_job_is_not_duplicated(employer):
    people = [EmployeeFactory(employer=employer) for _ in range(4)]
    batch = grant_batch_start(employer=employer)
    from invitations.collective import _plan

    _plan(batch)
    invitation_grant(employee=people[0])  # HR invites one by hand meanwhile
    batch = grant_batch_run(batch_id=batch.pk)
    assert batch.invited == 3
    assert Invitation.objects.filter(employee=people[0]).count() == 1
    assert batch.items.get(employee=people[0]).outcome == "pending"


def test_an_employee_invited_by_hand_between_the_check_and_the_insert_keeps_that_invitation(
    employer,
):
    people = [EmployeeFactory(employer=employer) for _ in range(3)]
    batch = grant_batch_start(employer=employer)
    collective._plan(batch)
    real = collective._employees_with_outcome

    def checked_then_invited_by_hand(employer, now, kind="grant"):
        outcomes = list(
            real(employer, now, kind).values_list("pk", "outcome")
        )  # all three "planned"
        invitation_grant(employee=people[0])  # HR invites one a moment after the chunk's check
        checked = mock.MagicMock()
        checked.filter.return_value.values_list.return_value = outcomes
        return checked

    with mock.patch.object(collective, "_employees_with_outcome", checked_then_invited_by_hand):
        invited = collective._invite_chunk(batch, 10)
    # The chunk's insert skips the conflicting row (at most one open invitation per employee).
    by_hand = Invitation.objects.get(employee=people[0])
    assert by_hand.batch_id is None
    assert len(invited) == 2 and by_hand.pk not in invited
    assert Invitation.objects.filter(batch=batch).count() == 2
    assert batch.items.get(employee=people[0]).outcome == "pending"
    batch.refresh_from_db()
    assert batch.invited == 2


def test_a_job_that_died_mid_way_resumes_without_sending_twice(employer, settings):
    settings.COLLECTIVE_CHUNK_SIZE = 2
    people = [EmployeeFactory(employer=employer) for _ in range(5)]
    batch = grant_batch_start(employer=employer)
    from invitations.collective import _invite_chunk, _plan

    _plan(batch)
    _invite_chunk(batch, 2)  # committed, but the worker died before mailing
    assert not mail.outbox
    batch = grant_batch_run(batch_id=batch.pk)
    assert batch.invited == 5 and len(mail.outbox) == 5
    assert {m.to[0] for m in mail.outbox} == {p.email for p in people}


def test_the_job_uses_a_fixed_number_of_queries_per_chunk(
    employer, settings, django_assert_max_num_queries
):
    settings.COLLECTIVE_CHUNK_SIZE = 50

    def run(n):
        for _ in range(n):
            EmployeeFactory(employer=employer)
        batch = grant_batch_start(employer=employer)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            grant_batch_run(batch_id=batch.pk)
        return len(queries)

    # Each handed-over mail is recorded in a commit of its own, its sent mark and its audit row
    # (so that a crash resends at most the mail in flight and loses no audit row): one statement
    # on PostgreSQL; elsewhere, inside the test's transaction, SAVEPOINT, UPDATE, INSERT,
    # RELEASE. Everything else is per chunk, whatever its size.
    from django.db import connection

    per_mail = 1 if connection.vendor == "postgresql" else 4
    small = run(50) - 50 * per_mail
    large = run(100) - 100 * per_mail  # only the 100 new ones: two chunks instead of one
    assert large - small < 25, (small, large)
    assert small < 40


def test_hr_previews_then_confirms_and_downloads_the_result(manager_client, employer, staff_mix):
    url = reverse("hr:collective_grant", args=[employer.pk])
    page = manager_client.get(url)
    assert page.status_code == 200 and page.context["preview"].to_invite == 3
    response = manager_client.post(url, {"request_key": "abc"})
    batch = GrantBatch.objects.get()
    assert response["Location"] == reverse("hr:collective_batch", args=[employer.pk, batch.pk])
    grant_batch_run(batch_id=batch.pk)
    progress = manager_client.get(
        reverse("hr:collective_batch_progress", args=[employer.pk, batch.pk])
    ).json()
    expected = {
        "status": "done",
        "percent": 100,
        "processed": 8,
        "total": 8,
        "invited": 3,
        # The job is done once everyone is invited; the mails say how many have left.
        "sent": 3,
        "waiting": 0,
        "undelivered": 0,
    }
    assert progress.items() >= expected.items()
    assert progress["state"] == "done"
    summary = manager_client.get(reverse("hr:collective_batch", args=[employer.pk, batch.pk]))
    assert ("invited", 3) in [(o, n) for o, _label, n in summary.context["summary"]]
    report = manager_client.get(reverse("hr:collective_batch_csv", args=[employer.pk, batch.pk]))
    rows = list(csv.reader(io.StringIO(b"".join(report.streaming_content).decode()), delimiter=";"))
    assert len(rows) == 9
    outcomes = {row[4] for row in rows[1:]}
    assert outcomes == {"invited", "end_date", "no_email", "has_account", "pending", "locked"}


def test_the_read_only_role_cannot_start_a_collective_grant(viewer_client, employer, staff_mix):
    url = reverse("hr:collective_grant", args=[employer.pk])
    assert viewer_client.get(url).status_code == 403
    assert viewer_client.post(url).status_code == 403
    assert not GrantBatch.objects.exists()


def test_another_employers_batch_is_404(manager_client, outsider_client, employer, staff_mix):
    batch = grant_batch_run(batch_id=grant_batch_start(employer=employer).pk)
    for name in ["collective_batch", "collective_batch_progress", "collective_batch_csv"]:
        url = reverse(f"hr:{name}", args=[employer.pk, batch.pk])
        assert outsider_client.get(url).status_code == 404
    assert (
        outsider_client.post(reverse("hr:collective_grant", args=[employer.pk])).status_code == 404
    )


def test_a_batch_id_under_the_wrong_employer_is_404(manager_client, employer, other_employer):
    batch = GrantBatch.objects.create(employer=other_employer)
    url = reverse("hr:collective_batch", args=[employer.pk, batch.pk])
    assert manager_client.get(url).status_code == 404


@translation.override("en")
def test_the_command_has_a_dry_run(employer, staff_mix):
    out = io.StringIO()
    summary = call_command("grant_access", employer=str(employer.pk), dry_run=True, stdout=out)
    assert "3 would be invited, 5 left out" in summary
    assert not mail.outbox


@translation.override("en")
def test_the_command_grants_through_the_same_service(employer, staff_mix):
    summary = call_command("grant_access", employer=employer.name, stdout=io.StringIO())
    assert summary.startswith("3 invited, 5 left out")
    assert len(mail.outbox) == 3


def test_with_nobody_to_invite_the_page_says_so_instead_of_zero(manager_client, employer):
    url = reverse("hr:collective_grant", args=[employer.pk])
    page = manager_client.get(url, HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "0 werknemers" not in page
    assert "Iedereen die uitgenodigd kan worden, is al uitgenodigd" in page
    assert 'name="request_key"' not in page
