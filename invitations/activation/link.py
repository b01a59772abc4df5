"""The employee opens the link from the mail (R8, R11, R14, R15).

GET changes nothing (mail scanners prefetch links): it checks the token and redirects to a URL
without it, so that the token does not linger in the address bar, the Referer header, the logs of
later requests, the browser history or a form on the page (the language switch posts the page's
own address back). A valid link moves its invitation into the session and goes on to the
activation; any other goes to the page that says why it does not work.
"""

from urllib.parse import urlencode

from django.core import signing
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from employers.models import Employer
from invitations.acceptance import LinkState, invitation_check_link

SESSION_KEY = "onboarding_invitation_id"

# The reason a link does not work travels to its page in a signed value, not in the session: a
# mail scanner opening dead links must not leave a session row behind per request. The value
# holds the reason and the employer whose contact the page names, never the token; the signature
# keeps anyone from making up an address that shows another employer's contact details.
_STATE_SALT = "invitations.link_state"
_STATE_MAX_LENGTH = 200
_DEAD_STATES = {
    LinkState.EXPIRED,
    LinkState.REVOKED,
    LinkState.SUPERSEDED,
    LinkState.USED,
    LinkState.LOCKED,
    LinkState.UNDELIVERED,
}


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
    return redirect(_link_state_url(check.state, check.invitation))


def _link_state_url(state: str, invitation) -> str:
    url = reverse("invitations:link_state")
    if state not in _DEAD_STATES or invitation is None:
        return url  # not valid: the plain page, which names nobody
    value = signing.dumps(
        {
            "state": state,
            "employer": invitation.employee.employer_id,
            "usernames": invitation.locked_for_taken_usernames,
        },
        salt=_STATE_SALT,
    )
    return f"{url}?{urlencode({'s': value})}"


def _read_state(value: str) -> dict:
    """The reason, employer and lock cause from a signed value; anything else is simply
    "not valid"."""
    not_valid = {"state": LinkState.INVALID}
    if not value or len(value) > _STATE_MAX_LENGTH:
        return not_valid
    try:
        data = signing.loads(value, salt=_STATE_SALT)
    except signing.BadSignature:
        return not_valid
    if not isinstance(data, dict) or data.get("state") not in _DEAD_STATES:
        return not_valid
    employer_id = data.get("employer")
    employer = (
        Employer.objects.filter(pk=employer_id).first() if isinstance(employer_id, int) else None
    )
    return {
        "state": data["state"],
        "employer": employer,
        "locked_for_usernames": data.get("usernames") is True,
    }


@never_cache
@require_safe
def link_state(request):
    """Why a link does not work, at an address without its token. Reads only."""
    return link_state_page(request, **_read_state(request.GET.get("s", "")))


def link_state_page(
    request, state: str, employer: Employer | None = None, *, locked_for_usernames: bool = False
):
    response = render(
        request,
        "invitations/activation/link_state.html",
        {
            "state": state,
            "employer": employer,
            "LinkState": LinkState,
            "locked_for_usernames": locked_for_usernames,
        },
        status=404 if state == LinkState.INVALID else 410,
    )
    response["Cache-Control"] = "no-store"
    return response
