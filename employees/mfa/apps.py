from django.apps import AppConfig


class MfaConfig(AppConfig):
    """Two-step sign-in; an app of its own for its models (recovery codes) and migrations."""

    name = "employees.mfa"
    label = "mfa"

    def ready(self):
        # Register the mail kinds of factor changes with employees.mails.
        from employees.mfa import mails  # noqa: F401
