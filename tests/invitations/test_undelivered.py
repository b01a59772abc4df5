"""A mail that was not delivered leaves the employee visibly re-grantable, one by one and in bulk
(issue 14): HR's list and panel show it, HR sends them again, operators use
`send_queued_mail --failed`, and a bounce reported by the provider closes the invitation too."""

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from employers.models import AuditEvent
from invitations.models import Invitation
from invitations.outbox import invitations_send_mail
from invitations.selectors import AccessState, EmployeeFilters, employee_list_for_employer
from invitations.services import invitation_grant
from invitations.tokens import token_for
from invitations.tracking import invitation_record_tracking
from tests.factories import EmployeeFactory
from tests.invitations.helpers import link_path
from tests.mail_backends import FailingBackend

pytestmark = pytest.mark.django_db


def undelivered(employee) -> Invitation:
    invitation = invitation_grant(employee=employee)
    invitations_send_mail(invitation_ids=[invitation.pk])
    invitation.refresh_from_db()
    assert invitation.status == "undelivered"
    return invitation


def states(employer, access) -> list[str]:
    rows = employee_list_for_employer(employer, EmployeeFilters(access=access))
    return sorted(e.last_name for e in rows)


def test_hr_filters_the_list_by_undelivered_and_no_access_leaves_them_out(employer, refused):
    bounced = EmployeeFactory(employer=employer, last_name="Bounced")
    EmployeeFactory(employer=employer, last_name="Fresh")
    undelivered(bounced)
    assert states(employer, AccessState.UNDELIVERED) == ["Bounced"]
    assert states(employer, AccessState.NO_ACCESS) == ["Fresh"]
    # Invited again: the new invitation decides the state, not the old failure.
    FailingBackend.error = None
    invitation_grant(employee=bounced)
    assert states(employer, AccessState.UNDELIVERED) == []
    assert states(employer, AccessState.INVITED) == ["Bounced"]


def test_the_access_panel_explains_and_offers_to_grant_again(manager_client, employee, refused):
    undelivered(employee)
    url = reverse("hr:employee_detail", args=[employee.pk])
    page = manager_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Invitation not delivered" in page
    assert "could not be delivered" in page
    assert reverse("hr:invitation_grant", args=[employee.pk]) in page


def test_hr_sends_the_undelivered_invitations_again_to_the_corrected_address(
    manager_client, employer, refused, on_commit
):
    wrong = EmployeeFactory(employer=employer, email="anna@exmaple.test")
    other = EmployeeFactory(employer=employer)
    first, second = undelivered(wrong), undelivered(other)
    FailingBackend.error = None
    wrong.email = "anna@example.test"
    wrong.save(update_fields=["email"])
    url = reverse("hr:invitations_requeue_undelivered", args=[employer.pk])
    with on_commit():
        response = manager_client.post(url)
    assert response.status_code == 302 and response["Location"].endswith("?access=undelivered")
    assert sorted(m.to[0] for m in mail.outbox) == sorted(["anna@example.test", other.email])
    for invitation in (first, second):
        invitation.refresh_from_db()
        assert (invitation.status, invitation.mail_status) == ("pending", "sent")
    assert AuditEvent.objects.filter(action="resent", employee=wrong).count() == 1


def test_a_viewer_cannot_send_them_again_and_another_employer_is_not_found(
    viewer_client, manager_client, other_employer, employer, refused
):
    invitation = undelivered(EmployeeFactory(employer=employer))
    url = reverse("hr:invitations_requeue_undelivered", args=[employer.pk])
    assert viewer_client.post(url).status_code == 403
    assert manager_client.get(url).status_code == 405
    foreign = reverse("hr:invitations_requeue_undelivered", args=[other_employer.pk])
    assert manager_client.post(foreign).status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == "undelivered"


def test_an_employee_who_meanwhile_has_an_account_or_no_address_is_not_sent_again(
    employer, refused
):
    no_address = EmployeeFactory(employer=employer)
    undelivered(no_address)
    no_address.email = ""
    no_address.save(update_fields=["email"])
    FailingBackend.error = None
    assert call_command("send_queued_mail", "--failed").startswith("0 niet afgeleverde")
    assert mail.outbox == []


def test_the_operator_command_queues_the_undelivered_again_and_sends_them(employer, refused):
    invitation = undelivered(EmployeeFactory(employer=employer))
    FailingBackend.error = None
    output = call_command("send_queued_mail", "--failed", "--employer", str(employer.pk))
    # Commands speak the site's language (Dutch).
    assert output.startswith("1 niet afgeleverde opnieuw in de wachtrij; 1 verstuurd")
    invitation.refresh_from_db()
    assert invitation.mail_status == "sent" and invitation.mail_attempts == 1


def test_send_queued_mail_now_sends_fresh_grants_without_waiting_for_the_grace(employee):
    invitation = invitation_grant(employee=employee)  # its task never ran: no commit
    assert "; 0 verstuurd" in call_command("send_queued_mail")
    assert "; 1 verstuurd" in call_command("send_queued_mail", "--now")
    invitation.refresh_from_db()
    assert invitation.mail_status == "sent"


@pytest.mark.parametrize("event_type", ["bounced", "failed"])
def test_a_bounce_reported_by_the_provider_closes_the_invitation(employee, event_type):
    invitation = invitation_grant(employee=employee)
    invitations_send_mail(invitation_ids=[invitation.pk])
    Invitation.objects.filter(pk=invitation.pk).update(mail_message_id="msg-9")
    assert invitation_record_tracking(message_id="msg-9", event_type=event_type)
    invitation.refresh_from_db()
    assert invitation.status == "undelivered" and invitation.closed_at is not None
    # A later "delivered" changes neither the mail state nor the invitation.
    assert not invitation_record_tracking(message_id="msg-9", event_type="delivered")


def test_the_link_of_an_undelivered_invitation_says_so(client, employee, refused, settings):

    invitation = undelivered(employee)
    response = client.get(link_path(token_for(invitation.token_nonce)), follow=True)
    assert response.status_code == 410  # gone, like every dead link
    assert response.context["state"] == "undelivered"
