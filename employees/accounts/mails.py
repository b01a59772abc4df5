"""Account mails: password reset, username reminder, blocked, unblocked."""

from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from employees.mails import employee_mail
from essportal.mail.message import absolute_url


def _login_link() -> str:
    return absolute_url(reverse("portal:login"))


@employee_mail("password_reset")
def password_reset_values(employee):
    # Made here, in the worker: the reset link never travels through the broker.
    user = employee.user
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("portal:password_reset_confirm", args=[uid, token])
    return "password_reset", {"username": user.username, "link": absolute_url(path)}


@employee_mail("username_reminder")
def username_reminder_values(employee):
    return "username_reminder", {"username": employee.user.username, "link": _login_link()}


@employee_mail("account_blocked")
def account_blocked_values(employee):
    return "account_blocked", {}


@employee_mail("account_unblocked")
def account_unblocked_values(employee):
    return "account_unblocked", {"username": employee.user.username, "link": _login_link()}
