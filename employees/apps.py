from django.apps import AppConfig


class EmployeesConfig(AppConfig):
    name = "employees"

    def ready(self):
        # Register the mail kinds with employees.mails, and the last-login bookkeeping.
        from . import account_mails, payroll_mails, portal_signals  # noqa: F401
