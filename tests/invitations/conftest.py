import pytest

from invitations.services import invitation_grant


@pytest.fixture
def grant(django_capture_on_commit_callbacks):
    """Grant access the way HR does, running the mail task that starts on commit."""

    def _grant(employee, actor=None):
        with django_capture_on_commit_callbacks(execute=True):
            return invitation_grant(employee=employee, actor=actor)

    return _grant


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    def _run():
        return django_capture_on_commit_callbacks(execute=True)

    return _run
