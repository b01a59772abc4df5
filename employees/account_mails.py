"""Account mails: password reset, username reminder, blocked, unblocked."""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .mails import employee_mail


@employee_mail("password_reset")
def password_reset_context(employee):
    # Made here, in the worker: the reset link never travels through the broker.
    user = employee.user
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("portal:password_reset_confirm", args=[uid, token])
    return {"username": user.username, "link": settings.SITE_URL + path}


@employee_mail("username_reminder")
def username_reminder_context(employee):
    return {"username": employee.user.username, "link": settings.SITE_URL + reverse("portal:login")}


@employee_mail("account_blocked")
def account_blocked_context(employee):
    return {}


@employee_mail("account_unblocked")
def account_unblocked_context(employee):
    return {"username": employee.user.username, "link": settings.SITE_URL + reverse("portal:login")}
