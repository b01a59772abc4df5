"""The three ways bench/collective_grant.py invites employees, and the employees it invites.

- batch: the real path (grant_batch_start + grant_batch_run);
- floor: the same rows and mails with nothing around them;
- naive: the service an HR click uses, one employee at a time.
"""

import datetime
import itertools

SEED_PIECE = 5000
EMPLOYERS = itertools.count(1)


def seed(n: int):
    """An employer with n employees who can all be invited. The rows go in with bulk_create, in
    pieces, so that the seeding's memory does not hide the growth of the run measured after it."""
    from django.db import transaction

    from employees.models import Employee
    from employers.models import Employer, Provider

    provider, _ = Provider.objects.get_or_create(name="Bench provider")
    employer = Employer.objects.create(provider=provider, name=f"Bench {next(EMPLOYERS)} ({n})")

    def employee(i: int) -> Employee:
        new = Employee(
            employer=employer,
            number=str(100000 + i),
            first_name="Bench",
            last_name=f"Werknemer{i}",
            birth_date=datetime.date(1980, 1, 1) + datetime.timedelta(days=i % 9000),
            email=f"bench{i}@example.test",
            start_date=datetime.date(2020, 1, 1),
        )
        new.refresh_search_text()
        return new

    with transaction.atomic():
        for start in range(0, n, SEED_PIECE):
            Employee.objects.bulk_create(
                [employee(i) for i in range(start, min(n, start + SEED_PIECE))]
            )
    return employer


def invite_batch(employer) -> int:
    from invitations.collective import grant_batch_run
    from invitations.services import grant_batch_start

    # With tasks run in-process, the start already runs the job; the run call is what a worker
    # would do, and returns at once for a finished batch.
    return grant_batch_run(batch_id=grant_batch_start(employer=employer).pk).invited


def invite_floor(employer) -> int:
    """The bare floor: the same rows and the same mails, with nothing around them."""
    from django.conf import settings
    from django.core.mail import get_connection
    from django.db import transaction
    from django.utils import timezone

    from employees.models import Employee
    from invitations.mails import InvitationMails, invitation_link
    from invitations.models import Invitation, invitation_validity
    from invitations.tokens import token_for, token_hash, token_nonce_new

    chunk_size = settings.COLLECTIVE_CHUNK_SIZE
    employees = Employee.objects.filter(employer=employer).select_related("employer")
    last_pk = invited = 0
    while chunk := list(employees.filter(pk__gt=last_pk).order_by("pk")[:chunk_size]):
        last_pk = chunk[-1].pk
        now = timezone.now()
        expires_at = now + invitation_validity()
        raw_tokens, invitations = [], []
        for employee in chunk:
            nonce = token_nonce_new()
            raw = token_for(nonce)
            raw_tokens.append(raw)
            invitations.append(
                Invitation(
                    employee=employee,
                    token_nonce=nonce,
                    token_hash=token_hash(raw),
                    sent_at=now,
                    expires_at=expires_at,
                    mail_status=Invitation.MailStatus.SENT,
                    mail_attempts=1,
                    created_at=now,
                    mail_updated_at=now,
                )
            )
        with transaction.atomic():
            Invitation.objects.bulk_create(invitations)
        # As the outbox does: texts resolved once per chunk, one connection per chunk.
        mails = InvitationMails()
        with get_connection() as connection:
            invited += connection.send_messages(
                [
                    mails.message(
                        invitation,
                        link=invitation_link(raw),
                        valid_until=expires_at,
                        connection=connection,
                    )
                    for invitation, raw in zip(invitations, raw_tokens, strict=True)
                ]
            )
    return invited


def invite_naive(employer) -> int:
    from django.db import transaction

    from employees.models import Employee
    from invitations.services import invitation_grant

    employees = list(Employee.objects.filter(employer=employer))
    for employee in employees:
        with transaction.atomic():
            invitation_grant(employee=employee)
    return len(employees)


INVITE = {"batch": invite_batch, "floor": invite_floor, "naive": invite_naive}
