import datetime
from decimal import Decimal

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from employees.leave.selectors import overlapping_open_requests
from employees.models import Employee, LeaveType
from essportal.formats import DATE_INPUT_FORMATS

MAX_HOURS_PER_DAY = Decimal("12")
MAX_DAYS = 366


class LeaveRequestForm(forms.Form):
    leave_type = forms.ModelChoiceField(
        label=gettext_lazy("Leave type"), queryset=LeaveType.objects.none(), empty_label=None
    )
    start_date = forms.DateField(
        label=gettext_lazy("First day"),
        input_formats=DATE_INPUT_FORMATS,
        help_text=gettext_lazy("dd-mm-yyyy"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end_date = forms.DateField(
        label=gettext_lazy("Last day"),
        input_formats=DATE_INPUT_FORMATS,
        help_text=gettext_lazy("dd-mm-yyyy"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    hours = forms.DecimalField(
        label=gettext_lazy("Hours"),
        max_digits=6,
        decimal_places=2,
        min_value=Decimal("0.25"),
        help_text=gettext_lazy("The working hours you will be away, in total."),
        widget=forms.NumberInput(attrs={"step": "0.25", "min": "0.25"}),
    )
    note = forms.CharField(
        label=gettext_lazy("Note"), max_length=500, required=False, widget=forms.Textarea
    )

    def __init__(self, *args, employee: Employee, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.employee = employee
        self.today = today
        # Only the employee's own employer's types are valid choices.
        self.fields["leave_type"].queryset = LeaveType.objects.filter(
            employer_id=employee.employer_id
        )

    def clean_start_date(self):
        start = self.cleaned_data["start_date"]
        if start < self.today:
            raise forms.ValidationError(_("The first day cannot be in the past."))
        return start

    def clean(self):
        cleaned = super().clean()
        start, end, hours = (cleaned.get(k) for k in ("start_date", "end_date", "hours"))
        if start and end:
            if end < start:
                self.add_error("end_date", _("The last day cannot be before the first day."))
                return cleaned
            days = (end - start).days + 1
            if days > MAX_DAYS:
                self.add_error("end_date", _("Request at most one year of leave at a time."))
                return cleaned
            if hours is not None and hours > MAX_HOURS_PER_DAY * days:
                self.add_error(
                    "hours",
                    _("That is more than %(max)s hours per day for these days.")
                    % {"max": MAX_HOURS_PER_DAY.normalize()},
                )
            if overlapping_open_requests(self.employee, start=start, end=end).exists():
                self.add_error(
                    "start_date", _("You already have a leave request for (part of) these days.")
                )
        return cleaned
