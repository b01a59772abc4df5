"""Sign-in backend of the portal and the HR pages."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

# The dotted path Django stores in the session; activation signs in with it too.
PORTAL_BACKEND = "essportal.backends.PortalModelBackend"


class PortalModelBackend(ModelBackend):
    """Django's ModelBackend, but the user of a session comes with their employee record and its
    employer in the same query: every portal page needs all three, and the authentication
    middleware looks the user up on every request (bench/README.md, portal under load). The
    provider stays out: the one thing a portal request needs of it, the two-step default, is
    kept on the employer (Employer.employees_need_two_factor)."""

    def get_user(self, user_id):
        users = get_user_model()._default_manager.select_related("employee__employer")
        user = users.filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
