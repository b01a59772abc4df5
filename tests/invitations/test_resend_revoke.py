"""R13: resend and revoke, only while the invitation is unused."""

import pytest
from django.core import mail

from employers.models import AuditEvent
from invitations.models import Invitation
from invitations.services import InvitationError, invitation_resend, invitation_revoke


def test_resend_replaces_the_invitation_and_sends_a_new_mail(grant, employee, on_commit):
    first = grant(employee)
    with on_commit():
        second = invitation_resend(employee=employee)
    first.refresh_from_db()
    assert first.status == "superseded" and second.status == "pending"
    assert len(mail.outbox) == 2
    assert second.is_resend
    assert AuditEvent.objects.filter(employee=employee, action="resent").count() == 1


def test_resend_unlocks_a_locked_invitation_with_a_fresh_counter(grant, employee, on_commit):
    first = grant(employee)
    Invitation.objects.filter(pk=first.pk).update(status="locked", failed_attempts=5)
    with on_commit():
        second = invitation_resend(employee=employee)
    assert second.status == "pending" and second.failed_attempts == 0


def test_revoke_closes_the_invitation(grant, employee):
    invitation = grant(employee)
    invitation_revoke(employee=employee)
    invitation.refresh_from_db()
    assert invitation.status == "revoked" and invitation.closed_at


@pytest.mark.parametrize("status", ["accepted", "revoked", "superseded", "expired"])
@pytest.mark.parametrize("action", [invitation_resend, invitation_revoke])
def test_resend_and_revoke_only_while_unused(grant, employee, status, action):
    invitation = grant(employee)
    Invitation.objects.filter(pk=invitation.pk).update(status=status)
    with pytest.raises(InvitationError):
        action(employee=employee)
    assert Invitation.objects.filter(employee=employee).count() == 1


def test_a_revoked_invitations_queued_mail_is_never_sent(employee, on_commit):
    from invitations.outbox import invitations_send_mail
    from invitations.services import invitation_grant

    invitation = invitation_grant(employee=employee)  # mail still queued
    invitation_revoke(employee=employee)
    result = invitations_send_mail(invitation_ids=[invitation.pk])
    assert result.skipped == 1 and not mail.outbox
