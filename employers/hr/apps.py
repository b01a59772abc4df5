from django.apps import AppConfig


class HrConfig(AppConfig):
    """The HR web UI: no models of its own; an app so that its commands (seed_demo) are found."""

    name = "employers.hr"
    label = "hr"
