import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Freshly queued mail is sent by the task started on commit; the sweep only steps in after this.
OUTBOX_GRACE = datetime.timedelta(minutes=2)
# A collective grant whose worker has been silent this long is started again by the sweep (and
# HR is told it waits to resume).
BATCH_STALLED_AFTER = datetime.timedelta(minutes=2)


def invitation_validity() -> datetime.timedelta:
    """R11: a link lives this long after its mail was sent."""
    return datetime.timedelta(days=settings.INVITATION_VALID_DAYS)


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    LOCKED = "locked", _("Locked")
    ACCEPTED = "accepted", _("Used")
    REVOKED = "revoked", _("Revoked")
    SUPERSEDED = "superseded", _("Replaced")
    EXPIRED = "expired", _("Expired")
    # Its mail was refused for good (or bounced): the link never reached the employee, who can
    # be invited again, one by one or collectively, or have the same invitation queued again.
    UNDELIVERED = "undelivered", _("Mail not delivered")


# Open: neither used, revoked, replaced nor closed as expired; the employee's current invitation.
OPEN_STATUSES = [InvitationStatus.PENDING, InvitationStatus.LOCKED]


class InvitationQuerySet(models.QuerySet):
    """The invitation's states as queries, the one place that says what open, valid and expired
    mean (the model's `is_expired` says the same of one row)."""

    def open(self):
        """Pending or locked: the employee's current invitation (at most one, by constraint)."""
        return self.filter(status__in=OPEN_STATUSES)

    def valid(self, now):
        """Pending and within its validity; a queued mail has not started the clock (R11)."""
        return self.filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now), status=InvitationStatus.PENDING
        )

    def expired(self, now):
        """Pending but past its validity. The row stays `pending` until something replaces it."""
        return self.filter(status=InvitationStatus.PENDING, expires_at__lte=now)

    def close_expired(self, now) -> int:
        """Give expired rows their final status, so that a new invitation may take their place."""
        return self.expired(now).update(status=InvitationStatus.EXPIRED, closed_at=now)


class Invitation(models.Model):
    """One personal link to the portal (R7). The row is also the outbox of its mail.

    The raw token never touches the database: the mail task derives it from the row's nonce with
    a server-side key (invitations.tokens), stores only its SHA-256 hash and puts the token in the
    mail. A resend is a new row; the old one becomes superseded.
    """

    Status = InvitationStatus

    class MailStatus(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        BOUNCED = "bounced", _("Bounced")
        COMPLAINED = "complained", _("Marked as spam")
        FAILED = "failed", _("Failed")

    OPEN_STATUSES = OPEN_STATUSES

    employee = models.ForeignKey(
        "employees.Employee", on_delete=models.CASCADE, related_name="invitations"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    # Set by the mail task the first time it claims the row; null while the mail is still queued.
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    # The token is derived from this with a server-side key: every attempt mails the same link.
    token_nonce = models.CharField(max_length=32, blank=True)
    # Set on each claim of the mail; every write that follows the claim checks it (fencing), so
    # a worker that lost its claim (paused past its lease) writes nothing.
    mail_claim = models.CharField(max_length=32, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    # "Taken" answers on the username step; like failed_attempts, only a resend starts again.
    taken_usernames = models.PositiveSmallIntegerField(default=0)
    mail_status = models.CharField(
        max_length=12, choices=MailStatus.choices, default=MailStatus.QUEUED
    )
    mail_attempts = models.PositiveSmallIntegerField(default=0)
    mail_message_id = models.CharField(max_length=255, blank=True, db_index=True)
    # Where the mail was handed over for, recorded at that moment: the employee's address may be
    # corrected afterwards, and HR must see where this link really went.
    mail_to = models.EmailField(blank=True)
    mail_error = models.CharField(max_length=500, blank=True)
    mail_updated_at = models.DateTimeField(default=timezone.now)
    # The outbox sweep picks up queued mail from this moment on: a short grace period after
    # queueing (the task started on commit normally sends it first), later the retry backoff;
    # while `sending`, the end of the claim's lease.
    mail_next_attempt_at = models.DateTimeField(default=timezone.now)
    is_resend = models.BooleanField(default=False)
    batch = models.ForeignKey(
        "invitations.GrantBatch",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # At most one open invitation per employee: two HR users, a double click or a
            # collective job racing an individual grant can never produce two live links.
            models.UniqueConstraint(
                fields=["employee"],
                condition=Q(status__in=OPEN_STATUSES),
                name="invitation_one_open_per_employee",
            ),
        ]
        indexes = [
            models.Index(
                fields=["mail_status", "mail_next_attempt_at"],
                name="invitation_outbox",
                condition=Q(mail_status__in=["queued", "sending"]),
            ),
            models.Index(fields=["batch", "mail_status"], name="invitation_by_batch"),
        ]

    def __str__(self):
        return f"Invitation {self.pk} ({self.status})"

    @property
    def locked_for_taken_usernames(self) -> bool:
        """Locked on the username step (too many taken names), not for wrong birth dates."""
        return (
            self.status == self.Status.LOCKED
            and self.taken_usernames >= settings.INVITATION_MAX_TAKEN_USERNAMES
        )

    def is_expired(self, now=None) -> bool:
        """R11: the link lives INVITATION_VALID_DAYS from sending; a queued mail has not started
        the clock."""
        now = now or timezone.now()
        return self.status == self.Status.EXPIRED or (
            self.status == self.Status.PENDING
            and self.expires_at is not None
            and now >= self.expires_at
        )


class GrantBatch(models.Model):
    """A collective grant (R5): one background job over an employer's eligible employees; or
    over the employees HR selected on the list (grant access, or send the invitation again)."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")

    class Kind(models.TextChoices):
        GRANT = "grant", _("Grant access")
        RESEND = "resend", _("Send invitation again")

    employer = models.ForeignKey(
        "employers.Employer", on_delete=models.CASCADE, related_name="grant_batches"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.GRANT)
    # Over the employees HR selected on the list (planned at once, in the request), rather
    # than over every employee of the employer (planned by the job).
    selected = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    # Set once the employees have been sorted into invited and left out; the job resumes after.
    planned = models.BooleanField(default=False)
    # The confirm form's one-time key: a retried or doubled request joins the same batch.
    request_key = models.CharField(max_length=64, unique=True, null=True, blank=True)
    # Updated after every chunk; a running batch whose worker went quiet is picked up again.
    heartbeat_at = models.DateTimeField(default=timezone.now)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    invited = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One running collective grant per employer: a second click joins the running one.
            models.UniqueConstraint(
                fields=["employer"],
                condition=Q(status="running"),
                name="grantbatch_one_running_per_employer",
            ),
        ]

    def __str__(self):
        return f"Grant batch {self.pk} ({self.status})"

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, self.processed * 100 // self.total)


class GrantBatchItem(models.Model):
    """What the collective grant did with one employee, for HR's summary and CSV."""

    class Outcome(models.TextChoices):
        PLANNED = "planned", _("Waiting")
        INVITED = "invited", _("Invited")
        SKIPPED_END_DATE = "end_date", _("Has an end date")
        SKIPPED_NO_EMAIL = "no_email", _("No email address")
        SKIPPED_HAS_ACCOUNT = "has_account", _("Already has an account")
        SKIPPED_PENDING = "pending", _("A valid invitation is pending")
        SKIPPED_LOCKED = "locked", _("Invitation locked")
        # Sending again needs an open invitation (pending or locked) to replace.
        SKIPPED_NOT_INVITED = "not_invited", _("No open invitation")

    batch = models.ForeignKey(GrantBatch, on_delete=models.CASCADE, related_name="items")
    employee = models.ForeignKey("employees.Employee", on_delete=models.CASCADE, related_name="+")
    outcome = models.CharField(max_length=12, choices=Outcome.choices)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "employee"], name="grantbatchitem_once"),
        ]
        indexes = [models.Index(fields=["batch", "outcome"], name="grantbatchitem_by_outcome")]

    def __str__(self):
        return f"{self.employee_id}: {self.outcome}"
