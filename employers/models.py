from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from essportal.mail.logo import LOGO_MAX_BYTES
from essportal.validators import validate_one_line


def validate_logo_size(file) -> None:
    if file.size > LOGO_MAX_BYTES:
        raise ValidationError(_("The logo may be at most 200 kB."))


class Provider(models.Model):
    """A payroll office (administratiekantoor) that serves many employers."""

    name = models.CharField(_("name"), max_length=200, unique=True, validators=[validate_one_line])
    # The default of its employers that do not choose themselves (Employer.require_two_factor).
    employees_require_two_factor = models.BooleanField(
        _("require two-step sign-in for employees"), default=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("provider")
        verbose_name_plural = _("providers")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "employees_require_two_factor" not in update_fields:
            return
        # The employers that follow this default (Employer.employees_need_two_factor).
        self.employers.filter(require_two_factor__isnull=True).update(
            employees_need_two_factor=self.employees_require_two_factor
        )


class Employer(models.Model):
    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, related_name="employers", verbose_name=_("provider")
    )
    # The name is the sender's display name in mails and appears on every page: one line.
    name = models.CharField(_("name"), max_length=200, validators=[validate_one_line])
    # Whom employees ask about their data, invitations and payslips.
    contact_name = models.CharField(
        _("HR contact name"), max_length=200, blank=True, validators=[validate_one_line]
    )
    # Django's email check lets U+2028, U+202E and zero-width characters through in the domain.
    contact_email = models.EmailField(
        _("HR contact email"), blank=True, validators=[validate_one_line]
    )
    contact_phone = models.CharField(
        _("HR contact phone"), max_length=40, blank=True, validators=[validate_one_line]
    )
    # Where employees' replies to portal mails go. The From address stays the configured one:
    # sending "from" the employer's own domain would fail SPF/DMARC.
    reply_to_email = models.EmailField(
        _("reply-to address for mails"), blank=True, validators=[validate_one_line]
    )
    # Shown at the top of the HTML mails, attached inline (no remote image to block or track).
    logo = models.ImageField(
        _("logo for mails"),
        upload_to="logos/",
        blank=True,
        validators=[
            FileExtensionValidator(["png", "jpg", "jpeg", "gif"]),
            validate_logo_size,
        ],
        help_text=_(
            "PNG, JPEG or GIF, at most 200 kB and 8 million pixels, not animated; mails show it "
            "in at most 240 × 60 pixels."
        ),
    )
    # R2: optional HRM modules, switched per employer.
    leave_module = models.BooleanField(_("leave module"), default=True)
    # Whether its employees must sign in with a second factor; empty follows the provider.
    require_two_factor = models.BooleanField(
        _("require two-step sign-in for employees"),
        null=True,
        blank=True,
        default=None,
        help_text=_("Empty: as the payroll office's default for its employers."),
    )
    # What applies: the choice above, or else the provider's default. Stored so that the user
    # of every portal request comes without the provider (essportal/backends.py); kept by
    # save() here and Provider.save().
    employees_need_two_factor = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("employer")
        verbose_name_plural = _("employers")
        constraints = [
            models.UniqueConstraint(fields=["provider", "name"], name="employer_name_per_provider")
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.employees_need_two_factor = self._effective_two_factor()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "require_two_factor" in update_fields:
            kwargs["update_fields"] = {*update_fields, "employees_need_two_factor"}
        super().save(*args, **kwargs)

    def _effective_two_factor(self) -> bool:
        if self.require_two_factor is not None:
            return self.require_two_factor
        return self.provider.employees_require_two_factor


class StaffMembership(models.Model):
    """Attaches an HR user to a provider (all its employers) or to one employer."""

    class Role(models.TextChoices):
        MANAGER = "manager", _("Manages employees and access")
        VIEWER = "viewer", _("Read only")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    provider = models.ForeignKey(
        Provider, on_delete=models.CASCADE, null=True, blank=True, related_name="memberships"
    )
    employer = models.ForeignKey(
        Employer, on_delete=models.CASCADE, null=True, blank=True, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.VIEWER)

    class Meta:
        verbose_name = _("staff membership")
        verbose_name_plural = _("staff memberships")
        constraints = [
            models.CheckConstraint(
                condition=Q(provider__isnull=False, employer__isnull=True)
                | Q(provider__isnull=True, employer__isnull=False),
                name="membership_provider_xor_employer",
            ),
            models.UniqueConstraint(fields=["user", "provider"], name="membership_user_provider"),
            models.UniqueConstraint(fields=["user", "employer"], name="membership_user_employer"),
        ]

    def __str__(self):
        return f"{self.user} @ {self.provider or self.employer} ({self.role})"

    @property
    def can_manage(self) -> bool:
        return self.role == self.Role.MANAGER


class StaffNotifications(models.Model):
    """What an HR user is mailed about, and in which language. Without a row: the defaults."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="staff_notifications",
    )
    leave_digest = models.BooleanField(
        _("a daily mail about new leave requests awaiting a decision"), default=True
    )
    language = models.CharField(
        _("language of the mails"),
        max_length=2,
        choices=[("nl", "Nederlands"), ("en", "English")],
        default="nl",
    )
    # When the last digest went out: it lists what came in after this, and at most one a day.
    leave_digest_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("staff notification settings")
        verbose_name_plural = _("staff notification settings")

    def __str__(self):
        return f"{self.user} ({'on' if self.leave_digest else 'off'})"


class AuditEvent(models.Model):
    """An access event HR can read. The actor's name is copied so history outlives the account."""

    class Action(models.TextChoices):
        GRANTED = "granted", _("Access granted")
        RESENT = "resent", _("Invitation resent")
        REVOKED = "revoked", _("Invitation revoked")
        MAIL_SENT = "mail_sent", _("Invitation mail sent")
        MAIL_DELIVERED = "mail_delivered", _("Invitation mail delivered")
        MAIL_FAILED = "mail_failed", _("Invitation mail failed")
        MAIL_BOUNCED = "mail_bounced", _("Invitation mail bounced")
        MAIL_COMPLAINED = "mail_complained", _("Invitation mail marked as spam")
        BIRTH_DATE_WRONG = "birth_date_wrong", _("Wrong birth date entered")
        LOCKED = "locked", _("Invitation locked after too many wrong birth dates")
        USERNAME_TAKEN = "username_taken", _("A username that is already taken was tried")
        LOCKED_TAKEN_USERNAMES = (
            "locked_taken_usernames",
            _("Invitation locked after too many usernames that were already taken"),
        )
        ACTIVATED = "activated", _("Account activated")
        BLOCKED = "blocked", _("Account blocked")
        UNBLOCKED = "unblocked", _("Account unblocked")
        USERNAME_SENT = "username_sent", _("Username mailed")
        EMPLOYEE_CREATED = "employee_created", _("Employee created")
        EMPLOYEE_CHANGED = "employee_changed", _("Employee details changed")
        LEAVE_APPROVED = "leave_approved", _("Leave approved")
        LEAVE_REJECTED = "leave_rejected", _("Leave rejected")
        FACTOR_ADDED = "factor_added", _("Two-step sign-in: factor added")
        FACTOR_REMOVED = "factor_removed", _("Two-step sign-in: factor removed")
        RECOVERY_CODES_NEW = "recovery_codes_new", _("Two-step sign-in: new recovery codes")
        RECOVERY_CODE_USED = "recovery_code_used", _("Two-step sign-in: recovery code used")
        TWO_FACTOR_RESET = "two_factor_reset", _("Two-step sign-in reset")
        TWO_FACTOR_POLICY = "two_factor_policy", _("Two-step sign-in requirement changed")

    employer = models.ForeignKey(Employer, on_delete=models.CASCADE, related_name="audit_events")
    employee = models.ForeignKey(
        "employees.Employee",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="audit_events",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=30, choices=Action.choices)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["employer", "-created_at"], name="audit_employer_recent"),
            models.Index(fields=["employee", "-created_at"], name="audit_employee_recent"),
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"


class EmailText(models.Model):
    """A provider's or employer's own wording of one mail in one language (R16).

    A blank field inherits: the employer's level from the provider's, the provider's from the
    default. Values are validated by essportal.mail.texts before saving and again before sending.
    """

    provider = models.ForeignKey(
        "employers.Provider",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="email_texts",
    )
    employer = models.ForeignKey(
        "employers.Employer",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="email_texts",
    )
    kind = models.CharField(max_length=30)
    language = models.CharField(max_length=2, choices=[("nl", "Nederlands"), ("en", "English")])
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        # The table keeps the name it had when the texts lived in the invitations app.
        db_table = "invitations_emailtext"
        constraints = [
            models.CheckConstraint(
                condition=Q(provider__isnull=False, employer__isnull=True)
                | Q(provider__isnull=True, employer__isnull=False),
                name="emailtext_provider_xor_employer",
            ),
            models.UniqueConstraint(
                fields=["provider", "kind", "language"], name="emailtext_once_per_provider"
            ),
            models.UniqueConstraint(
                fields=["employer", "kind", "language"], name="emailtext_once_per_employer"
            ),
        ]

    def __str__(self):
        return f"{self.provider or self.employer}: {self.kind} ({self.language})"
