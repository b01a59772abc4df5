"""The employee opens the link from the mail (R8, R11, R14, R15).

GET changes nothing (mail scanners prefetch links): it checks the token and, when it is valid,
moves the invitation into the session and redirects to a token-free URL, so that the token does not
linger in the address bar, the Referer header, the logs of later requests or the browser history.
"""

from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from invitations.services import LinkState, invitation_check_link

SESSION_KEY = "onboarding_invitation_id"


@never_cache
@require_safe
def open_link(request, token):
    check = invitation_check_link(token[:200])
    if check.is_valid:
        # A fresh session id from here on: an id planted in the browser beforehand (session
        # fixation) must not let its planter follow this employee's activation.
        request.session.cycle_key()
        request.session[SESSION_KEY] = check.invitation.pk
        return redirect("invitations:activate")
    return link_state_page(request, check.state, check.invitation)


def link_state_page(request, state, invitation=None):
    employer = invitation.employee.employer if invitation is not None else None
    response = render(
        request,
        "invitations/activation/link_state.html",
        {
            "state": state,
            "employer": employer,
            "LinkState": LinkState,
            "locked_for_usernames": invitation is not None
            and invitation.locked_for_taken_usernames,
        },
        status=404 if state == LinkState.INVALID else 410,
    )
    response["Cache-Control"] = "no-store"
    return response
