import datetime
import unicodedata

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from employees.models import Employee
from essportal.formats import DATE_FORMAT, DATE_INPUT_FORMATS
from essportal.validators import validate_one_line

EARLIEST_BIRTH_DATE = datetime.date(1900, 1, 1)


def normalise_email(value: str) -> str:
    return value.strip().lower()


def clean_person_name(value: str) -> str:
    """Names in any script are welcome; line breaks, invisible characters and markup are not."""
    value = unicodedata.normalize("NFC", value.strip())
    validate_one_line(value)
    if any(ch in "<>{}[]\\|=;@#$%^*" for ch in value):
        raise forms.ValidationError(
            _("Use letters, spaces, hyphens, apostrophes and full stops only.")
        )
    if value and not any(ch.isalpha() for ch in value):
        raise forms.ValidationError(_("Enter a name with at least one letter."))
    return value


class DateInput(forms.DateInput):
    input_type = "text"

    def __init__(self, attrs=None):
        super().__init__(
            attrs={"placeholder": _("dd-mm-yyyy"), "inputmode": "numeric", **(attrs or {})},
            format=DATE_FORMAT,
        )


class EmployeeForm(forms.ModelForm):
    """Validates one employee, for the HR form and for every row of a CSV import alike."""

    class Meta:
        model = Employee
        fields = [
            "number",
            "initials",
            "first_name",
            "infix",
            "last_name",
            "birth_date",
            "email",
            "job_title",
            "street",
            "postcode",
            "city",
            "start_date",
            "end_date",
            "language",
        ]
        widgets = {
            "birth_date": DateInput(),
            "start_date": DateInput(),
            "end_date": DateInput(),
        }

    def __init__(self, *args, employer, **kwargs):
        super().__init__(*args, **kwargs)
        self.employer = employer
        for field in self.fields.values():
            if isinstance(field, forms.DateField):
                field.input_formats = DATE_INPUT_FORMATS
        # The names have clean_person_name. Django's email check lets U+2028, U+202E and
        # zero-width characters through in the domain, and the address goes into mail headers.
        for name in ("email", "job_title", "street", "postcode", "city"):
            if name in self.fields:
                self.fields[name].validators.append(validate_one_line)
        self.fields["email"].help_text = _(
            "A private address is advised: the employee keeps it after leaving."
        )

    def _clean_name(self, name):
        return clean_person_name(self.cleaned_data.get(name, ""))

    def clean_initials(self):
        return self._clean_name("initials")

    def clean_first_name(self):
        return self._clean_name("first_name")

    def clean_infix(self):
        return self._clean_name("infix")

    def clean_last_name(self):
        return self._clean_name("last_name")

    def clean_number(self):
        number = self.cleaned_data["number"].strip()
        if not number.isalnum():
            raise forms.ValidationError(_("Use letters and digits only."))
        taken = Employee.objects.filter(employer=self.employer, number=number)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(
                _("Employee number %(number)s is already in use at this employer."),
                params={"number": number},
            )
        return number

    def clean_email(self):
        email = normalise_email(self.cleaned_data.get("email", ""))
        if email:
            taken = Employee.objects.filter(employer=self.employer, email=email)
            if self.instance.pk:
                taken = taken.exclude(pk=self.instance.pk)
            if taken.exists():
                raise forms.ValidationError(
                    _("Another employee of this employer already uses this email address.")
                )
        return email

    def clean_birth_date(self):
        birth_date = self.cleaned_data["birth_date"]
        if birth_date > timezone.localdate():
            raise forms.ValidationError(_("A birth date cannot be in the future."))
        if birth_date < EARLIEST_BIRTH_DATE:
            raise forms.ValidationError(_("Enter a birth date from 1900 onwards."))
        return birth_date

    def clean(self):
        cleaned = super().clean()
        start = cleaned.get("start_date", self.instance.start_date)
        end = cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date cannot be before the start date."))
        return cleaned

    def _post_clean(self):
        self.instance.employer = self.employer
        super()._post_clean()


class EmployeeContactForm(EmployeeForm):
    """What HR edits on the overview page: the email address and the end date."""

    class Meta(EmployeeForm.Meta):
        fields = ["email", "end_date", "language"]
