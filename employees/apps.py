from django.apps import AppConfig


class EmployeesConfig(AppConfig):
    name = "employees"

    def ready(self):
        # Register the mail kinds with employees.mails, and the last-login bookkeeping.
        from employees.portal import signals as portal_signals  # noqa: F401
