"""A collective grant's page says whether the job is moving: "running" while chunks finish,
"waiting to resume" once its worker has been quiet as long as the sweep waits before restarting
it, with the time of the last chunk."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from invitations.models import BATCH_STALLED_AFTER, GrantBatch
from invitations.selectors import BatchState, grant_batch_state

pytestmark = pytest.mark.django_db

# 13:05 UTC is 14:05 in Amsterdam, where HR reads the time.
LAST_CHUNK = datetime.datetime(2026, 12, 2, 13, 5, tzinfo=datetime.UTC)


@pytest.fixture
def batch(employer):
    return GrantBatch.objects.create(
        employer=employer, planned=True, total=1000, processed=500, heartbeat_at=LAST_CHUNK
    )


def page_url(batch):
    return reverse("hr:collective_batch", args=[batch.employer_id, batch.pk])


def progress_url(batch):
    return reverse("hr:collective_batch_progress", args=[batch.employer_id, batch.pk])


def test_a_batch_is_running_until_just_before_the_sweep_would_restart_it(batch):
    just_before = LAST_CHUNK + BATCH_STALLED_AFTER - datetime.timedelta(microseconds=1)
    assert grant_batch_state(batch, now=just_before) == BatchState.RUNNING


def test_a_batch_quiet_as_long_as_the_sweep_waits_is_waiting_to_resume(batch):
    assert grant_batch_state(batch, now=LAST_CHUNK + BATCH_STALLED_AFTER) == BatchState.WAITING


def test_a_finished_batch_is_done_however_old(batch):
    batch.status = GrantBatch.Status.DONE
    batch.finished_at = LAST_CHUNK
    batch.save()
    assert grant_batch_state(batch, now=LAST_CHUNK + datetime.timedelta(days=30)) == "done"


def test_a_stalled_batch_page_says_waiting_to_resume_with_the_last_chunks_time(
    manager_client, batch
):
    with time_machine.travel(LAST_CHUNK + datetime.timedelta(minutes=7), tick=False):
        response = manager_client.get(page_url(batch), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response.context["state"] == BatchState.WAITING
    html = response.content.decode()
    assert 'data-state="waiting"' in html
    assert "Waiting to resume" in html
    assert "02-12-2026 14:05" in html
    assert "automatically" in html


def test_a_moving_batch_page_says_running_with_the_last_chunks_time(manager_client, batch):
    with time_machine.travel(LAST_CHUNK + datetime.timedelta(seconds=30), tick=False):
        response = manager_client.get(page_url(batch), HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert 'data-state="running"' in html
    assert "Waiting to resume" not in html
    assert "02-12-2026 14:05" in html


def test_the_progress_poll_tells_the_page_when_the_job_waits_and_when_it_moves_again(
    manager_client, batch
):
    with time_machine.travel(LAST_CHUNK + BATCH_STALLED_AFTER, tick=False):
        waiting = manager_client.get(progress_url(batch), HTTP_ACCEPT_LANGUAGE="en").json()
        GrantBatch.objects.filter(pk=batch.pk).update(heartbeat_at=timezone.now(), processed=1000)
        moving = manager_client.get(progress_url(batch), HTTP_ACCEPT_LANGUAGE="en").json()
    assert waiting["status"] == "running"  # the job itself still is; only its worker went away
    assert waiting["state"] == "waiting"
    assert "14:05" in waiting["message"]
    assert moving["state"] == "running"
    assert "14:07" in moving["message"]


def test_the_collective_grant_page_lists_a_stalled_batch_as_waiting(
    manager_client, employer, batch
):
    with time_machine.travel(LAST_CHUNK + datetime.timedelta(minutes=3), tick=False):
        response = manager_client.get(reverse("hr:collective_grant", args=[employer.pk]))
    assert response.status_code == 200
    assert 'data-state="waiting"' in response.content.decode()


def test_another_employers_batch_state_is_not_found(outsider_client, batch):
    assert outsider_client.get(progress_url(batch)).status_code == 404
