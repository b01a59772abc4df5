"""The daily mail to HR about leave requests that came in and await a decision.

One mail a day per HR user who may decide on leave, listing per employer the requests that came
in since their previous digest; nothing when nothing came in. Each user can switch it off on
their notifications page. Celery beat runs it at LEAVE_DIGEST_HOUR (local time); the command
`send_leave_digest` runs the same for cron or an operator: a second run the same day sends no
second mail (employers.services.staff_leave_digest_claim)."""

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from employees.formatting import format_hours
from employees.leave.selectors import leave_requests_waiting_since
from employers.models import Employer
from employers.selectors import staff_managing_memberships
from employers.services import staff_leave_digest_claim, staff_leave_digest_release
from essportal.formats import format_date
from essportal.mail.message import absolute_url, build_site_message

logger = logging.getLogger(__name__)

# The first digest of a user lists what came in during the day before.
FIRST_DIGEST_LOOKS_BACK = datetime.timedelta(days=1)
# Lines per employer; beyond, the mail says how many more and the link shows them all.
LINES_PER_EMPLOYER = 20


@dataclass
class DigestSection:
    employer: Employer
    link: str
    lines: list[str] = field(default_factory=list)
    count: int = 0

    @property
    def more(self) -> int:
        return self.count - len(self.lines)


def leave_digest_send(*, now: datetime.datetime | None = None) -> int:
    """Send today's digests; the number of mails sent."""
    now = now or timezone.now()
    memberships = defaultdict(list)
    for membership in staff_managing_memberships():
        memberships[membership.user_id].append(membership)
    return sum(leave_digest_send_to(mine[0].user, mine, now=now) for mine in memberships.values())


def _employers_decided_by(memberships):
    provider_ids = [m.provider_id for m in memberships if m.provider_id]
    employer_ids = [m.employer_id for m in memberships if m.employer_id]
    return Employer.objects.filter(Q(provider_id__in=provider_ids) | Q(id__in=employer_ids))


def leave_digest_send_to(user, memberships, *, now: datetime.datetime) -> bool:
    """One user's digest, at most once a day. True when a mail went out."""
    row = staff_leave_digest_claim(user=user, now=now)
    if row is None:
        return False
    since = row.previous_sent_at or now - FIRST_DIGEST_LOOKS_BACK
    requests = list(leave_requests_waiting_since(_employers_decided_by(memberships), since))
    if not requests:
        staff_leave_digest_release(row=row)
        return False
    try:
        with translation.override(row.language):
            message = _digest_message(user, requests)
        message.send()
    except Exception:
        # The claim goes back, so that the next run (or the command) tries again.
        staff_leave_digest_release(row=row)
        logger.exception("Could not send the leave digest to user %s", user.pk)
        return False
    return True


def _digest_message(user, requests):
    sections: dict[int, DigestSection] = {}
    for leave_request in requests:
        employer = leave_request.employee.employer
        section = sections.get(employer.pk)
        if section is None:
            link = reverse("hr:leave_requests", args=[employer.pk]) + "?status=requested"
            section = sections[employer.pk] = DigestSection(employer, absolute_url(link))
        section.count += 1
        if len(section.lines) < LINES_PER_EMPLOYER:
            section.lines.append(
                _("%(name)s: %(leave_type)s from %(start)s to %(end)s (%(hours)s hours)")
                % {
                    "name": leave_request.employee.full_name,
                    "leave_type": leave_request.leave_type.name,
                    "start": format_date(leave_request.start_date),
                    "end": format_date(leave_request.end_date),
                    "hours": format_hours(leave_request.hours),
                }
            )
    count = len(requests)
    subject = ngettext(
        "%(count)d new leave request awaiting a decision",
        "%(count)d new leave requests awaiting a decision",
        count,
    ) % {"count": count}
    context = {
        "user": user,
        "sections": list(sections.values()),
        "count": count,
        "settings_link": absolute_url(reverse("hr:notifications")),
        "language": translation.get_language(),
        "site_name": settings.SITE_NAME,
    }
    return build_site_message(
        subject=subject,
        text=render_to_string("employers/hr/mail/leave_digest.txt", context),
        html=render_to_string("employers/hr/mail/leave_digest.html", context),
        to=[user.email],
    )
