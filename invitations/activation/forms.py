"""The activation forms: the birth-date check (R8) and choosing a username and password (R9)."""

import datetime
import re

from django import forms
from django.utils.translation import gettext_lazy as _

from employees.accounts.forms import PasswordPairForm
from employees.accounts.passwords import (
    USERNAME_MAX_LENGTH,
    username_problems,
)

ASCII_DIGITS = re.compile(r"[0-9]{1,4}")


class BirthDateForm(forms.Form):
    """Day / month / year as three fields in Dutch order (the GOV.UK "memorable date" pattern).

    An impossible date (31-02) is an input error, never counted as a wrong answer.
    """

    day = forms.CharField(label=_("Day"), max_length=2, strip=True)
    month = forms.CharField(label=_("Month"), max_length=2, strip=True)
    year = forms.CharField(label=_("Year"), max_length=4, min_length=4, strip=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, width in (("day", 2), ("month", 2), ("year", 4)):
            self.fields[name].widget.attrs.update(
                {"inputmode": "numeric", "autocomplete": f"bday-{name}", "size": width}
            )
        self.fields["year"].error_messages["min_length"] = _("Enter the year with 4 digits.")

    def _number(self, name):
        value = self.cleaned_data.get(name, "")
        # Only ASCII digits: int() would accept other scripts' digits and full-width forms.
        if not ASCII_DIGITS.fullmatch(value):
            raise forms.ValidationError(_("Enter digits only."))
        return int(value)

    def clean_day(self):
        return self._number("day")

    def clean_month(self):
        return self._number("month")

    def clean_year(self):
        return self._number("year")

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        day, month, year = cleaned["day"], cleaned["month"], cleaned["year"]
        if not 1900 <= year <= datetime.date.today().year:
            raise forms.ValidationError(_("Enter a year between 1900 and now."))
        try:
            cleaned["birth_date"] = datetime.date(year, month, day)
        except ValueError as exc:
            raise forms.ValidationError(
                _("This date does not exist. Check the day and the month.")
            ) from exc
        return cleaned


class CredentialsForm(PasswordPairForm):
    """R9: the employee chooses a unique username and a password."""

    username = forms.CharField(
        label=_("Username"),
        max_length=USERNAME_MAX_LENGTH,
        help_text=_("3–150 characters: letters, digits and . _ - @"),
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )
    field_order = ["username", "password1", "password2"]

    def __init__(self, *args, employee, **kwargs):
        super().__init__(*args, **kwargs)
        self.employee = employee

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        problems = username_problems(username)
        if problems:
            raise forms.ValidationError(problems)
        return username

    def clean(self):
        cleaned = super().clean()
        self.clean_password_pair(username=cleaned.get("username", ""), employee=self.employee)
        return cleaned
