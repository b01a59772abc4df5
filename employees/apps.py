from django.apps import AppConfig
from django.db.models.signals import post_delete


class EmployeesConfig(AppConfig):
    name = "employees"

    def ready(self):
        from employees.access_cache import employee_deleted

        # Register the mail kinds with employees.mails, and the last-login bookkeeping.
        from employees.accounts import mails as account_mails  # noqa: F401
        from employees.leave import mails as leave_mails  # noqa: F401
        from employees.payroll import mails as payroll_mails  # noqa: F401
        from employees.portal import signals  # noqa: F401
        from employees.records import mails as record_mails  # noqa: F401

        post_delete.connect(employee_deleted, sender=self.get_model("Employee"))
