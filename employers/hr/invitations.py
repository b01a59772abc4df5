"""HR actions on invitations (R5, R6, R13) — one URL per action, POST only."""

import secrets
from dataclasses import asdict

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from employers.hr.access import (
    Confirmation,
    employee_action,
    get_employer_for_staff,
    staff_required,
)
from essportal.web.http import posted_text
from essportal.web.spreadsheet import spreadsheet_response
from invitations.collective import grant_batch_summary, grant_preview
from invitations.models import GrantBatch, GrantBatchItem
from invitations.selectors import (
    BatchState,
    grant_batch_mail,
    grant_batch_report_rows,
    grant_batch_state,
    grant_batches_for_employer,
)
from invitations.services import (
    InvitationError,
    grant_batch_start,
    invitation_grant,
    invitation_resend,
    invitation_revoke,
    invitations_requeue_undelivered,
)

grant = employee_action(
    invitation_grant, gettext_lazy("An invitation is on its way to %(name)s."), InvitationError
)
resend = employee_action(
    invitation_resend,
    gettext_lazy("A new invitation is on its way to %(name)s; the old link no longer works."),
    InvitationError,
)
revoke = employee_action(
    invitation_revoke,
    gettext_lazy("The invitation of %(name)s was revoked."),
    InvitationError,
    confirm=Confirmation(
        question=gettext_lazy("Revoke the invitation of %(name)s?"),
        consequence=gettext_lazy(
            "The link in the invitation mail stops working at once. To give access later, "
            "grant access again: a new mail with a new link goes out."
        ),
        button=gettext_lazy("Revoke the invitation"),
    ),
)


@staff_required
def collective_grant(request, employer_id):
    """Employer → Collective actions → ESS → Grant access (R5): preview, then confirm."""
    employer = get_employer_for_staff(request, employer_id, manage=True)
    if request.method == "POST":
        key = posted_text(request, "request_key", max_length=64) or None
        batch = grant_batch_start(employer=employer, actor=request.user, request_key=key)
        return redirect("hr:collective_batch", employer_id=employer.pk, batch_id=batch.pk)
    batches = grant_batches_for_employer(employer)
    running = batches.filter(status=GrantBatch.Status.RUNNING).first()
    now = timezone.now()
    return render(
        request,
        "employers/hr/collective_grant.html",
        {
            "employer": employer,
            "preview": grant_preview(employer=employer),
            "running": running,
            "request_key": secrets.token_urlsafe(24),
            "recent": [(batch, grant_batch_state(batch, now=now)) for batch in batches[:5]],
        },
    )


def _batch_for_staff(request, employer_id, batch_id):
    employer = get_employer_for_staff(request, employer_id)
    batch = grant_batches_for_employer(employer).filter(pk=batch_id).first()
    if batch is None:
        raise Http404
    return employer, batch


@staff_required
def collective_batch(request, employer_id, batch_id):
    employer, batch = _batch_for_staff(request, employer_id, batch_id)
    state = grant_batch_state(batch)
    return render(
        request,
        "employers/hr/collective_batch.html",
        {
            "employer": employer,
            "batch": batch,
            "summary": grant_batch_summary(batch),
            "mail": grant_batch_mail(batch),
            "state": state,
            "state_message": _batch_state_message(batch, state),
        },
    )


def _batch_state_message(batch: GrantBatch, state: BatchState) -> str:
    """One sentence on the job's life, with the time of its last chunk: a job whose worker went
    away must not read as "running"."""
    if state == BatchState.DONE:
        return _("Done at %(time)s.") % {"time": _local_time(batch.finished_at)}
    last = _local_time(batch.heartbeat_at)
    if state == BatchState.WAITING:
        return _(
            "Waiting to resume: the last chunk was finished at %(time)s. The system resumes "
            "the job automatically; nothing is sent twice and you need not start it again."
        ) % {"time": last}
    return _("Running; the last chunk was finished at %(time)s.") % {"time": last}


def _local_time(moment) -> str:
    return date_format(timezone.localtime(moment), "d-m-Y H:i") if moment else "—"


@require_GET
@staff_required
def collective_batch_progress(request, employer_id, batch_id):
    _employer, batch = _batch_for_staff(request, employer_id, batch_id)
    state = grant_batch_state(batch)
    return JsonResponse(
        {
            "status": batch.status,
            "state": state.value,
            "state_label": str(state.label),
            "message": _batch_state_message(batch, state),
            "percent": batch.percent,
            "processed": batch.processed,
            "total": batch.total,
            "invited": batch.invited,
            **asdict(grant_batch_mail(batch)),
        }
    )


@require_GET
@staff_required
def collective_batch_csv(request, employer_id, batch_id):
    """What happened to each employee, streamed so that 50,000 rows stay cheap."""
    _employer, batch = _batch_for_staff(request, employer_id, batch_id)
    labels = dict(GrantBatchItem.Outcome.choices)
    items = grant_batch_report_rows(batch)

    def rows():
        yield [_("Employee number"), _("Name"), _("Email"), _("Outcome"), _("Outcome code")]
        for item in items.iterator(chunk_size=2000):
            e = item.employee
            yield [e.number, e.full_name, e.email, str(labels[item.outcome]), item.outcome]

    return spreadsheet_response(rows(), filename=f"collective-grant-{batch.pk}.csv")


@require_POST
@staff_required
def requeue_undelivered(request, employer_id):
    """Send the undelivered invitations again, to the addresses as they are now."""
    employer = get_employer_for_staff(request, employer_id, manage=True)
    count = invitations_requeue_undelivered(employer=employer, actor=request.user)
    messages.success(
        request,
        ngettext(
            "%(count)d invitation is being sent again.",
            "%(count)d invitations are being sent again.",
            count,
        )
        % {"count": count},
    )
    return redirect(reverse("hr:employee_list", args=[employer.pk]) + "?access=undelivered")
