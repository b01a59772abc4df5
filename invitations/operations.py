"""The invitations' part of the operator's status (`essportal.operations`): is invitation mail
going out, and are collective grants finishing? Registered from `InvitationsConfig.ready`."""

import datetime

from django.conf import settings
from django.utils.translation import gettext as _

from essportal.operations import CheckResult, operations_check
from invitations.selectors import (
    grant_batches_stalled,
    invitation_mails_failed_since,
    invitations_overdue_in_outbox,
)

FAILED_MAILS_WINDOW = datetime.timedelta(hours=24)


def _age(now, moment) -> int | None:
    return None if moment is None else max(0, int((now - moment).total_seconds()))


@operations_check("outbox")
def outbox_backlog(now) -> CheckResult:
    late = datetime.timedelta(minutes=settings.OPERATIONS_OUTBOX_LATE_MINUTES)
    backlog = invitations_overdue_in_outbox(now=now, overdue_by=late)
    oldest = _age(now, backlog.oldest)
    if not backlog.count:
        summary = _("Outbox: no invitation mail more than %(minutes)d minutes overdue.") % {
            "minutes": settings.OPERATIONS_OUTBOX_LATE_MINUTES
        }
    else:
        summary = _(
            "Outbox: %(count)d invitation mails more than %(minutes)d minutes overdue, the "
            "oldest for %(oldest)d minutes."
        ) % {
            "count": backlog.count,
            "minutes": settings.OPERATIONS_OUTBOX_LATE_MINUTES,
            "oldest": oldest // 60,
        }
    return CheckResult(
        "outbox", not backlog.count, summary, {"count": backlog.count, "oldest_age": oldest}
    )


@operations_check("failed_mails")
def failed_invitation_mails(now) -> CheckResult:
    count = invitation_mails_failed_since(now - FAILED_MAILS_WINDOW)
    limit = settings.OPERATIONS_FAILED_MAILS_PER_DAY
    summary = _(
        "Failed mails: %(count)d invitation mails failed in the last 24 hours (attention above "
        "%(limit)d)."
    ) % {"count": count, "limit": limit}
    return CheckResult("failed_mails", count <= limit, summary, {"count": count})


@operations_check("collective_grants")
def stalled_collective_grants(now) -> CheckResult:
    quiet = datetime.timedelta(minutes=settings.OPERATIONS_BATCH_STALLED_MINUTES)
    stalled = grant_batches_stalled(now=now, quiet_for=quiet)
    if not stalled.count:
        summary = _("Collective grants: none stalled.")
    else:
        summary = _(
            "Collective grants: %(count)d running without progress for more than %(minutes)d "
            "minutes."
        ) % {"count": stalled.count, "minutes": settings.OPERATIONS_BATCH_STALLED_MINUTES}
    return CheckResult(
        "collective_grants",
        not stalled.count,
        summary,
        {"count": stalled.count, "oldest_age": _age(now, stalled.oldest)},
    )
