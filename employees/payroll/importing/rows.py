"""How each field of a payroll record is read: the value types, and the fields of each kind of
record."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from employees.models import LeaveType, Payslip, PayslipLine

KINDS = ("payslips", "annual_statements", "leave_balances")
MAX_MONEY = Decimal("9999999999.99")
MAX_HOURS = Decimal("9999.99")


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(max_length: int) -> Callable[[Any], str]:
    def parse(value) -> str:
        if not isinstance(value, str | int) or isinstance(value, bool):
            raise ValueError(_("Expected text."))
        text = str(value).strip()
        if len(text) > max_length:
            raise ValueError(_("At most %(max)s characters.") % {"max": max_length})
        return text

    return parse


def _integer(low: int, high: int) -> Callable[[Any], int]:
    def parse(value) -> int:
        if isinstance(value, bool):
            raise ValueError(_("Expected a whole number."))
        try:
            number = int(value.strip()) if isinstance(value, str) else int(value)
            if isinstance(value, Decimal | float) and number != value:
                raise ValueError
        except (TypeError, ValueError):
            raise ValueError(_("Expected a whole number.")) from None
        if not low <= number <= high:
            raise ValueError(
                _("Expected a number from %(low)s to %(high)s.") % {"low": low, "high": high}
            )
        return number

    return parse


def _decimal(maximum: Decimal, *, negative: bool = True) -> Callable[[Any], Decimal]:
    def parse(value) -> Decimal:
        if isinstance(value, bool | float):
            raise ValueError(_("Expected an amount such as 1234.56."))
        text = value.strip() if isinstance(value, str) else str(value)
        if "," in text and "." not in text:  # a decimal comma, as Dutch spreadsheets write
            text = text.replace(",", ".")
        try:
            amount = Decimal(text)
        except (InvalidOperation, ValueError):
            raise ValueError(_("Expected an amount such as 1234.56.")) from None
        if not amount.is_finite() or amount.as_tuple().exponent < -2:
            raise ValueError(_("Expected an amount with at most two decimals."))
        if abs(amount) > maximum:
            raise ValueError(_("The amount is too large."))
        if amount < 0 and not negative:
            raise ValueError(_("The amount cannot be negative."))
        return amount

    return parse


_money = _decimal(MAX_MONEY)
_hours = _decimal(MAX_HOURS, negative=False)
_percentage = _decimal(Decimal("100"), negative=False)


def _date(value) -> datetime.date:
    if isinstance(value, str):
        for fmt in ("%Y-%m-%d", "%d-%m-%Y"):
            try:
                return datetime.datetime.strptime(value.strip(), fmt).date()
            except ValueError:
                continue
    raise ValueError(_("Expected a date as YYYY-MM-DD or DD-MM-YYYY."))


TRUE = {"true", "1", "yes", "ja", "j", "y"}
FALSE = {"false", "0", "no", "nee", "n"}


def _boolean(value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in TRUE | FALSE:
        return value.strip().lower() in TRUE
    raise ValueError(_("Expected true or false."))


def _choice(choices, aliases: dict[str, str] | None = None) -> Callable[[Any], str]:
    values = {value: value for value in choices.values}
    values.update(aliases or {})

    def parse(value) -> str:
        key = value.strip().lower() if isinstance(value, str) else value
        if key not in values:
            raise ValueError(
                _("Expected one of: %(choices)s.") % {"choices": ", ".join(choices.values)}
            )
        return values[key]

    return parse


@dataclass(frozen=True)
class Field:
    parse: Callable[[Any], Any]
    required: bool = True
    default: Any = None


PAYSLIP_FIELDS = {
    "employee_number": Field(_text(20)),
    "year": Field(_integer(2000, 2100)),
    "period_kind": Field(
        _choice(Payslip.PeriodKind, {"4-weekly": "4weekly", "month": "monthly"}),
        required=False,
        default=Payslip.PeriodKind.MONTHLY,
    ),
    "period": Field(_integer(1, 13)),
    "period_start": Field(_date),
    "period_end": Field(_date),
    "pay_date": Field(_date),
    "publish_date": Field(_date, required=False),  # default: the pay date
    "gross_wage": Field(_money),
    "net_pay": Field(_money),
    "wage_tax": Field(_money, required=False, default=Decimal("0")),
    "fiscal_wage": Field(_money, required=False, default=Decimal("0")),
    "tax_table": Field(
        _choice(Payslip.TaxTable, {"wit": "white", "groen": "green"}), required=False, default=""
    ),
    "tax_credit_applied": Field(_boolean, required=False, default=True),
    "special_rate_percentage": Field(_percentage, required=False),
    "cumulative_gross_wage": Field(_money, required=False),
    "cumulative_fiscal_wage": Field(_money, required=False),
    "cumulative_wage_tax": Field(_money, required=False),
}
LINE_FIELDS = {
    "code": Field(_text(20), required=False, default=""),
    "description": Field(_text(200)),
    "kind": Field(_choice(PayslipLine.Kind)),
    "amount": Field(_money),
}
STATEMENT_FIELDS = {
    "employee_number": Field(_text(20)),
    "year": Field(_integer(2000, 2100)),
    "fiscal_wage": Field(_money),
    "wage_tax_withheld": Field(_money),
    "tax_credit_applied": Field(_boolean, required=False, default=True),
    "tax_credit_from": Field(_date, required=False),
    "tax_credit_until": Field(_date, required=False),
    "insured_wage": Field(_money),
    "zvw_wage": Field(_money),
    "zvw_contribution": Field(_money),
    "employer_tax_number": Field(_text(20)),
    "publish_date": Field(_date, required=False),  # default: the day of the import
}
BALANCE_FIELDS = {
    "employee_number": Field(_text(20)),
    "year": Field(_integer(2000, 2100)),
    "leave_type_code": Field(_text(20)),
    "leave_type_name": Field(_text(100), required=False, default=""),
    "leave_type_kind": Field(
        _choice(LeaveType.Kind, {"wettelijk": "statutory", "bovenwettelijk": "extra"}),
        required=False,
        default="",
    ),
    "entitlement_hours": Field(_hours),
    "taken_hours": Field(_hours, required=False, default=Decimal("0")),
}
FIELDS = {
    "payslips": PAYSLIP_FIELDS,
    "annual_statements": STATEMENT_FIELDS,
    "leave_balances": BALANCE_FIELDS,
}
CSV_LINE_COLUMNS = {f"line_{name}": name for name in LINE_FIELDS}
# The columns of a CSV file of each kind.
CSV_COLUMNS = {
    "payslips": [*PAYSLIP_FIELDS, *CSV_LINE_COLUMNS],
    "annual_statements": list(STATEMENT_FIELDS),
    "leave_balances": list(BALANCE_FIELDS),
}
