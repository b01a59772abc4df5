"""Activation (R8–R10): birth date, then username and password, then signed in.

The invitation travels in the session (put there by the link view); every step re-checks that it
is still pending, unexpired, unrevoked and unlocked.
"""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from employees.accounts.passwords import PASSWORD_RULES
from employees.mfa import stage
from essportal.backends import PORTAL_BACKEND
from essportal.web.http import client_ip
from essportal.web.throttle import throttle_count, throttle_used_up
from invitations.acceptance import (
    InvitationAlreadyUsed,
    InvitationLocked,
    LinkState,
    UsernameTaken,
    invitation_accept,
    invitation_check_birth_date,
    invitation_state,
)
from invitations.activation.forms import BirthDateForm, CredentialsForm
from invitations.activation.link import SESSION_KEY, link_state_page

BIRTH_DATE_OK_KEY = "onboarding_birth_date_ok"


def _current_invitation(request):
    """The session's invitation if it may still be used, else the page explaining why not."""
    check = invitation_state(request.session.get(SESSION_KEY))
    if not check.is_valid:
        invitation = check.invitation
        return None, link_state_page(
            request,
            check.state,
            invitation.employee.employer if invitation else None,
            locked_for_usernames=bool(invitation and invitation.locked_for_taken_usernames),
        )
    return check.invitation, None


@never_cache
def birth_date(request):
    invitation, refusal = _current_invitation(request)
    if refusal:
        return refusal
    form = BirthDateForm(request.POST or None)
    attempts_left = None
    if request.method == "POST" and form.is_valid():
        # Per client address only wrong answers count: colleagues behind one office address
        # who know their birth date never use it up. Once it is used up nothing is evaluated,
        # a right date included: answering right and wrong differently from then on would
        # tell a guesser which date is right without counting the guess.
        address = client_ip(request) or "unknown"
        if throttle_used_up(
            "birth-date",
            address,
            limit=settings.BIRTH_DATE_ATTEMPTS_PER_ADDRESS_PER_HOUR,
            window_seconds=3600,
            # A Redis outage must not stop employees activating; the per-invitation cap in the
            # database still limits every link to its five wrong answers meanwhile.
            if_unreachable=False,
        ):
            return render(request, "invitations/activation/throttled.html", status=429)
        result = invitation_check_birth_date(
            invitation_id=invitation.pk,
            birth_date=form.cleaned_data["birth_date"],
            ip_address=client_ip(request),
        )
        if result.wrong:
            throttle_count("birth-date", address, window_seconds=3600)
        if result.correct:
            request.session.cycle_key()  # the session now proves the birth date: a new id
            request.session[BIRTH_DATE_OK_KEY] = invitation.pk
            return redirect("invitations:activate_account")
        if result.state != LinkState.VALID:
            return link_state_page(request, result.state, invitation.employee.employer)
        attempts_left = result.attempts_left
    return render(
        request,
        "invitations/activation/birth_date.html",
        {"form": form, "attempts_left": attempts_left},
    )


@never_cache
def choose_credentials(request):
    invitation, refusal = _current_invitation(request)
    if refusal:
        return refusal
    if request.session.get(BIRTH_DATE_OK_KEY) != invitation.pk:
        return redirect("invitations:activate")
    employee = invitation.employee
    form = CredentialsForm(request.POST or None, employee=employee)
    usernames_left = None
    if request.method == "POST" and form.is_valid():
        try:
            user = invitation_accept(
                invitation_id=invitation.pk,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password1"],
                ip_address=client_ip(request),
            )
        except UsernameTaken as exc:
            form.add_error("username", str(exc))
            usernames_left = exc.attempts_left
        except InvitationLocked:
            return _current_invitation(request)[1]  # the page saying it is locked, and why
        except InvitationAlreadyUsed as exc:
            request.session.pop(SESSION_KEY, None)
            request.session.pop(BIRTH_DATE_OK_KEY, None)
            messages.info(request, str(exc))
            return redirect("portal:login")
        else:
            # R10: signed in straight away; where the employer requires two-step sign-in, its
            # set-up is the next step (employees.mfa.stage). Either way the session gets a new
            # key, so an identifier fixed before activation is worthless afterwards.
            request.session.pop(SESSION_KEY, None)
            request.session.pop(BIRTH_DATE_OK_KEY, None)
            user.backend = PORTAL_BACKEND
            # Then an optional step offers a passkey ("make signing in easier").
            response = stage.sign_in(
                request, user, site="portal", next_url=reverse("mfa:passkey_offer")
            )
            messages.success(
                request,
                _("Welcome, %(name)s. Your account is ready.") % {"name": employee.first_name},
            )
            return response
    return render(
        request,
        "invitations/activation/account.html",
        {
            "form": form,
            "employee": None,
            "first_name": employee.first_name,
            "rules": PASSWORD_RULES,
            "usernames_left": usernames_left,
        },
    )
