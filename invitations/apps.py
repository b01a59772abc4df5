from django.apps import AppConfig


class InvitationsConfig(AppConfig):
    name = "invitations"

    def ready(self):
        from invitations import (
            operations,  # noqa: F401 - adds its checks to the operator's status
            receivers,  # noqa: F401 - connects the tracking and address-change signals
        )
