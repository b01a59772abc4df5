import unicodedata

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


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

    @property
    def has_left(self) -> bool:
        return self.end_date is not None


def fold_for_search(text: str) -> str:
    """Lower case without diacritics: "Øzgür Şahin" -> "ozgur sahin"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    # Letters that do not decompose into a base letter and an accent.
    return folded.translate(str.maketrans({"ø": "o", "ł": "l", "đ": "d", "ß": "ss", "æ": "ae"}))
