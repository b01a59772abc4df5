"""The access panel on the employee's overview page (R4, R6, R11, R13)."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from invitations.models import Invitation
from tests.factories import UserFactory
from tests.mfa_helpers import force_login_verified


def panel(client, employee):
    response = client.get(reverse("hr:employee_detail", args=[employee.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    actions = {
        name
        for name in ("grant", "resend", "revoke")
        if reverse(f"hr:invitation_{name}", args=[employee.pk]) in html
    }
    return response.context["access_state"], actions


def test_no_email_means_no_grant_action_and_a_hint(manager_client, employee):
    employee.email = ""
    employee.save()
    assert panel(manager_client, employee) == ("no_email", set())


def test_email_known_and_no_account_offers_grant(manager_client, employee):
    assert panel(manager_client, employee) == ("no_access", {"grant"})


def test_invited_shows_resend_and_revoke(manager_client, employee, grant):
    grant(employee)
    assert panel(manager_client, employee) == ("invited", {"resend", "revoke"})


def test_expired_offers_grant_again(manager_client, employee, grant, employer_manager):
    grant(employee)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=4, seconds=1)):
        force_login_verified(
            manager_client, employer_manager
        )  # the idle timeout ended the old session
        assert panel(manager_client, employee) == ("expired", {"grant"})


def test_locked_offers_resend(manager_client, employee, grant):
    invitation = grant(employee)
    Invitation.objects.filter(pk=invitation.pk).update(status="locked")
    assert panel(manager_client, employee)[0] == "locked"
    assert "resend" in panel(manager_client, employee)[1]


def test_activated_shows_the_username_and_no_invitation_actions(manager_client, employee):
    employee.user = UserFactory(username="anna.bakker")
    employee.save()
    state, actions = panel(manager_client, employee)
    assert (state, actions) == ("active", set())
    assert (
        b"anna.bakker"
        in manager_client.get(reverse("hr:employee_detail", args=[employee.pk])).content
    )


def test_the_read_only_role_sees_the_state_but_no_actions(viewer_client, employee):
    assert panel(viewer_client, employee) == ("no_access", set())


def test_hr_grants_resends_and_revokes_through_the_panel(manager_client, employee, on_commit):
    with on_commit():
        manager_client.post(reverse("hr:invitation_grant", args=[employee.pk]))
    with on_commit():
        manager_client.post(reverse("hr:invitation_resend", args=[employee.pk]))
    assert len(mail.outbox) == 2
    manager_client.post(reverse("hr:invitation_revoke", args=[employee.pk]))
    assert panel(manager_client, employee) == ("no_access", {"grant"})


def test_an_action_the_state_does_not_allow_shows_a_message(manager_client, employee):
    response = manager_client.post(reverse("hr:invitation_revoke", args=[employee.pk]), follow=True)
    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


@pytest.mark.parametrize("action", ["grant", "resend"])
def test_actions_are_post_only(manager_client, employee, action):
    assert (
        manager_client.get(reverse(f"hr:invitation_{action}", args=[employee.pk])).status_code
        == 405
    )


@pytest.mark.parametrize("action", ["grant", "resend", "revoke"])
def test_another_employers_employee_is_404_for_every_action(manager_client, other_employee, action):
    response = manager_client.post(reverse(f"hr:invitation_{action}", args=[other_employee.pk]))
    assert response.status_code == 404
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("action", ["grant", "resend", "revoke"])
def test_the_read_only_role_gets_403_for_every_action(viewer_client, employee, action):
    assert (
        viewer_client.post(reverse(f"hr:invitation_{action}", args=[employee.pk])).status_code
        == 403
    )
    assert not Invitation.objects.exists()


def test_the_list_shows_and_filters_the_access_state(
    manager_client, employer, employee, grant, employer_manager
):
    from tests.factories import EmployeeFactory

    other = EmployeeFactory(employer=employer, last_name="Anders")
    grant(employee)
    url = reverse("hr:employee_list", args=[employer.pk])
    rows = manager_client.get(url).context["employees"]
    assert {e.pk: e.access_state for e in rows} == {employee.pk: "invited", other.pk: "no_access"}
    invited = manager_client.get(url + "?access=invited").context["employees"]
    assert [e.pk for e in invited] == [employee.pk]
    with time_machine.travel(timezone.now() + datetime.timedelta(days=5)):
        force_login_verified(manager_client, employer_manager)
        expired = manager_client.get(url + "?access=expired").context["employees"]
    assert [e.pk for e in expired] == [employee.pk]


def sent_to(client, employee) -> str:
    url = reverse("hr:employee_detail", args=[employee.pk])
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    label = "To be sent to" if "To be sent to" in html else "Sent to"
    return html.split(f"<dt>{label}</dt><dd>", 1)[1].split("</dd>", 1)[0]


def test_the_panel_shows_where_the_mail_really_went_not_the_current_address(
    manager_client, employee, grant
):
    invited_at = employee.email
    invitation = grant(employee)
    # Changed outside HR's form (an operator in the admin, say): the mail went elsewhere.
    type(employee).objects.filter(pk=employee.pk).update(email="later@example.test")
    assert sent_to(manager_client, employee) == invited_at
    assert Invitation.objects.get(pk=invitation.pk).mail_to == invited_at


def test_after_a_correction_the_panel_shows_the_new_mail_going_to_the_new_address(
    manager_client, employee, grant, on_commit
):
    grant(employee)
    url = reverse("hr:employee_edit", args=[employee.pk])
    manager_client.post(url, {"email": "anna@example.test", "language": "nl"})
    # The replacement's mail is still queued: it goes to the address as it is now.
    assert sent_to(manager_client, employee) == "anna@example.test"
    with on_commit():
        from invitations.outbox import invitations_send_mail

        invitations_send_mail(invitation_ids=[Invitation.objects.open().get().pk])
    assert sent_to(manager_client, employee) == "anna@example.test"
    assert Invitation.objects.open().get().mail_to == "anna@example.test"


def test_a_mail_that_failed_shows_no_recipient(manager_client, employee, grant):
    invitation = grant(employee)
    Invitation.objects.filter(pk=invitation.pk).update(mail_status="failed", mail_to="")
    assert sent_to(manager_client, employee) == "—"


REFUSED = (
    "SMTPRecipientsRefused: {'anna@example.nl': (550, b'5.1.1 <anna@example.nl>: User unknown')}"
)


def panel_html(client, employee) -> str:
    url = reverse("hr:employee_detail", args=[employee.pk])
    return client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_a_refused_address_reads_as_a_sentence_with_the_detail_tucked_away(
    manager_client, employee, grant
):
    invitation = grant(employee)
    Invitation.objects.filter(pk=invitation.pk).update(mail_status="failed", mail_error=REFUSED)
    html = panel_html(manager_client, employee)
    assert 'data-mail-problem="address_unknown"' in html
    assert "Delivery failed: the address does not exist." in html
    # The technical text is only inside the <details> for the operator, escaped.
    before_details, details = html.split("<details", 1)
    assert "SMTPRecipientsRefused" not in before_details
    assert "SMTPRecipientsRefused: {&#x27;anna@example.nl&#x27;" in details


def test_a_mail_that_will_be_retried_says_when(manager_client, employee, grant):
    invitation = grant(employee)
    retry_at = timezone.now() + datetime.timedelta(minutes=10)
    Invitation.objects.filter(pk=invitation.pk).update(
        mail_status="queued",
        mail_error="SMTPRecipientsRefused: {'anna@example.nl': (451, b'4.7.1 Greylisted')}",
        mail_next_attempt_at=retry_at,
    )
    html = panel_html(manager_client, employee)
    assert 'data-mail-problem="try_later"' in html
    local = timezone.localtime(retry_at)
    assert "We will try again at " in html and f"{local:%H:%M}." in html


def test_a_mail_sent_after_a_failed_attempt_shows_no_complaint(manager_client, employee, grant):
    invitation = grant(employee)
    Invitation.objects.filter(pk=invitation.pk).update(mail_status="sent", mail_error=REFUSED)
    html = panel_html(manager_client, employee)
    assert "data-mail-problem" not in html
    assert "SMTPRecipientsRefused" not in html


@pytest.mark.parametrize(
    ("status", "description", "shown"),
    [
        ("bounced", "Mailbox does not exist", "address_unknown"),
        ("bounced", "Not delivered", "recipient_refused"),
        ("complained", "abuse report", None),  # delivered; the badge says it was marked as spam
    ],
)
def test_a_tracked_bounce_is_explained_and_a_complaint_is_not_called_a_failure(
    manager_client, employee, grant, status, description, shown
):
    invitation = grant(employee)
    Invitation.objects.filter(pk=invitation.pk).update(mail_status=status, mail_error=description)
    html = panel_html(manager_client, employee)
    if shown is None:
        assert "data-mail-problem" not in html
    else:
        assert f'data-mail-problem="{shown}"' in html
