"""The list's tab counts come from the cache (employees/access_cache.py) until something changes
an employee's access: every write path below must make the next list count again. Each test
first counts (and so caches) the tabs, then changes one thing through its service, and expects
the tabs to show the change at once: without the service's call the cached numbers would
still be shown."""

import datetime
import io

import pytest
import time_machine
from django.utils import timezone

from employees.access_cache import access_scope
from employees.accounts.services import account_block, account_unblock
from employees.records import importing
from employees.records.services import employee_update
from essportal.web.generation_cache import generation_key
from invitations.acceptance import invitation_accept, invitation_check_birth_date
from invitations.collective import grant_batch_run
from invitations.models import Invitation
from invitations.outbox import invitations_send_mail
from invitations.selectors import EmployeeFilters
from invitations.services import (
    grant_batch_start,
    invitation_grant,
    invitation_resend,
    invitation_revoke,
    invitations_requeue_undelivered,
)
from invitations.tab_counts import access_state_count, access_state_counts
from invitations.tracking import invitation_record_tracking
from tests.factories import EmployeeFactory, UserFactory
from tests.invitations.helpers import sent_invitation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def cached(settings):
    settings.ACCESS_COUNTS_CACHE_SECONDS = 60


def tabs(employer, **filters) -> dict[str, int]:
    """What the list shows, and a check that it is what a count now would show."""
    shown = access_state_counts(employer, EmployeeFilters(**filters))
    assert shown == access_state_count(employer, EmployeeFilters(**filters))[0]
    return shown


def cached_tabs(employer, django_assert_num_queries, **filters) -> dict[str, int]:
    with django_assert_num_queries(0):
        return access_state_counts(employer, EmployeeFilters(**filters))


def test_a_second_look_at_the_tabs_asks_the_database_nothing(employer, django_assert_num_queries):
    EmployeeFactory(employer=employer)
    first = tabs(employer)
    assert cached_tabs(employer, django_assert_num_queries) == first
    # Each search and employment filter has numbers of its own.
    with django_assert_num_queries(1):
        assert access_state_counts(employer, EmployeeFilters(q="zzz"))["all"] == 0


def test_a_grant_shows_at_once(employer, employee, on_commit):
    assert tabs(employer)["no_access"] == 1
    with on_commit():
        invitation_grant(employee=employee)
    assert tabs(employer)["invited"] == 1


def test_a_resend_of_a_locked_invitation_shows_at_once(employer, employee, on_commit):
    sent_invitation(employee, status=Invitation.Status.LOCKED)
    assert tabs(employer)["locked"] == 1
    with on_commit():
        invitation_resend(employee=employee)
    assert tabs(employer)["invited"] == 1


def test_a_revoke_shows_at_once(employer, employee, on_commit):
    sent_invitation(employee)
    assert tabs(employer)["invited"] == 1
    with on_commit():
        invitation_revoke(employee=employee)
    assert tabs(employer)["no_access"] == 1


def test_each_chunk_of_a_collective_grant_shows_at_once(
    employer, on_commit, django_capture_on_commit_callbacks
):
    EmployeeFactory.create_batch(3, employer=employer)
    assert tabs(employer)["no_access"] == 3
    with django_capture_on_commit_callbacks(execute=False):
        batch = grant_batch_start(employer=employer)  # the job is run below, in two chunks
    with on_commit():
        grant_batch_run(batch_id=batch.pk, chunk_size=2)
    assert tabs(employer)["invited"] == 3


def test_block_and_unblock_show_at_once(employer, on_commit):
    employee = EmployeeFactory(employer=employer, user=UserFactory())
    assert tabs(employer)["active"] == 1
    with on_commit():
        account_block(employee=employee)
    assert tabs(employer)["blocked"] == 1
    employee.refresh_from_db()
    with on_commit():
        account_unblock(employee=employee)
    assert tabs(employer)["active"] == 1


def test_an_activation_shows_at_once(employer, employee, on_commit):
    invitation = sent_invitation(employee)
    assert tabs(employer)["invited"] == 1
    with on_commit():
        invitation_accept(
            invitation_id=invitation.pk, username="anna.bakker", password="kleine groene kikkers"
        )
    assert tabs(employer)["active"] == 1


def test_a_lock_after_wrong_birth_dates_shows_at_once(employer, employee, on_commit, settings):
    invitation = sent_invitation(employee)
    assert tabs(employer)["invited"] == 1
    for _ in range(settings.INVITATION_MAX_BIRTH_DATE_ATTEMPTS):
        with on_commit():
            invitation_check_birth_date(
                invitation_id=invitation.pk, birth_date=datetime.date(1900, 1, 1)
            )
    assert tabs(employer)["locked"] == 1


def test_a_mail_refused_for_good_shows_as_undelivered_at_once(
    employer, employee, refused, on_commit
):
    invitation = invitation_grant(employee=employee)  # its mail is sent below
    assert tabs(employer)["invited"] == 1
    with on_commit():
        invitations_send_mail(invitation_ids=[invitation.pk])
    assert tabs(employer)["undelivered"] == 1


def test_a_bounce_shows_as_undelivered_at_once_and_sending_again_as_invited(
    employer, employee, on_commit
):
    sent_invitation(employee, mail_message_id="msg-1")
    assert tabs(employer)["invited"] == 1
    with on_commit():
        invitation_record_tracking(message_id="msg-1", event_type="bounced")
    assert tabs(employer)["undelivered"] == 1
    with on_commit():
        invitations_requeue_undelivered(employer=employer)
    assert tabs(employer)["invited"] == 1


def test_a_new_address_and_an_end_date_show_at_once(employer, on_commit):
    employee = EmployeeFactory(employer=employer, email="")
    assert tabs(employer)["no_email"] == 1
    assert tabs(employer, employment="active")["all"] == 1
    with on_commit():
        employee_update(employee=employee, data={"email": "new@example.test"})
    assert tabs(employer)["no_access"] == 1
    with on_commit():
        employee_update(employee=employee, data={"end_date": datetime.date(2025, 1, 31)})
    assert tabs(employer, employment="active")["all"] == 0
    assert tabs(employer, employment="left")["all"] == 1


def test_a_renamed_employee_leaves_the_search_at_once(employer, on_commit):
    employee = EmployeeFactory(employer=employer, last_name="Quispel")
    assert tabs(employer, q="quispel")["all"] == 1
    with on_commit():
        employee_update(employee=employee, data={"last_name": "Jansen"})
    assert tabs(employer, q="quispel")["all"] == 0


def test_an_import_shows_at_once(employer, on_commit):
    header = "employee_number;initials;first_name;infix;last_name;birth_date;email;job_title;"
    header += "street;postcode;city;start_date;end_date;language"
    line = "1001;J.;Jan;de;Vries;14-03-1985;jan@example.nl;Bakker;Dorpsstraat 1;1234 AB;Zwolle;"
    line += "01-01-2020;;nl"
    assert tabs(employer)["all"] == 0
    with on_commit():
        result = importing.employee_import_csv(
            employer=employer, file=io.BytesIO(f"{header}\r\n{line}".encode())
        )
    assert result.ok and result.created == 1
    assert tabs(employer)["no_access"] == 1


def test_a_deleted_employee_leaves_the_tabs_at_once(employer, employee, on_commit):
    assert tabs(employer)["all"] == 1
    with on_commit():
        employee.delete()
    assert tabs(employer)["all"] == 0


def test_a_rolled_back_change_keeps_the_cached_counts(
    employer, employee, django_assert_num_queries, django_capture_on_commit_callbacks
):
    first = tabs(employer)
    with django_capture_on_commit_callbacks(execute=False):
        invitation_grant(employee=employee)  # the commit never comes
    assert cached_tabs(employer, django_assert_num_queries) == first


def test_another_employers_change_keeps_these_counts_cached(
    employer, other_employee, django_assert_num_queries, on_commit
):
    EmployeeFactory(employer=employer)
    first = tabs(employer)
    with on_commit():
        invitation_grant(employee=other_employee)
    assert cached_tabs(employer, django_assert_num_queries) == first


def test_an_invitation_that_expires_moves_to_expired_without_any_write(employer, employee):
    sent_invitation(employee, expires_at=timezone.now() + datetime.timedelta(seconds=30))
    assert tabs(employer)["invited"] == 1
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=31)):
        assert tabs(employer)["expired"] == 1


def test_a_change_around_the_services_shows_within_the_cache_seconds(employer, employee):
    assert tabs(employer)["no_access"] == 1
    sent_invitation(employee)  # the admin site, a script: no call to the cache
    assert access_state_counts(employer, EmployeeFilters())["no_access"] == 1  # still cached
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=61)):
        assert tabs(employer)["invited"] == 1


def test_an_evicted_generation_does_not_let_older_numbers_through(employer, employee):
    from django.core.cache import cache

    assert tabs(employer)["no_access"] == 1
    sent_invitation(employee)  # around the services: only the generation's loss shows it
    cache.delete(generation_key(access_scope(employer.pk)))  # Redis evicted it
    assert tabs(employer)["invited"] == 1


def test_with_the_cache_down_the_counts_are_counted_and_right(
    employer, employee, on_commit, unreachable_cache
):
    assert tabs(employer)["no_access"] == 1
    with on_commit():
        invitation_grant(employee=employee)
    assert tabs(employer)["invited"] == 1


def test_a_change_the_cache_missed_in_an_outage_is_not_hidden_after_it(
    employer, employee, on_commit, settings, monkeypatch
):
    """The new generation is lost while the cache fails; the first call that reaches the cache
    again starts a new epoch, so the numbers counted before the change are not served."""
    from django.core.cache import cache

    from essportal.web import cache_guard

    settings.CACHE_RETRY_SECONDS = 0
    assert tabs(employer)["no_access"] == 1

    def down(*args, **kwargs):
        raise ConnectionError("down")

    monkeypatch.setattr(cache, "set_many", down)
    with on_commit():
        invitation_grant(employee=employee)
    assert cache_guard.cache_is_down() is False  # retry at once (CACHE_RETRY_SECONDS = 0)
    monkeypatch.undo()
    settings.ACCESS_COUNTS_CACHE_SECONDS = 60
    assert tabs(employer)["invited"] == 1
