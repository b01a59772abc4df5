"""HR editor for the mail texts (R16): provider level and employer level, one URL per action.
The preview of a text is a page of its own (employers/hr/text_preview.py)."""

import errno
import logging

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from employees.mfa.recheck import needs_recheck, recheck_redirect
from employers.hr.access import get_employer_for_staff, get_provider_for_staff, staff_required
from employers.hr.forms import EmailTextForm, SenderForm
from employers.models import EmailText, Employer
from employers.selectors import memberships_for_staff, staff_can_manage
from employers.texts import (
    email_kind_offered,
    email_kinds_for,
    email_overrides_for,
    email_text_restore_field,
    email_text_save,
)
from essportal.mail.kinds import FIELDS, KINDS, LANGUAGES, PLACEHOLDERS
from essportal.mail.message import build_message
from essportal.mail.texts import (
    email_text_resolve,
    html_frame,
    render_resolved,
    sample_values,
)

logger = logging.getLogger(__name__)

LEVELS = ("employer", "provider")
NO_OVERRIDES = {"employer": None, "provider": None}


def text_owner(request, level: str, owner_id: int, *, manage: bool = False):
    if level == "employer":
        return get_employer_for_staff(request, owner_id, manage=manage)
    if level == "provider":
        return get_provider_for_staff(request, owner_id, manage=manage)
    raise Http404


def offered_kind(owner, kind: str, language: str):
    """The kind of mail, if it exists and is offered to this owner (not the mails of a module
    the employer does not use)."""
    if kind not in KINDS or language not in LANGUAGES or not email_kind_offered(owner, KINDS[kind]):
        raise Http404
    return KINDS[kind]


def _can_manage(request, owner) -> bool:
    if isinstance(owner, Employer):
        return staff_can_manage(request.user, owner)
    return any(
        m.can_manage for m in memberships_for_staff(request.user) if m.provider_id == owner.pk
    )


def sample_employer(owner):
    """Whose name a preview shows: the employer itself, or a stand-in under the provider."""
    if isinstance(owner, Employer):
        return owner
    return Employer(provider=owner, name=_("Sample employer B.V."), contact_name="HR")


def overrides_with_draft(owner, kind: str, language: str, draft: EmailText | None = None):
    """The rows that apply to the owner, optionally with the owner's own row replaced by an
    unsaved draft (for a preview)."""
    rows = email_overrides_for(owner).get((kind, language), NO_OVERRIDES)
    if draft is not None:
        rows = {**rows, ("employer" if isinstance(owner, Employer) else "provider"): draft}
    return rows


def _context(owner, level, **extra):
    return {
        "owner": owner,
        "level": level,
        "employer": owner if level == "employer" else None,
        **extra,
    }


@staff_required
def email_texts(request, level, owner_id):
    owner = text_owner(request, level, owner_id)
    sender_form = SenderForm(instance=owner) if level == "employer" else None
    return _texts_page(request, owner, level, sender_form)


def _texts_page(request, owner, level, sender_form):
    """One row per kind of mail the owner sends, with its texts per language."""
    overrides = email_overrides_for(owner)
    rows = [
        {
            "kind": kind,
            "languages": [
                {
                    "language": language,
                    "resolved": email_text_resolve(
                        kind=kind.key,
                        language=language,
                        overrides=overrides.get((kind.key, language), NO_OVERRIDES),
                    ),
                }
                for language in LANGUAGES
            ],
        }
        for kind in email_kinds_for(owner)
    ]
    return render(
        request,
        "employers/hr/email_texts.html",
        _context(owner, level, rows=rows, sender_form=sender_form, languages=LANGUAGES),
    )


@staff_required
def email_text_edit(request, level, owner_id, kind, language):
    """The editor, filled with the text that is sent now; saving keeps only what differs from
    the inherited text (employers.texts.email_text_save)."""
    owner = text_owner(request, level, owner_id, manage=request.method == "POST")
    mail_kind = offered_kind(owner, kind, language)
    rows = overrides_with_draft(owner, kind, language)
    effective = email_text_resolve(kind=kind, language=language, overrides=rows)
    form = EmailTextForm(
        request.POST if request.method == "POST" else None,
        initial={"subject": effective.subject, "body": effective.body},
        kind=mail_kind,
    )
    if request.method == "POST" and form.is_valid():
        email_text_save(
            owner=owner, kind=kind, language=language, actor=request.user, **form.cleaned_data
        )
        messages.success(request, _("The text was saved."))
        return redirect("hr:email_text_edit", level, owner.pk, kind, language)
    # What each field resolves to without this owner's own override: what "restore" gives.
    inherited = email_text_resolve(kind=kind, language=language, overrides={**rows, level: None})
    return render(
        request,
        "employers/hr/email_text_edit.html",
        _context(
            owner,
            level,
            kind=mail_kind,
            language=language,
            form=form,
            inherited=inherited,
            effective=effective,
            placeholders=[PLACEHOLDERS[name] for name in mail_kind.placeholders],
            fields=FIELDS,
            languages=LANGUAGES,
            can_manage=_can_manage(request, owner),
        ),
    )


@require_POST
@staff_required
def email_text_test(request, level, owner_id, kind, language):
    """Send me a test mail of the saved text."""
    owner = text_owner(request, level, owner_id, manage=True)
    offered_kind(owner, kind, language)
    if not request.user.email:
        messages.error(request, _("Your account has no email address for a test mail."))
        return redirect("hr:email_text_edit", level, owner.pk, kind, language)
    employer = sample_employer(owner)
    resolved = email_text_resolve(
        kind=kind, language=language, overrides=overrides_with_draft(owner, kind, language)
    )
    texts = render_resolved(resolved, sample_values(kind, employer), html_frame(employer, language))
    texts = type(texts)(subject=_("[Test] %s") % texts.subject, text=texts.text, html=texts.html)
    build_message(texts, employer=employer, to=[request.user.email]).send()
    messages.success(
        request, _("A test mail was sent to %(email)s.") % {"email": request.user.email}
    )
    return redirect("hr:email_text_edit", level, owner.pk, kind, language)


@require_POST
@staff_required
def email_text_restore(request, level, owner_id, kind, language, field_name):
    owner = text_owner(request, level, owner_id, manage=True)
    offered_kind(owner, kind, language)
    if field_name not in FIELDS:
        raise Http404
    email_text_restore_field(
        owner=owner, kind=kind, language=language, field_name=field_name, actor=request.user
    )
    messages.success(request, _("The field now follows the inherited text again."))
    return redirect("hr:email_text_edit", level, owner.pk, kind, language)


@require_POST
@staff_required
def sender(request, owner_id):
    """The reply-to address and the logo, saved together or not at all. When something is
    wrong (a logo that cannot be one, or a disk that cannot take it) the page comes back with
    what HR typed still in the form and the reason at the field."""
    employer = get_employer_for_staff(request, owner_id, manage=True)
    if needs_recheck(request):
        # A fresh second-factor check first; then back to the page with the form.
        return recheck_redirect(request, reverse("hr:email_texts", args=["employer", employer.pk]))
    form = SenderForm(request.POST, request.FILES, instance=employer)
    if form.is_valid():
        try:
            # One transaction (a savepoint inside another), so that a failing file write,
            # which Django meets inside the row's save, rolls back only this.
            with transaction.atomic():
                form.save()
        except OSError as error:
            # The storage removed its temporary file and the row was not written (Django saves
            # it after the file): nothing of this submission is kept but the form's own data.
            logger.error(
                "The logo of employer %s could not be stored: %s (errno %s)",
                employer.pk,
                error.strerror or type(error).__name__,
                error.errno,
            )
            employer.refresh_from_db()
            form.add_error("logo", _logo_not_stored(error))
        else:
            messages.success(request, _("The sender settings were saved."))
            return redirect("hr:email_texts", "employer", employer.pk)
    else:
        employer.refresh_from_db()  # the form put its cleaned values on the instance
    return _texts_page(request, employer, "employer", form)


def _logo_not_stored(error: OSError) -> str:
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return _(
            "The logo could not be stored: the server's disk is full. Nothing was saved; "
            "try again later, or ask the portal's operator."
        )
    return _(
        "The logo could not be stored because of a problem on the server. Nothing was saved; "
        "try again later, or ask the portal's operator."
    )
