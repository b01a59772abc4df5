"""Integration leg: a real Celery worker on Redis, and races on PostgreSQL."""

import threading
import time
from unittest import mock

import pytest
from django.core import mail
from django.db import connection, connections

from employees.models import Employee
from employees.records.services import employee_update
from invitations import receivers
from invitations.acceptance import InvitationAlreadyUsed, invitation_accept
from invitations.models import GrantBatch, Invitation
from invitations.services import (
    InvitationError,
    grant_batch_start,
    invitation_grant,
    invitation_resend,
)
from tests.conftest import wait_for
from tests.factories import EmployeeFactory
from tests.invitations.helpers import sent_invitation

pytestmark = pytest.mark.integration


def test_a_real_worker_sends_the_invitation_mail(celery_worker, employee):
    invitation = invitation_grant(employee=employee)
    wait_for(lambda: len(mail.outbox) == 1)
    invitation.refresh_from_db()
    wait_for(lambda: Invitation.objects.get(pk=invitation.pk).mail_status == "sent")


def test_a_real_worker_runs_a_collective_grant_to_the_end(celery_worker, employer, settings):
    settings.COLLECTIVE_CHUNK_SIZE = 7
    people = [EmployeeFactory(employer=employer) for _ in range(30)]
    batch = grant_batch_start(employer=employer)
    wait_for(lambda: GrantBatch.objects.get(pk=batch.pk).status == "done")
    wait_for(lambda: len(mail.outbox) == 30)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)


def run_at_once(func, n=2):
    """Run func in n threads released together; return their results or exceptions."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def worker(i):
        try:
            barrier.wait()
            results[i] = func()
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row-level races are proven on PostgreSQL (make test-integration)")


def test_two_simultaneous_grants_make_one_invitation(postgres_only, transactional_db, employer):
    employee = EmployeeFactory(employer=employer)
    results = run_at_once(lambda: invitation_grant(employee=employee), n=4)
    assert sum(isinstance(r, Invitation) for r in results) == 1
    assert all(isinstance(r, Invitation | InvitationError) for r in results), results
    assert Invitation.objects.filter(employee=employee).count() == 1


def test_two_simultaneous_resends_leave_one_open_invitation(
    postgres_only, transactional_db, employer
):
    employee = EmployeeFactory(employer=employer)
    invitation_grant(employee=employee)
    results = run_at_once(lambda: invitation_resend(employee=employee), n=3)
    # A thread that starts after another finished resends again, legitimately; what must hold
    # is that no error other than "no unused invitation" occurs and one link stays open.
    assert all(isinstance(r, Invitation | InvitationError) for r in results), results
    assert any(isinstance(r, Invitation) for r in results)
    assert Invitation.objects.filter(employee=employee, status="pending").count() == 1


def test_two_hr_users_starting_a_collective_grant_at_once_share_one_batch(
    postgres_only, transactional_db, employer
):
    for _ in range(5):
        EmployeeFactory(employer=employer)
    results = run_at_once(lambda: grant_batch_start(employer=employer), n=3)
    assert len({r.pk for r in results}) == 1
    assert Invitation.objects.count() == 5


def test_a_grant_racing_an_address_change_leaves_no_open_link_at_the_old_address(
    postgres_only, transactional_db, employer
):
    for attempt in range(5):
        employee = EmployeeFactory(employer=employer, email=f"old{attempt}@example.test")
        new = f"new{attempt}@example.test"

        def grant(pk=employee.pk):
            return invitation_grant(employee=Employee.objects.get(pk=pk))

        def change(pk=employee.pk, email=new):
            return employee_update(employee=Employee.objects.get(pk=pk), data={"email": email})

        tasks, lock = [grant, change], threading.Lock()

        def one(tasks=tasks, lock=lock):
            with lock:
                task = tasks.pop()
            return task()

        results = run_at_once(one, n=2)
        assert not [r for r in results if isinstance(r, Exception)], results
        # Whichever won, the one link left open goes (or went) to the new address.
        (open_invitation,) = Invitation.objects.filter(employee=employee).open()
        assert open_invitation.mail_to in ("", new)


def test_a_resend_racing_an_address_change_leaves_no_open_link_at_the_old_address(
    postgres_only, transactional_db, employer
):
    for attempt in range(10):
        employee = EmployeeFactory(employer=employer, email=f"old{attempt}@example.test")
        invitation_grant(employee=employee)
        new = f"new{attempt}@example.test"

        def resend(pk=employee.pk):
            return invitation_resend(employee=Employee.objects.get(pk=pk))

        def change(pk=employee.pk, email=new):
            return employee_update(employee=Employee.objects.get(pk=pk), data={"email": email})

        tasks, lock = [resend, change], threading.Lock()

        def one(tasks=tasks, lock=lock):
            with lock:
                task = tasks.pop()
            return task()

        results = run_at_once(one, n=2)
        assert all(not isinstance(r, Exception) or isinstance(r, InvitationError) for r in results)
        (open_invitation,) = Invitation.objects.filter(employee=employee).open()
        assert open_invitation.mail_to in ("", new), attempt


def test_an_activation_during_an_address_change_waits_its_turn_without_a_deadlock(
    postgres_only, transactional_db, employer
):
    """The change holds the employee row when the employee submits their credentials: the
    activation waits for the row instead of taking the invitation first (which deadlocked), and
    then finds its link replaced."""
    employee = EmployeeFactory(employer=employer, email="old@example.test")
    invitation = sent_invitation(employee)
    holding, go_on = threading.Event(), threading.Event()
    replace = receivers.invitation_replace_for_new_address

    def replace_after_a_pause(**kwargs):
        holding.set()  # the employee row is locked by now
        go_on.wait(10)
        return replace(**kwargs)

    results = {}

    def change():
        try:
            results["change"] = employee_update(
                employee=Employee.objects.get(pk=employee.pk), data={"email": "new@example.test"}
            )
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            results["change"] = exc
        finally:
            connections.close_all()

    def activate():
        try:
            results["accept"] = invitation_accept(
                invitation_id=invitation.pk, username="anna", password="lange wachtzin hier"
            )
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            results["accept"] = exc
        finally:
            connections.close_all()

    with mock.patch.object(receivers, "invitation_replace_for_new_address", replace_after_a_pause):
        changer = threading.Thread(target=change)
        changer.start()
        assert holding.wait(10)
        activator = threading.Thread(target=activate)
        activator.start()
        time.sleep(1.5)  # the activation hashes its password, then reaches the locks
        go_on.set()
        changer.join(30)
        activator.join(30)
    assert isinstance(results["change"], Employee), results
    assert isinstance(results["accept"], InvitationAlreadyUsed), results
    assert Invitation.objects.get(pk=invitation.pk).status == "superseded"
    assert not Employee.objects.get(pk=employee.pk).user_id
