"""What an import did, or the problems that stopped it."""

from collections import Counter
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from employees.importing import ImportErrors
from employees.payroll.importing.forms import KINDS


@dataclass
class PayrollImportResult(ImportErrors):
    dry_run: bool = False
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    lines: int = 0
    mails: int = 0

    def summary(self) -> str:
        labels = {
            "payslips": _("payslips"),
            "annual_statements": _("annual statements"),
            "leave_balances": _("leave balances"),
        }
        parts = [
            _("%(kind)s: %(created)s new, %(updated)s updated")
            % {"kind": labels[kind], "created": self.created[kind], "updated": self.updated[kind]}
            for kind in KINDS
            if self.created[kind] or self.updated[kind]
        ]
        text = "; ".join(parts) or _("nothing to import")
        if self.lines:
            text += " " + _("(%(lines)s payslip lines)") % {"lines": self.lines}
        if self.dry_run:
            return _("Dry run, nothing was saved: %(text)s.") % {"text": text}
        return _("Imported %(text)s; %(mails)s notification mails queued.") % {
            "text": text,
            "mails": self.mails,
        }
