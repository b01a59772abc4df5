from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from employees.accounts.passwords import (
    PASSWORD_MAX_LENGTH,
    password_problems,
)
from essportal.models import User


class PasswordPairForm(forms.Form):
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=PASSWORD_MAX_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        max_length=PASSWORD_MAX_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_password_pair(self, *, username: str, employee):
        p1, p2 = self.cleaned_data.get("password1"), self.cleaned_data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords differ. Type the same one twice."))
            return
        if p1:
            for problem in password_problems(p1, username=username, employee=employee):
                self.add_error("password1", problem)


class NewPasswordForm(PasswordPairForm):
    """Setting a new password after a reset, or changing it."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self):
        cleaned = super().clean()
        employee = getattr(self.user, "employee", None)
        if employee is not None:
            self.clean_password_pair(username=self.user.username, employee=employee)
        elif cleaned.get("password1"):
            try:
                validate_password(cleaned["password1"], self.user)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


class ChangePasswordForm(NewPasswordForm):
    old_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        max_length=PASSWORD_MAX_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    field_order = ["old_password", "password1", "password2"]

    def clean_old_password(self):
        old = self.cleaned_data["old_password"]
        if not self.user.check_password(old):
            raise forms.ValidationError(
                _("Your current password was entered incorrectly."), code="password_incorrect"
            )
        return old


class EmailForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        help_text=_("The address your employer has registered for you."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class SignInForm(AuthenticationForm):
    """Django's sign-in form with honest errors: usernames are not case-sensitive (only the
    password is), and a blocked account is told so once the password was right, with whom to
    contact, instead of "wrong username or password"."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "The username or the password is not right. Capitals count in the password, not in "
            "the username."
        ),
    }

    def clean(self):
        try:
            return super().clean()
        except ValidationError as error:
            if error.code == "invalid_login" and (blocked := self._blocked_account()):
                raise ValidationError(blocked_message(blocked), code="inactive") from error
            raise

    def _blocked_account(self) -> User | None:
        username, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        if not username or not password:
            return None
        user = User.objects.by_username(username).select_related("employee__employer").first()
        if user is None or user.is_active or not user.check_password(password):
            return None
        return user


def blocked_message(user: User) -> str:
    employee = getattr(user, "employee", None)
    if employee is None:
        return str(_("This account is blocked. Ask your administrator to unblock it."))
    employer = employee.employer
    contact = ", ".join(
        part
        for part in (employer.contact_name, employer.contact_email, employer.contact_phone)
        if part
    )
    if contact:
        return str(
            _(
                "%(employer)s has blocked your access to the employee portal. Questions? "
                "Contact %(contact)s."
            )
        ) % {"employer": employer.name, "contact": contact}
    return str(
        _("%(employer)s has blocked your access to the employee portal. Ask your employer why.")
    ) % {"employer": employer.name}
