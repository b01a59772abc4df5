"""Remember the previous sign-in, for "what is new since your last visit" on the portal home.

Django's own `update_last_login` receiver overwrites `last_login` at every sign-in, so this one
must run before it: it is connected from EmployeesConfig.ready(), and `employees` comes before
`django.contrib.auth` in INSTALLED_APPS, so it is. If it ever runs later, the home page falls
back to the last 30 days.
"""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

PREVIOUS_LOGIN_SESSION_KEY = "portal_previous_login"


@receiver(user_logged_in, dispatch_uid="portal_remember_previous_login")
def remember_previous_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session") and user.last_login:
        request.session[PREVIOUS_LOGIN_SESSION_KEY] = user.last_login.isoformat()
