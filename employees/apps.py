from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class EmployeesConfig(AppConfig):
    name = "employees"

    def ready(self):
        from employees.access_cache import employee_deleted

        # Register the mail kinds with employees.mails, and the last-login bookkeeping.
        from employees.accounts import mails as account_mails  # noqa: F401
        from employees.leave import mails as leave_mails  # noqa: F401
        from employees.payroll import mails as payroll_mails  # noqa: F401
        from employees.portal import (
            page_cache,
            signals,  # noqa: F401
        )
        from employees.records import mails as record_mails  # noqa: F401
        from employers.models import Employer

        post_delete.connect(employee_deleted, sender=self.get_model("Employee"))

        # What the employee's kept pages show (employees/portal/page_cache.py).
        for signal in (post_save, post_delete):
            for name in ("Payslip", "AnnualStatement", "LeaveBalance", "LeaveRequest"):
                signal.connect(page_cache.employee_row_changed, sender=self.get_model(name))
            signal.connect(page_cache.employee_changed, sender=self.get_model("Employee"))
            signal.connect(page_cache.employer_row_changed, sender=self.get_model("LeaveType"))
            signal.connect(page_cache.employer_changed, sender=Employer)
