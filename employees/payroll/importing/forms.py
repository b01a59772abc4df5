"""The row forms: one Django form per kind of record, and one for a payslip's line.

A value arrives as JSON has it (text, a number, true or false, or something else entirely) or
as a CSV cell has it (text). The fields below are Django's, told which of those types they take
and which message to give.
"""

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from employees.models import LeaveType, Payslip, PayslipLine
from essportal.formats import DATE_INPUT_FORMATS
from essportal.validators import validate_one_line

MAX_MONEY = Decimal("9999999999.99")
MAX_HOURS = Decimal("9999.99")
_TOO_LARGE = gettext_lazy("The amount is too large.")


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class _ImportField:
    """Mixed into each Django field below. A JSON value of a type the field does not take is a
    wrong value, where Django's fields would take an empty list for a missing value, true or 1.5
    for text, and fail on a number where a date belongs. A missing value may stand for
    `default`."""

    accepts: tuple[type, ...] = (str,)

    def __init__(self, *, default: Any = None, **kwargs):
        self.default = default
        super().__init__(**kwargs)

    def to_python(self, value):
        if value is not None and (
            not isinstance(value, self.accepts)
            or (isinstance(value, bool) and bool not in self.accepts)
        ):
            raise self.wrong_value()
        return super().to_python(value)

    def clean(self, value):
        value = super().clean(value)
        if self.default is not None and value in self.empty_values:
            return self.default
        return value

    def wrong_value(self) -> ValidationError:
        return ValidationError(self.error_messages["invalid"], code="invalid")

    def __deepcopy__(self, memo):
        # A form copies its fields so that it may change them; a row form never does, and a
        # file has a form for every record, so every form shares the declared fields.
        return self


class _TextField(_ImportField, forms.CharField):
    accepts = (str, int)
    # Descriptions and leave type names show on pages and PDFs, and in mails (a subject may
    # hold {leave_type}): one line, nothing invisible.
    default_validators = [validate_one_line]
    default_error_messages = {
        "invalid": gettext_lazy("Expected text."),
        "max_length": gettext_lazy("At most %(limit_value)s characters."),
    }


class _WholeNumberField(_ImportField, forms.IntegerField):
    accepts = (str, int, Decimal)
    default_error_messages = {
        "invalid": gettext_lazy("Expected a whole number."),
        "range": gettext_lazy("Expected a number from %(low)s to %(high)s."),
    }

    def __init__(self, low: int, high: int, **kwargs):
        super().__init__(**kwargs)
        self.low, self.high = low, high

    def validate(self, value):
        # One message naming both bounds, which Django's min_value and max_value cannot give.
        super().validate(value)
        if value is not None and not self.low <= value <= self.high:
            raise ValidationError(
                self.error_messages["range"],
                code="range",
                params={"low": self.low, "high": self.high},
            )


class _AmountField(_ImportField, forms.DecimalField):
    accepts = (str, int, Decimal)
    default_error_messages = {
        "invalid": gettext_lazy("Expected an amount such as 1234.56."),
        "max_decimal_places": gettext_lazy("Expected an amount with at most two decimals."),
        "max_value": _TOO_LARGE,
        "min_value": _TOO_LARGE,
    }

    def __init__(self, maximum: Decimal, *, negative: bool = True, **kwargs):
        if not negative:
            kwargs["error_messages"] = {"min_value": gettext_lazy("The amount cannot be negative.")}
        super().__init__(
            max_value=maximum,
            min_value=-maximum if negative else Decimal("0"),
            decimal_places=2,
            **kwargs,
        )

    def to_python(self, value):
        if isinstance(value, str) and "," in value and "." not in value:
            value = value.replace(",", ".")  # a decimal comma, as Dutch spreadsheets write
        return super().to_python(value)


class _DateField(_ImportField, forms.DateField):
    default_error_messages = {
        "invalid": gettext_lazy("Expected a date as YYYY-MM-DD or DD-MM-YYYY."),
    }

    def __init__(self, **kwargs):
        super().__init__(input_formats=DATE_INPUT_FORMATS, **kwargs)


class _YesNoField(_ImportField, forms.Field):
    accepts = (str, bool)
    default_error_messages = {"invalid": gettext_lazy("Expected true or false.")}
    TRUE = {"true", "1", "yes", "ja", "j", "y"}
    FALSE = {"false", "0", "no", "nee", "n"}

    def to_python(self, value):
        value = super().to_python(value)
        if not isinstance(value, str):
            return value
        if value.lower() in self.TRUE:
            return True
        if value.lower() in self.FALSE:
            return False
        raise self.wrong_value()


class _ChoiceField(_ImportField, forms.ChoiceField):
    """A model's choices in any case, and the `aliases` the payroll systems write for them."""

    default_error_messages = {"invalid_choice": gettext_lazy("Expected one of: %(choices)s.")}

    def __init__(self, choices, *, aliases: dict[str, str] | None = None, **kwargs):
        super().__init__(choices=choices.choices, **kwargs)
        self.aliases = aliases or {}

    def to_python(self, value):
        value = super().to_python(value).lower()
        return self.aliases.get(value, value)

    def validate(self, value):
        # Before Django's own check, whose message names the value rather than the choices.
        if value and not self.valid_value(value):
            raise self.wrong_value()
        super().validate(value)

    def wrong_value(self) -> ValidationError:
        return ValidationError(
            self.error_messages["invalid_choice"],
            code="invalid_choice",
            params={"choices": ", ".join(str(value) for value, _label in self.choices)},
        )


def _money(**kwargs) -> _AmountField:
    return _AmountField(MAX_MONEY, **kwargs)


def _hours(**kwargs) -> _AmountField:
    return _AmountField(MAX_HOURS, negative=False, **kwargs)


class RowForm(forms.Form):
    """A record's values: null and blank text are missing; spaces around text mean nothing."""

    def __init__(self, values: dict[str, Any]):
        data = {
            name: value.strip() if isinstance(value, str) else value
            for name, value in values.items()
            if not is_blank(value)
        }
        super().__init__(data=data)


class PayslipForm(RowForm):
    employee_number = _TextField(max_length=20)
    year = _WholeNumberField(2000, 2100)
    period_kind = _ChoiceField(
        Payslip.PeriodKind,
        aliases={"4-weekly": "4weekly", "month": "monthly"},
        required=False,
        default=Payslip.PeriodKind.MONTHLY,
    )
    period = _WholeNumberField(1, 13)
    period_start = _DateField()
    period_end = _DateField()
    pay_date = _DateField()
    publish_date = _DateField(required=False)  # default: the pay date
    gross_wage = _money()
    net_pay = _money()
    wage_tax = _money(required=False, default=Decimal("0"))
    fiscal_wage = _money(required=False, default=Decimal("0"))
    tax_table = _ChoiceField(
        Payslip.TaxTable, aliases={"wit": "white", "groen": "green"}, required=False
    )
    tax_credit_applied = _YesNoField(required=False, default=True)
    special_rate_percentage = _AmountField(Decimal("100"), negative=False, required=False)
    cumulative_gross_wage = _money(required=False)
    cumulative_fiscal_wage = _money(required=False)
    cumulative_wage_tax = _money(required=False)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The period ends before it starts."))
        period_kind, period = cleaned.get("period_kind"), cleaned.get("period")
        if period_kind == Payslip.PeriodKind.MONTHLY and period and period > 12:
            self.add_error("period", _("A monthly period is 1 to 12."))
        if cleaned.get("publish_date") is None:
            cleaned["publish_date"] = cleaned.get("pay_date")
        return cleaned


class PayslipLineForm(RowForm):
    code = _TextField(max_length=20, required=False)
    description = _TextField(max_length=200)
    kind = _ChoiceField(PayslipLine.Kind)
    amount = _money()


class AnnualStatementForm(RowForm):
    employee_number = _TextField(max_length=20)
    year = _WholeNumberField(2000, 2100)
    fiscal_wage = _money()
    wage_tax_withheld = _money()
    tax_credit_applied = _YesNoField(required=False, default=True)
    tax_credit_from = _DateField(required=False)
    tax_credit_until = _DateField(required=False)
    insured_wage = _money()
    zvw_wage = _money()
    zvw_contribution = _money()
    employer_tax_number = _TextField(max_length=20)
    publish_date = _DateField(required=False)  # default: the day of the import

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("tax_credit_from"), cleaned.get("tax_credit_until")
        if start and end and end < start:
            self.add_error("tax_credit_until", _("This is before the start."))
        return cleaned


class LeaveBalanceForm(RowForm):
    employee_number = _TextField(max_length=20)
    year = _WholeNumberField(2000, 2100)
    leave_type_code = _TextField(max_length=20)
    leave_type_name = _TextField(max_length=100, required=False)
    leave_type_kind = _ChoiceField(
        LeaveType.Kind,
        aliases={"wettelijk": "statutory", "bovenwettelijk": "extra"},
        required=False,
    )
    entitlement_hours = _hours()
    taken_hours = _hours(required=False, default=Decimal("0"))


ROW_FORMS: dict[str, type[RowForm]] = {
    "payslips": PayslipForm,
    "annual_statements": AnnualStatementForm,
    "leave_balances": LeaveBalanceForm,
}
KINDS = tuple(ROW_FORMS)
