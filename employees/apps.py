from django.apps import AppConfig


class EmployeesConfig(AppConfig):
    name = "employees"

    def ready(self):
        # Register the mail kinds with employees.mails, and the last-login bookkeeping.
        from employees.accounts import mails as account_mails  # noqa: F401
        from employees.leave import mails as leave_mails  # noqa: F401
        from employees.payroll import mails as payroll_mails  # noqa: F401
        from employees.portal import signals  # noqa: F401
        from employees.records import mails as record_mails  # noqa: F401
