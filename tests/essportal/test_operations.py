"""The operator's status: one report behind `manage.py check_operations` and
`/healthz/operations` that says whether the background work is moving."""

import datetime
import io
import json
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

from essportal import celery as essportal_celery
from essportal.models import Heartbeat
from essportal.operations import BEAT, WORKER, operations_report
from invitations.models import GrantBatch, Invitation
from invitations.tasks import sweep_invitation_outbox
from tests.conftest import wait_for
from tests.factories import EmployeeFactory

TOKEN = "t" * 40


@pytest.fixture(autouse=True)
def english():
    """The summaries are translated; these tests read the English ones."""
    with translation.override("en"):
        yield


@pytest.fixture
def with_background_processes(settings, db):
    """Production's set-up: tasks go through a broker to a worker, beat schedules them (the unit
    leg's in-memory broker is always reachable)."""
    settings.CELERY_TASK_ALWAYS_EAGER = False


@pytest.fixture
def fresh_heartbeats(with_background_processes):
    now = timezone.now()
    for name in (BEAT, WORKER):
        Heartbeat.objects.update_or_create(name=name, defaults={"at": now})


def check_operations():
    """(exit code, output) as cron would see them."""
    out = io.StringIO()
    try:
        call_command("check_operations", stdout=out)
    except CommandError as exc:
        return exc.returncode, out.getvalue() + str(exc)
    return 0, out.getvalue()


def invitation_due(employer, minutes_ago: int, **fields) -> Invitation:
    return Invitation.objects.create(
        employee=EmployeeFactory(employer=employer),
        mail_next_attempt_at=timezone.now() - datetime.timedelta(minutes=minutes_ago),
        **fields,
    )


def test_without_a_worker_heartbeat_check_operations_exits_non_zero_and_says_so(
    with_background_processes,
):
    Heartbeat.objects.create(name=BEAT, at=timezone.now())
    code, output = check_operations()
    assert code != 0
    assert "ATTENTION  Worker (ran the outbox sweep): no heartbeat recorded yet." in output
    assert "Needs attention: worker." in output


def test_with_everything_moving_check_operations_prints_a_line_per_check_and_exits_zero(
    fresh_heartbeats,
):
    code, output = check_operations()
    assert code == 0, output
    lines = output.splitlines()
    assert len(lines) == 7 and all(line.startswith("ok ") for line in lines[:6])
    assert lines[-1] == "All 6 checks are fine."


def test_a_heartbeat_older_than_the_limit_needs_attention(with_background_processes, settings):
    settings.OPERATIONS_HEARTBEAT_MAX_AGE_SECONDS = 300
    now = timezone.now()
    Heartbeat.objects.create(name=BEAT, at=now - datetime.timedelta(seconds=30))
    Heartbeat.objects.create(name=WORKER, at=now - datetime.timedelta(seconds=301))
    checks = {c.name: c for c in operations_report(now=now).checks}
    assert checks[BEAT].ok and checks[BEAT].details == {"age": 30}
    assert not checks[WORKER].ok and checks[WORKER].details == {"age": 301}
    assert "301 seconds ago, too long" in checks[WORKER].summary


def test_an_unreachable_broker_needs_attention(fresh_heartbeats):
    with mock.patch("essportal.operations.broker_reachable", return_value=False):
        report = operations_report()
    assert report.needing_attention == ["broker"]


def test_mail_overdue_in_the_outbox_needs_attention_with_the_oldest_ones_age(
    fresh_heartbeats, employer, settings
):
    settings.OPERATIONS_OUTBOX_LATE_MINUTES = 10
    invitation_due(employer, minutes_ago=5)  # late, not yet too late
    invitation_due(employer, minutes_ago=12)
    invitation_due(employer, minutes_ago=42, mail_status=Invitation.MailStatus.SENDING)
    invitation_due(employer, minutes_ago=60, mail_status=Invitation.MailStatus.SENT)
    invitation_due(employer, minutes_ago=60, status=Invitation.Status.REVOKED)
    outbox = operations_report().as_dict()["checks"]["outbox"]
    assert outbox["ok"] is False and outbox["count"] == 2
    assert 42 * 60 <= outbox["oldest_age"] < 43 * 60
    assert (
        "2 invitation mails more than 10 minutes overdue, the oldest for 42 minutes"
        in (outbox["summary"])
    )


def test_failed_mails_of_the_last_day_need_attention_above_the_limit(
    fresh_heartbeats, employer, settings
):
    settings.OPERATIONS_FAILED_MAILS_PER_DAY = 2
    long_ago = timezone.now() - datetime.timedelta(hours=25)
    for _ in range(2):
        invitation_due(employer, 0, mail_status=Invitation.MailStatus.FAILED)
    invitation_due(employer, 0, mail_status=Invitation.MailStatus.FAILED, mail_updated_at=long_ago)
    assert operations_report().ok
    invitation_due(employer, 0, mail_status=Invitation.MailStatus.FAILED)
    failed = operations_report().as_dict()["checks"]["failed_mails"]
    assert failed["ok"] is False and failed["count"] == 3


def test_a_collective_grant_that_stopped_moving_needs_attention(
    fresh_heartbeats, employer, sister_employer, settings
):
    settings.OPERATIONS_BATCH_STALLED_MINUTES = 10
    now = timezone.now()
    GrantBatch.objects.create(employer=employer, heartbeat_at=now - datetime.timedelta(minutes=3))
    assert operations_report().ok
    GrantBatch.objects.create(
        employer=sister_employer, heartbeat_at=now - datetime.timedelta(minutes=11)
    )
    grants = operations_report().as_dict()["checks"]["collective_grants"]
    assert grants["ok"] is False and grants["count"] == 1


def test_a_check_that_cannot_run_needs_attention_and_hides_none_of_the_others(fresh_heartbeats):
    with mock.patch(
        "invitations.operations.invitations_overdue_in_outbox", side_effect=RuntimeError("db")
    ):
        report = operations_report()
    assert report.needing_attention == ["outbox"]
    assert len(report.checks) == 6


def test_the_outbox_sweep_records_the_workers_heartbeat(db):
    sweep_invitation_outbox.apply()
    at = Heartbeat.objects.get(name=WORKER).at
    assert timezone.now() - at < datetime.timedelta(seconds=5)


@pytest.mark.integration
def test_a_real_worker_running_the_sweep_makes_the_worker_heartbeat_fresh(celery_worker, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    Heartbeat.objects.create(name=WORKER, at=timezone.now() - datetime.timedelta(hours=1))
    assert WORKER in operations_report().needing_attention
    sweep_invitation_outbox.delay()
    wait_for(lambda: WORKER not in operations_report().needing_attention)


def test_beat_records_its_heartbeat_when_it_queues_a_task_and_nobody_else_does(db):
    essportal_celery._beat_heartbeat(sender="invitations.tasks.sweep_invitation_outbox")
    assert not Heartbeat.objects.filter(name=BEAT).exists()
    with (
        mock.patch.dict(essportal_celery._process, {"beat": False}),
        # Beat renews an old connection first; the test's own one must stay open.
        mock.patch("django.db.close_old_connections"),
    ):
        essportal_celery._this_process_is_beat()
        essportal_celery._beat_heartbeat(sender="invitations.tasks.sweep_invitation_outbox")
    assert Heartbeat.objects.filter(name=BEAT).exists()


# --- The JSON endpoint -------------------------------------------------------------------------


def test_without_a_token_setting_the_endpoint_does_not_exist(client, fresh_heartbeats, settings):
    settings.OPERATIONS_TOKEN = ""
    response = client.get("/healthz/operations", HTTP_AUTHORIZATION="Bearer ")
    assert response.status_code == 404


@pytest.mark.parametrize(
    "authorization", [None, "", f"Basic {TOKEN}", f"Bearer {TOKEN[:-1]}", f"Bearer {TOKEN}x"]
)
def test_a_missing_or_wrong_token_is_refused(client, fresh_heartbeats, settings, authorization):
    settings.OPERATIONS_TOKEN = TOKEN
    headers = {} if authorization is None else {"HTTP_AUTHORIZATION": authorization}
    response = client.get("/healthz/operations", **headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "checks" not in response.json()


def test_the_right_token_gets_the_report_as_json(client, fresh_heartbeats, settings):
    settings.OPERATIONS_TOKEN = TOKEN
    response = client.get("/healthz/operations", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200 and "no-cache" in response["Cache-Control"]
    body = json.loads(response.content)
    assert body["status"] == "ok"
    assert set(body["checks"]) == {
        "broker",
        "beat",
        "worker",
        "outbox",
        "failed_mails",
        "collective_grants",
    }
    assert body["checks"]["worker"]["ok"] is True and body["checks"]["worker"]["age"] >= 0


def test_the_endpoint_is_503_when_something_needs_attention(
    client, with_background_processes, settings
):
    settings.OPERATIONS_TOKEN = TOKEN
    response = client.get("/healthz/operations", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "attention"
    assert body["checks"]["worker"] == {
        "ok": False,
        "summary": mock.ANY,
        "age": None,
    }
