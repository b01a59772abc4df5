from django.apps import AppConfig


class InvitationsConfig(AppConfig):
    name = "invitations"

    def ready(self):
        from invitations import receivers  # noqa: F401 - connects the tracking and address-change signals
