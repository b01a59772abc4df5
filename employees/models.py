import unicodedata

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from essportal.mail.addresses import email_mask


class Employee(models.Model):
    class Language(models.TextChoices):
        DUTCH = "nl", _("Dutch")
        ENGLISH = "en", _("English")

    employer = models.ForeignKey(
        "employers.Employer",
        on_delete=models.PROTECT,
        related_name="employees",
        verbose_name=_("employer"),
    )
    number = models.CharField(_("employee number"), max_length=20)
    initials = models.CharField(_("initials"), max_length=20, blank=True)
    first_name = models.CharField(_("first name"), max_length=100)
    infix = models.CharField(_("infix"), max_length=30, blank=True, help_text=_('e.g. "van der"'))
    last_name = models.CharField(_("last name"), max_length=150)
    birth_date = models.DateField(_("birth date"))
    # Stored normalised (trimmed, lower case) so that look-ups and uniqueness ignore case.
    email = models.EmailField(_("private email address"), blank=True)
    job_title = models.CharField(_("job title"), max_length=150, blank=True)
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)  # empty = active (R12)
    language = models.CharField(
        _("preferred language"), max_length=2, choices=Language.choices, default=Language.DUTCH
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="employee",
    )
    # Names, number and email folded to lower case without accents, so that HR finds "Öztürk"
    # by typing "ozturk" on any database. Kept up to date by save(); bulk paths call
    # refresh_search_text() themselves.
    search_text = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("employee")
        verbose_name_plural = _("employees")
        ordering = ["last_name", "first_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["employer", "number"], name="employee_number_per_employer"
            ),
            models.UniqueConstraint(
                fields=["employer", "email"],
                condition=~Q(email=""),
                name="employee_email_per_employer",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="employee_end_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["employer", "last_name", "first_name"], name="employee_by_name"),
            models.Index(fields=["employer", "end_date"], name="employee_by_end_date"),
            models.Index(fields=["employer", "start_date"], name="employee_by_start_date"),
            models.Index(fields=["email"], name="employee_by_email"),
        ]

    def __str__(self):
        return f"{self.full_name} ({self.number})"

    def save(self, *args, **kwargs):
        self.refresh_search_text()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)

    def refresh_search_text(self) -> None:
        parts = (
            self.number,
            self.initials,
            self.first_name,
            self.infix,
            self.last_name,
            self.email,
        )
        self.search_text = fold_for_search(" ".join(p for p in parts if p))

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.infix, self.last_name) if part)

    @property
    def formal_name(self) -> str:
        """How Dutch payroll documents address a person: initials, infix, last name."""
        return " ".join(part for part in (self.initials, self.infix, self.last_name) if part)


def fold_for_search(text: str) -> str:
    """Lower case without diacritics: "Øzgür Şahin" -> "ozgur sahin"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    # Letters that do not decompose into a base letter and an accent.
    return folded.translate(str.maketrans({"ø": "o", "ł": "l", "đ": "d", "ß": "ss", "æ": "ae"}))


class EmailChange(models.Model):
    """A new address for an employee with a portal account. Whoever changes it can have a
    password-reset link sent there, so the old address is kept to tell its owner (the notice
    goes after commit, by id), and the employee's details page lists the changes."""

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="email_changes")
    old_email = models.EmailField(blank=True)
    new_email = models.EmailField(blank=True)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["employee", "-changed_at"], name="emailchange_recent")]

    def __str__(self):
        return f"{self.employee_id}: {self.changed_at:%Y-%m-%d %H:%M}"

    @property
    def old_email_masked(self) -> str:
        return email_mask(self.old_email)

    @property
    def new_email_masked(self) -> str:
        return email_mask(self.new_email)


# --- Payroll documents and leave (R1; leave is an optional module, R2) ---

MONEY = {"max_digits": 12, "decimal_places": 2}
HOURS = {"max_digits": 7, "decimal_places": 2}


class Payslip(models.Model):
    """A loonstrook for one pay period. The employee sees it only from `publish_date` on."""

    class PeriodKind(models.TextChoices):
        MONTHLY = "monthly", _("monthly")
        FOUR_WEEKLY = "4weekly", _("4-weekly")

    class TaxTable(models.TextChoices):
        WHITE = "white", _("white table")
        GREEN = "green", _("green table")

    employee = models.ForeignKey(
        Employee, on_delete=models.CASCADE, related_name="payslips", verbose_name=_("employee")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    period = models.PositiveSmallIntegerField(_("period"))
    period_kind = models.CharField(
        _("period kind"), max_length=10, choices=PeriodKind.choices, default=PeriodKind.MONTHLY
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    pay_date = models.DateField(_("pay date"))
    publish_date = models.DateField(_("publish date"))
    gross_wage = models.DecimalField(_("gross wage"), **MONEY)
    net_pay = models.DecimalField(_("net pay"), **MONEY)
    # The fiscal figures a Dutch payslip carries.
    wage_tax = models.DecimalField(_("wage tax withheld"), default=0, **MONEY)
    fiscal_wage = models.DecimalField(_("fiscal wage"), default=0, **MONEY)
    tax_table = models.CharField(_("tax table"), max_length=5, choices=TaxTable.choices, blank=True)
    tax_credit_applied = models.BooleanField(_("tax credit applied"), default=True)
    special_rate_percentage = models.DecimalField(
        _("special rate (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    cumulative_gross_wage = models.DecimalField(
        _("cumulative gross wage"), null=True, blank=True, **MONEY
    )
    cumulative_fiscal_wage = models.DecimalField(
        _("cumulative fiscal wage"), null=True, blank=True, **MONEY
    )
    cumulative_wage_tax = models.DecimalField(
        _("cumulative wage tax"), null=True, blank=True, **MONEY
    )
    # Set once the employee has been told (or skipped) about this payslip: no second mail.
    notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("payslip")
        verbose_name_plural = _("payslips")
        ordering = ["-year", "-period_start", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "year", "period_kind", "period"], name="payslip_per_period"
            ),
            models.CheckConstraint(
                condition=Q(period__gte=1, period__lte=13), name="payslip_period_range"
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="payslip_end_after_start"
            ),
        ]
        indexes = [
            models.Index(fields=["employee", "year", "publish_date"], name="payslip_by_year"),
            models.Index(fields=["publish_date", "notified_at"], name="payslip_to_notify"),
        ]

    def __str__(self):
        return f"{self.employee_id} {self.year}-{self.period_kind}-{self.period:02d}"

    @property
    def period_label(self) -> str:
        """ "maart 2026" or "periode 3 (4-weeks) 2026"."""
        if self.period_kind == self.PeriodKind.MONTHLY and 1 <= self.period <= 12:
            return f"{MONTHS[self.period]} {self.year}"
        return _("period %(period)s (4-weekly) %(year)s") % {
            "period": self.period,
            "year": self.year,
        }

    @property
    def file_stem(self) -> str:
        if self.period_kind == self.PeriodKind.MONTHLY:
            return f"{self.year}-{self.period:02d}"
        return f"{self.year}-p{self.period:02d}"


class PayslipLine(models.Model):
    class Kind(models.TextChoices):
        EARNING = "earning", _("earning")
        DEDUCTION = "deduction", _("deduction")
        EMPLOYER = "employer", _("employer contribution")
        INFO = "info", _("information")

    payslip = models.ForeignKey(Payslip, on_delete=models.CASCADE, related_name="lines")
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)
    code = models.CharField(_("code"), max_length=20, blank=True)
    description = models.CharField(_("description"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    amount = models.DecimalField(_("amount"), **MONEY)

    class Meta:
        verbose_name = _("payslip line")
        verbose_name_plural = _("payslip lines")
        ordering = ["payslip", "sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["payslip", "sort_order"], name="payslip_line_order")
        ]

    def __str__(self):
        return f"{self.description}: {self.amount}"


class AnnualStatement(models.Model):
    """A jaaropgave: the year's figures the employee needs for the income tax return."""

    employee = models.ForeignKey(
        Employee,
        on_delete=models.CASCADE,
        related_name="annual_statements",
        verbose_name=_("employee"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    fiscal_wage = models.DecimalField(_("fiscal wage"), **MONEY)  # loon voor de loonbelasting
    wage_tax_withheld = models.DecimalField(_("wage tax withheld"), **MONEY)
    tax_credit_applied = models.BooleanField(_("tax credit applied"), default=True)
    tax_credit_from = models.DateField(_("tax credit applied from"), null=True, blank=True)
    tax_credit_until = models.DateField(_("tax credit applied until"), null=True, blank=True)
    insured_wage = models.DecimalField(_("wage for employee insurances"), **MONEY)  # SV-loon
    zvw_wage = models.DecimalField(_("wage for the Zvw contribution"), **MONEY)
    zvw_contribution = models.DecimalField(_("Zvw contribution"), **MONEY)
    employer_tax_number = models.CharField(_("employer's payroll tax number"), max_length=20)
    publish_date = models.DateField(_("publish date"))
    # Set once the employee has been told about this statement (or never will be).
    notified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("annual statement")
        verbose_name_plural = _("annual statements")
        ordering = ["-year", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["employee", "year"], name="statement_per_year")
        ]

    def __str__(self):
        return f"{self.employee_id} {self.year}"


class LeaveType(models.Model):
    class Kind(models.TextChoices):
        STATUTORY = "statutory", _("statutory")
        EXTRA_STATUTORY = "extra", _("extra-statutory")

    employer = models.ForeignKey(
        "employers.Employer", on_delete=models.CASCADE, related_name="leave_types"
    )
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)

    class Meta:
        verbose_name = _("leave type")
        verbose_name_plural = _("leave types")
        ordering = ["kind", "name", "id"]
        constraints = [models.UniqueConstraint(fields=["employer", "code"], name="leave_type_code")]

    def __str__(self):
        return self.name


class LeaveBalance(models.Model):
    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="leave_balances")
    leave_type = models.ForeignKey(LeaveType, on_delete=models.CASCADE, related_name="balances")
    year = models.PositiveSmallIntegerField(_("year"))
    entitlement_hours = models.DecimalField(_("entitlement (hours)"), **HOURS)
    taken_hours = models.DecimalField(_("taken (hours)"), default=0, **HOURS)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("leave balance")
        verbose_name_plural = _("leave balances")
        ordering = ["year", "leave_type__kind", "leave_type__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "leave_type", "year"], name="leave_balance_per_year"
            )
        ]

    def __str__(self):
        return f"{self.employee_id} {self.leave_type_id} {self.year}"


class LeaveRequest(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")

    # Requests that still claim their days: a new request may not overlap them.
    OPEN_STATUSES = (Status.REQUESTED, Status.APPROVED)

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="leave_requests")
    leave_type = models.ForeignKey(
        LeaveType, on_delete=models.PROTECT, related_name="requests", verbose_name=_("leave type")
    )
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=2)
    note = models.CharField(_("note"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("leave request")
        verbose_name_plural = _("leave requests")
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="leave_request_end_after_start"
            ),
            models.CheckConstraint(condition=Q(hours__gt=0), name="leave_request_hours_positive"),
        ]
        indexes = [
            models.Index(fields=["employee", "status", "start_date"], name="leave_by_employee"),
            models.Index(fields=["status", "start_date"], name="leave_by_status"),
        ]

    def __str__(self):
        return f"{self.employee_id} {self.start_date}–{self.end_date} ({self.status})"

    @property
    def is_requested(self) -> bool:
        """Still waiting for HR's decision: the employee may withdraw it, HR may decide it."""
        return self.status == self.Status.REQUESTED
