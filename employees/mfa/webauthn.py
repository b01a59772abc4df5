"""Passkeys (WebAuthn) through django-otp-webauthn: its views do the ceremonies; ours decide who
may run them and what a success means here.

- Registering needs a signed-in session that meets the two-step policy and, for a person who
  already has a factor, a check within TWO_FACTOR_RECHECK_MINUTES (as every factor change). A new
  passkey is audited and mailed like any factor.
- Signing in with a passkey without a username ("Sign in with a passkey" on the portal sign-in
  page, and on the second-step page) signs its owner in completely: the passkey is something
  they have, unlocked on their device by something they know or are. Like every sign-in here it
  gives the session a new key and records the device (employees.mfa.stage).
- For a signed-in person it is the fresh check that sensitive actions ask for.

The library's JavaScript is a static file (script-src 'self'); its settings travel as a JSON
data block, which the CSP does not execute."""

import json
from urllib.parse import urlsplit

from django.contrib.auth import login
from django.shortcuts import resolve_url
from django.urls import path, reverse
from django.views.i18n import JavaScriptCatalog
from django_otp_webauthn import exceptions
from django_otp_webauthn import views as library
from django_otp_webauthn.models import WebAuthnCredential

from employees.mfa import stage
from employees.mfa.access import is_staff_member
from employees.mfa.recheck import needs_recheck
from employees.mfa.services import passkey_added
from essportal.backends import PORTAL_BACKEND
from essportal.web.http import client_ip


class _MayRegister:
    def check_can_register(self):
        request = self.request
        if not stage.session_meets_policy(request):
            raise exceptions.NotAuthenticated()
        if needs_recheck(request):
            raise exceptions.NotVerified(
                detail=str(library.RegistrationCeremonyMixin.messages["user_not_verified"])
            )


class PasskeyRegistrationBegin(_MayRegister, library.BeginCredentialRegistrationView):
    pass


class PasskeyRegistrationComplete(_MayRegister, library.CompleteCredentialRegistrationView):
    def post(self, *args, **kwargs):
        was_verified = self.request.user.is_verified()
        response = super().post(*args, **kwargs)
        if response.status_code == 200:
            device = WebAuthnCredential.objects.get(user=self.request.user, pk=_id(response))
            passkey_added(device=device, ip_address=client_ip(self.request))
            if not was_verified:
                # The person just proved they hold it; the session counts as verified from now.
                stage.verified(self.request, device)
        return response


def _id(response) -> int:
    return int(json.loads(response.content)["id"])


class PasskeyAuthenticationBegin(library.BeginCredentialAuthenticationView):
    pass


class PasskeyAuthenticationComplete(library.CompleteCredentialAuthenticationView):
    def complete_auth(self, device):
        request = self.request
        if request.user.is_authenticated:
            stage.verified(request, device)  # the fresh check of a signed-in person
            self.next_url = ""
            return
        state = stage.pending(request)
        self.next_url = state.next_url if state and state.user.pk == device.user_id else ""
        stage.pending_clear(request)
        login(request, device.user, backend=PORTAL_BACKEND)  # a new session key
        stage.verified(request, device)

    def get_redirect_url(self):
        # The library's script sends the page it runs on when the form has no `next`: from the
        # sign-in page that would lead back to the sign-in form.
        url = super().get_redirect_url()
        return "" if urlsplit(url).path in (reverse("portal:login"), reverse("hr:login")) else url

    def get_success_url(self):
        home = "hr:home" if is_staff_member(self.request.user) else "portal:home"
        return self.get_redirect_url() or self.next_url or resolve_url(home)


# The library's JavaScript finds these URLs by the names of its own namespace.
app_name = "otp_webauthn"

urlpatterns = [
    path(
        "registration/begin/",
        PasskeyRegistrationBegin.as_view(),
        name="credential-registration-begin",
    ),
    path(
        "registration/complete/",
        PasskeyRegistrationComplete.as_view(),
        name="credential-registration-complete",
    ),
    path(
        "authentication/begin/",
        PasskeyAuthenticationBegin.as_view(),
        name="credential-authentication-begin",
    ),
    path(
        "authentication/complete/",
        PasskeyAuthenticationComplete.as_view(),
        name="credential-authentication-complete",
    ),
    path(
        "jsi18n/",
        JavaScriptCatalog.as_view(packages=["django_otp_webauthn"]),
        name="js-i18n-catalog",
    ),
]
