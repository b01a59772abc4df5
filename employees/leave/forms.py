import datetime
from decimal import Decimal

from django import forms
from django.db.models import Case, When
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from employees.leave.selectors import overlapping_open_requests
from employees.models import Employee, LeaveType
from essportal.date_parts import DatePartsField

MAX_HOURS_PER_DAY = Decimal("12")
MAX_DAYS = 366
# What a proposal counts for a working day (Monday to Friday): a full-time Dutch working week
# of 40 hours. The employee adjusts it for other hours; the employer decides on the request.
HOURS_PER_WORKING_DAY = Decimal("8")


def working_days(start: datetime.date, end: datetime.date) -> int:
    """Monday to Friday from start to end, both included."""
    days = (end - start).days + 1
    full_weeks, rest = divmod(max(days, 0), 7)
    count = full_weeks * 5
    for offset in range(rest):
        if (start + datetime.timedelta(days=full_weeks * 7 + offset)).weekday() < 5:
            count += 1
    return count


def proposed_hours(start: datetime.date, end: datetime.date) -> Decimal:
    return HOURS_PER_WORKING_DAY * working_days(start, end)


class LeaveRequestForm(forms.Form):
    leave_type = forms.ModelChoiceField(
        label=gettext_lazy("Leave type"), queryset=LeaveType.objects.none(), empty_label=None
    )
    start_date = DatePartsField(
        label=gettext_lazy("First day"), help_text=gettext_lazy("For example 6 7 2026")
    )
    end_date = DatePartsField(
        label=gettext_lazy("Last day"), help_text=gettext_lazy("For example 10 7 2026")
    )
    hours = forms.DecimalField(
        label=gettext_lazy("Hours"),
        required=False,
        max_digits=6,
        decimal_places=2,
        min_value=Decimal("0.25"),
        help_text=gettext_lazy(
            "The working hours you will be away, in total. Left empty, or as proposed: 8 hours "
            "for each working day (Monday to Friday); change it if you work other hours."
        ),
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
        # The statutory types first, so that one is chosen (the list has no empty choice): it
        # is what most requests are for.
        statutory_first = Case(When(kind=LeaveType.Kind.STATUTORY, then=0), default=1)
        self.fields["leave_type"].queryset = LeaveType.objects.filter(
            employer_id=employee.employer_id
        ).order_by(statutory_first, "name", "id")

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
            if hours is None and "hours" not in self.errors:
                hours = cleaned["hours"] = proposed_hours(start, end)
                if not hours:
                    self.add_error(
                        "hours", _("These days are a weekend: enter the hours you will be away.")
                    )
            if hours and hours > MAX_HOURS_PER_DAY * days:
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
