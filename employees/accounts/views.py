"""Signing in after activation: login, logout, idle timeout, forgotten password or username."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from employees.accounts.forms import ChangePasswordForm, EmailForm, NewPasswordForm, SignInForm
from employees.accounts.passwords import PASSWORD_RULES
from employees.accounts.services import account_recovery_request
from employees.mfa import stage
from employees.mfa.recheck import second_factor_recheck
from employees.portal.access import employee_required
from essportal.web.http import client_ip
from essportal.web.lockout import (
    password_check_allowed,
    password_check_failed,
    sign_out_locked_out,
)
from essportal.web.throttle import throttle_hit


class LoginView(auth_views.LoginView):
    template_name = "employees/accounts/login.html"
    form_class = SignInForm

    def get_default_redirect_url(self):
        return reverse_lazy("portal:home")

    def form_valid(self, form):
        # The password was right: sign in, or go on to the second step (employees.mfa.stage).
        return stage.sign_in(
            self.request, form.get_user(), site="portal", next_url=self.get_redirect_url()
        )


class LogoutView(auth_views.LogoutView):
    next_page = reverse_lazy("portal:signed_out")


def signed_out(request):
    reason = request.GET.get("reason")
    reason = reason if reason in ("timeout", "ended") else "logout"
    return render(
        request,
        "employees/accounts/signed_out.html",
        {"reason": reason, "idle_minutes": settings.SESSION_COOKIE_AGE // 60},
    )


def _mail_request(request, kind, template, done_message):
    """Forgot password / username: the same answer whether or not the address is known or a
    limit was reached, and the same work behind it whether or not the address is known."""
    form = EmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # Per client address here; per recipient address in the worker, which every mail passes.
        if throttle_hit(
            "account-mail", client_ip(request) or "unknown", limit=10, window_seconds=3600
        ):
            account_recovery_request(kind=kind, email=form.cleaned_data["email"])
        messages.info(request, done_message)
        return redirect("portal:login")
    return render(request, template, {"form": form})


@never_cache
def forgot_password(request):
    return _mail_request(
        request,
        "password_reset",
        "employees/accounts/forgot_password.html",
        _(
            "If an account is registered under that address, we have sent a link to choose a "
            "new password. It works for 1 hour."
        ),
    )


@never_cache
def forgot_username(request):
    return _mail_request(
        request,
        "username_reminder",
        "employees/accounts/forgot_username.html",
        _("If an account is registered under that address, we have mailed its username."),
    )


class ResetPasswordForm(NewPasswordForm):
    """Django's reset view calls form.save(); ours sets the validated password."""

    def save(self, commit=True):
        self.user.set_password(self.cleaned_data["password1"])
        if commit:
            self.user.save(update_fields=["password"])
        return self.user


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "employees/accounts/password_reset_confirm.html"
    form_class = ResetPasswordForm
    success_url = reverse_lazy("portal:login")
    post_reset_login = False

    def dispatch(self, *args, **kwargs):
        response = super().dispatch(*args, **kwargs)
        # A good link redirects to the token-free form itself; only a dead one is rendered here.
        if not self.validlink and response.status_code == 200:
            # A dead link is explained at an address without its token, so that the token does
            # not linger in the address bar, the logs or the page's language switch.
            return redirect("portal:password_reset_invalid")
        return response

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "rules": PASSWORD_RULES}

    def form_valid(self, form):
        messages.success(self.request, _("Your new password is set. Sign in with it."))
        return super().form_valid(form)


@employee_required
def account(request):
    return render(
        request, "employees/accounts/account.html", {"employee": request.employee, "nav": "account"}
    )


@employee_required
@second_factor_recheck
def change_password(request):
    # A wrong current password counts as a failed sign-in, so that a borrowed session cannot
    # guess on: at the limit the account is locked as at the sign-in form and this session ends.
    if request.method == "POST" and not password_check_allowed(request, request.user):
        return sign_out_locked_out(request, request.user)
    form = ChangePasswordForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        request.user.set_password(form.cleaned_data["password1"])
        request.user.save(update_fields=["password"])
        # Other sessions end; this one stays signed in.
        update_session_auth_hash(request, request.user)
        messages.success(request, _("Your password has been changed."))
        return redirect("portal:account")
    if form.has_error("old_password", "password_incorrect") and password_check_failed(
        request, request.user
    ):
        return sign_out_locked_out(request, request.user)
    return render(
        request,
        "employees/accounts/change_password.html",
        {"form": form, "employee": request.employee, "nav": "account", "rules": PASSWORD_RULES},
    )


@never_cache
def password_reset_invalid(request):
    return render(
        request, "employees/accounts/password_reset_confirm.html", {"validlink": False}, status=410
    )
