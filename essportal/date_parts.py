"""One way to enter a date on the portal: day, month and year as three small fields in Dutch
order (the GOV.UK "memorable date" pattern the birth-date check uses). The browser's own date
picker shows its own locale's order (mm/dd/yyyy under a "dd-mm-jjjj" hint), so it is not used."""

import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_DIGITS = re.compile(r"[0-9]{1,4}")
PARTS = (("day", _("Day"), 2), ("month", _("Month"), 2), ("year", _("Year"), 4))


class DatePartsWidget(forms.MultiWidget):
    template_name = "essportal/widgets/date_parts.html"
    is_date_parts = True  # includes/field.html renders a fieldset with a legend for it

    def __init__(self, attrs=None):
        widgets = {
            name: forms.TextInput(attrs={"inputmode": "numeric", "size": size, "maxlength": size})
            for name, _label, size in PARTS
        }
        super().__init__(widgets, attrs)

    def decompress(self, value):
        if isinstance(value, datetime.date):
            return [str(value.day), str(value.month), str(value.year)]
        return [None, None, None]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        for subwidget, (_name, label, _size) in zip(
            context["widget"]["subwidgets"], PARTS, strict=True
        ):
            subwidget["label"] = label
        return context


class DatePartsField(forms.MultiValueField):
    widget = DatePartsWidget
    default_error_messages = {
        "incomplete": _("Enter the day, the month and the year."),
        "digits": _("Enter digits only."),
        "year": _("Enter the year with 4 digits."),
        "invalid_date": _("This date does not exist. Check the day and the month."),
    }

    def __init__(self, **kwargs):
        fields = (forms.CharField(), forms.CharField(), forms.CharField())
        super().__init__(fields, require_all_fields=False, **kwargs)

    def compress(self, data_list):
        if not data_list or not any(data_list):
            return None
        if not all(data_list):
            raise ValidationError(self.error_messages["incomplete"], code="incomplete")
        # Only ASCII digits: int() would accept other scripts' digits and full-width forms.
        if not all(_DIGITS.fullmatch(part.strip()) for part in data_list):
            raise ValidationError(self.error_messages["digits"], code="digits")
        day, month, year = (int(part) for part in data_list)
        if len(data_list[2].strip()) != 4:
            raise ValidationError(self.error_messages["year"], code="year")
        try:
            return datetime.date(year, month, day)
        except ValueError as exc:
            raise ValidationError(self.error_messages["invalid_date"], code="invalid_date") from exc
