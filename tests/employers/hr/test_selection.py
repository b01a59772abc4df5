"""Select and act (issue 16): HR ticks employees on the list (or takes all matching the filter),
sees who will be acted on and who is left out and why, and confirms."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from employers.models import AuditEvent
from invitations.models import GrantBatch, Invitation
from invitations.services import grant_batch_start
from tests.factories import EmployeeFactory, UserFactory

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def url(employer, action):
    return reverse(f"hr:selection_{action}", args=[employer.pk])


def ids(*employees):
    return {"employee": [e.pk for e in employees]}


@pytest.fixture
def confirm(manager_client, django_capture_on_commit_callbacks):
    """Post the confirm form, running what starts on commit (the batch job, its mails)."""

    def _confirm(employer, action, data, client=None):
        with django_capture_on_commit_callbacks(execute=True):
            return (client or manager_client).post(url(employer, action), data, **EN)

    return _confirm


@pytest.fixture
def mix(employer):
    """Three who can be invited, and one of several reasons to leave someone out."""
    return {
        "invite": [EmployeeFactory(employer=employer, last_name=f"Nieuw{i}") for i in range(3)],
        "no_email": EmployeeFactory(employer=employer, last_name="Zondermail", email=""),
        "has_account": EmployeeFactory(employer=employer, last_name="Actief", user=UserFactory()),
        "end_date": EmployeeFactory(
            employer=employer, last_name="Vertrokken", end_date=datetime.date(2025, 1, 31)
        ),
    }


def test_granting_to_three_ticked_employees_queues_three_invitations_and_sends_three_mails(
    employer, mix, confirm
):
    response = confirm(employer, "grant", ids(*mix["invite"]))
    batch = GrantBatch.objects.get()
    assert response.url == reverse("hr:collective_batch", args=[employer.pk, batch.pk])
    batch.refresh_from_db()
    assert (batch.kind, batch.selected, batch.status) == ("grant", True, "done")
    assert (batch.total, batch.invited) == (3, 3)
    assert Invitation.objects.filter(batch=batch).count() == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted(e.email for e in mix["invite"])
    granted = AuditEvent.objects.filter(action=AuditEvent.Action.GRANTED, detail="selection")
    assert {event.employee_id for event in granted} == {e.pk for e in mix["invite"]}


def test_the_preview_groups_the_selection_by_reason_and_changes_nothing(
    manager_client, employer, mix
):
    everyone = [*mix["invite"], mix["no_email"], mix["has_account"], mix["end_date"]]
    page = manager_client.get(url(employer, "grant"), ids(*everyone), **EN).content.decode()
    assert 'id="selection-act" data-count="3"' in page
    assert "3 employees will be invited" in page and "Invite 3 employees" in page
    for outcome, person in [
        ("no_email", mix["no_email"]),
        ("has_account", mix["has_account"]),
        ("end_date", mix["end_date"]),
    ]:
        assert f'data-outcome="{outcome}" data-count="1"' in page
        assert person.full_name in page
    assert 'class="button danger"' not in page  # granting is not destructive
    assert not Invitation.objects.exists() and not GrantBatch.objects.exists()


def test_the_confirm_form_carries_the_ticked_ids_of_this_employer_only(
    manager_client, employer, mix, other_employee
):
    mine = mix["invite"][0]
    page = manager_client.get(url(employer, "grant"), ids(mine, other_employee)).content.decode()
    assert f'name="employee" value="{mine.pk}"' in page
    assert f'value="{other_employee.pk}"' not in page


def test_another_employers_employees_are_never_acted_on(employer, mix, other_employee, confirm):
    confirm(employer, "grant", ids(mix["invite"][0], other_employee))
    assert not Invitation.objects.filter(employee=other_employee).exists()
    assert Invitation.objects.filter(employee=mix["invite"][0]).count() == 1


def test_only_another_employers_ids_is_an_empty_selection(
    manager_client, employer, other_employee, confirm
):
    response = manager_client.get(url(employer, "grant"), ids(other_employee), **EN)
    assert response.status_code == 302
    confirm(employer, "grant", ids(other_employee))
    assert not GrantBatch.objects.exists() and not Invitation.objects.exists()


def test_another_employers_selection_page_is_not_found(manager_client, other_employer):
    assert manager_client.get(url(other_employer, "grant"), {"scope": "all"}).status_code == 404


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_empty_selection_says_so_and_changes_nothing(manager_client, employer, mix, method):
    response = getattr(manager_client, method)(
        url(employer, "grant"), {"q": "nieuw"}, follow=True, **EN
    )
    back = reverse("hr:employee_list", args=[employer.pk]) + "?q=nieuw"
    assert response.redirect_chain[0][0] == back  # the list as it was
    assert "Select at least one employee first." in response.content.decode()
    assert not GrantBatch.objects.exists() and not Invitation.objects.exists()


def test_all_matching_the_filter_acts_on_exactly_the_filtered_set_beyond_the_first_page(
    manager_client, employer, confirm
):
    matching = [EmployeeFactory(employer=employer, last_name=f"Jansen{i:02}") for i in range(30)]
    others = [EmployeeFactory(employer=employer, last_name=f"Pietersen{i}") for i in range(3)]
    listed = manager_client.get(
        reverse("hr:employee_list", args=[employer.pk]), {"q": "jansen"}, **EN
    ).content.decode()
    assert "All 30 employees matching this filter" in listed
    data = {"scope": "all", "q": "jansen", "employee": [others[0].pk]}  # ids are ignored
    page = manager_client.get(url(employer, "grant"), data, **EN).content.decode()
    assert 'id="selection-act" data-count="30"' in page
    assert 'name="scope" value="all"' in page and 'name="q" value="jansen"' in page
    confirm(employer, "grant", data)
    invited = set(Invitation.objects.values_list("employee_id", flat=True))
    assert invited == {e.pk for e in matching}
    assert len(mail.outbox) == 30


def test_all_matching_is_evaluated_again_on_confirm(employer, confirm):
    EmployeeFactory(employer=employer, last_name="Jansen")
    late = EmployeeFactory(employer=employer, last_name="Jansen-Later", email="")
    late.email = "later@example.test"
    late.save()
    confirm(employer, "grant", {"scope": "all", "q": "jansen"})
    assert Invitation.objects.filter(employee=late).exists()


def test_all_matching_with_an_access_tab_takes_only_that_state(employer, mix, grant, confirm):
    grant(mix["invite"][0])
    confirm(employer, "revoke", {"scope": "all", "access": "invited"})
    assert Invitation.objects.get(employee=mix["invite"][0]).status == "revoked"
    assert AuditEvent.objects.filter(action=AuditEvent.Action.REVOKED).count() == 1


def test_a_viewer_sees_no_checkboxes_and_is_refused(viewer_client, employer, mix, confirm):
    page = viewer_client.get(reverse("hr:employee_list", args=[employer.pk])).content.decode()
    assert 'name="employee"' not in page and "selection/" not in page
    for action in ("grant", "resend", "revoke", "block", "unblock"):
        assert viewer_client.get(url(employer, action), ids(*mix["invite"])).status_code == 403
        response = confirm(employer, action, ids(*mix["invite"]), client=viewer_client)
        assert response.status_code == 403
    assert not GrantBatch.objects.exists() and not Invitation.objects.exists()


def test_a_manager_sees_a_labelled_checkbox_per_employee_and_the_actions(
    manager_client, employer, mix
):
    page = manager_client.get(
        reverse("hr:employee_list", args=[employer.pk]), **EN
    ).content.decode()
    person = mix["invite"][0]
    assert f'id="pick-{person.pk}" form="selection"' in page
    assert f'aria-label="Select {person.full_name}"' in page
    for action in ("grant", "resend", "revoke", "block", "unblock"):
        assert f'formaction="{url(employer, action)}"' in page
    assert "matching this filter" not in page  # everyone fits on one page


def test_blocking_the_selection_is_audited_like_blocking_one(manager_client, employer, confirm):
    active = [EmployeeFactory(employer=employer, user=UserFactory()) for _ in range(2)]
    blocked = EmployeeFactory(employer=employer, user=UserFactory(is_active=False))
    no_account = EmployeeFactory(employer=employer)
    selection = ids(*active, blocked, no_account)
    page = manager_client.get(url(employer, "block"), selection, **EN).content.decode()
    assert "2 accounts will be blocked" in page and 'class="button danger"' in page
    assert "signed out everywhere" in page
    assert 'data-outcome="blocked" data-count="1"' in page
    assert 'data-outcome="no_account" data-count="1"' in page
    response = confirm(employer, "block", selection)
    assert response.url == reverse("hr:employee_list", args=[employer.pk])
    for person in active:
        person.user.refresh_from_db()
        assert not person.user.is_active
    events = AuditEvent.objects.filter(action=AuditEvent.Action.BLOCKED)
    assert {e.employee_id for e in events} == {p.pk for p in active}
    assert all(e.actor is not None and e.employer_id == employer.pk for e in events)


def test_unblocking_the_selection_is_audited(employer, confirm):
    blocked = [EmployeeFactory(employer=employer, user=UserFactory(is_active=False)) for _ in "ab"]
    active = EmployeeFactory(employer=employer, user=UserFactory())
    confirm(employer, "unblock", ids(*blocked, active))
    for person in blocked:
        person.user.refresh_from_db()
        assert person.user.is_active
    events = AuditEvent.objects.filter(action=AuditEvent.Action.UNBLOCKED)
    assert {e.employee_id for e in events} == {p.pk for p in blocked}


def test_revoking_the_selection_is_audited_and_named_as_destructive(
    manager_client, employer, mix, grant, confirm
):
    for person in mix["invite"][:2]:
        grant(person)
    selection = ids(*mix["invite"], mix["has_account"])
    page = manager_client.get(url(employer, "revoke"), selection, **EN).content.decode()
    assert "Revoke 2 invitations" in page and 'class="button danger"' in page
    assert 'data-outcome="not_invited" data-count="1"' in page
    assert 'data-outcome="has_account" data-count="1"' in page
    confirm(employer, "revoke", selection)
    revoked = Invitation.objects.filter(status="revoked")
    assert {i.employee_id for i in revoked} == {p.pk for p in mix["invite"][:2]}
    assert AuditEvent.objects.filter(action=AuditEvent.Action.REVOKED).count() == 2


def test_sending_again_replaces_the_open_invitations_through_a_batch(employer, mix, grant, confirm):
    first, second, never = mix["invite"]
    old = [grant(first), grant(second)]
    Invitation.objects.filter(pk=old[1].pk).update(status="locked")
    mail.outbox.clear()
    response = confirm(employer, "resend", ids(first, second, never))
    batch = GrantBatch.objects.get()
    assert response.url == reverse("hr:collective_batch", args=[employer.pk, batch.pk])
    batch.refresh_from_db()
    assert (batch.kind, batch.invited, batch.total) == ("resend", 2, 3)
    replaced = Invitation.objects.filter(pk__in=[o.pk for o in old])
    assert set(replaced.values_list("status", flat=True)) == {"superseded"}
    new = Invitation.objects.filter(batch=batch, status="pending")
    assert {i.employee_id for i in new} == {first.pk, second.pk}
    assert all(i.is_resend for i in new)
    assert not Invitation.objects.filter(employee=never).exists()
    assert len(mail.outbox) == 2
    assert AuditEvent.objects.filter(action=AuditEvent.Action.RESENT).count() == 2


def test_eligibility_is_checked_again_at_confirm(manager_client, employer, confirm):
    person = EmployeeFactory(employer=employer, user=UserFactory())
    manager_client.get(url(employer, "block"), ids(person))
    person.user.is_active = False  # blocked by someone else in between
    person.user.save()
    response = confirm(employer, "block", ids(person))
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.BLOCKED).exists()


def test_no_selection_batch_starts_while_another_grant_runs(employer, mix, manager_client):
    running = grant_batch_start(employer=employer)  # its job not run: still running
    response = manager_client.post(url(employer, "grant"), ids(*mix["invite"]), follow=True, **EN)
    assert "still being sent" in response.content.decode()
    assert list(GrantBatch.objects.all()) == [running]
    assert not Invitation.objects.exists()


def test_the_same_confirm_twice_starts_one_batch(employer, mix, confirm):
    data = {**ids(*mix["invite"]), "request_key": "k1"}
    confirm(employer, "grant", data)
    confirm(employer, "grant", data)
    assert GrantBatch.objects.count() == 1 and len(mail.outbox) == 3


def test_the_report_of_a_selection_lists_the_selected_employees_only(
    manager_client, employer, mix, confirm
):
    confirm(employer, "grant", ids(mix["invite"][0], mix["no_email"]))
    batch = GrantBatch.objects.get()
    csv = b"".join(
        manager_client.get(reverse("hr:collective_batch_csv", args=[employer.pk, batch.pk]))
    ).decode()
    assert mix["invite"][0].full_name in csv and mix["no_email"].full_name in csv
    assert mix["invite"][1].full_name not in csv


def test_blocking_a_selection_asks_for_the_second_factor_again_like_the_collective_block(
    manager_client, employer, confirm
):
    person = EmployeeFactory(employer=employer, user=UserFactory())
    later = timezone.now() + datetime.timedelta(minutes=15, seconds=5)
    with time_machine.travel(later):
        preview = manager_client.get(url(employer, "block"), ids(person))
        confirmed = confirm(employer, "block", ids(person))
    assert preview["Location"].startswith(reverse("mfa:recheck"))
    assert confirmed["Location"].startswith(reverse("mfa:recheck"))
    person.user.refresh_from_db()
    assert person.user.is_active
