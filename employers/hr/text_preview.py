"""The preview of a mail text (R16): the HTML part as it will be sent, with a sample employee.

A page of its own, shown in a sandboxed frame beside the editor: GET shows the text that is sent
now, POST an unsaved draft from the editor's form (the form posts into the frame; static/js/
email_editor.js does so again as HR types). The mail's styles are inline, which the portal's CSP
refuses; this response has a CSP of its own that allows them and nothing else (no script, no
request anywhere), and may be framed by the portal's own pages only."""

import base64

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_http_methods

from employers.hr.access import staff_required
from employers.hr.forms import EmailTextForm
from employers.hr.texts import offered_kind, overrides_with_draft, sample_employer, text_owner
from employers.models import EmailText
from essportal.mail.message import logo_part
from essportal.mail.texts import email_text_resolve, html_frame, render_resolved, sample_values
from essportal.web.middleware import MAIL_PREVIEW_CSP

_SUBJECT_BAR = (
    '<div lang="{}" style="max-width:560px;margin:0 auto 12px;padding:8px 12px;'
    'background:#ffffff;border:1px solid #d0d7de;font-size:14px;">'
    '<span style="color:#57606a;">{}:</span> <strong>{}</strong></div>'
)


def _logo_src(employer) -> str:
    """The logo as a data: URL (the sent mail refers to its inline part, cid:, which a page
    cannot show). Empty when there is no logo that can be read: the mail shows the name."""
    part = logo_part(employer.logo.name) if employer.pk and employer.logo else None
    if part is None:
        return ""
    return "data:image/png;base64," + base64.b64encode(part.get_payload(decode=True)).decode()


@require_http_methods(["GET", "POST"])
@staff_required
@xframe_options_sameorigin
def email_text_preview(request, level, owner_id, kind, language):
    # Viewing, not changing: the read-only role sees the preview of what it types too.
    owner = text_owner(request, level, owner_id)
    mail_kind = offered_kind(owner, kind, language)
    form = None
    draft = None
    if request.method == "POST":
        form = EmailTextForm(request.POST, kind=mail_kind)
        if not form.is_valid():
            # What stands in the way, in place of the mail.
            return _with_preview_headers(
                render(request, "employers/hr/email_preview_problems.html", {"form": form})
            )
        draft = EmailText(kind=kind, language=language, **form.cleaned_data)
    employer = sample_employer(owner)
    resolved = email_text_resolve(
        kind=kind, language=language, overrides=overrides_with_draft(owner, kind, language, draft)
    )
    # The body first: the subject goes in the bar above the mail.
    texts = render_resolved(resolved, sample_values(kind, employer))
    header = format_html(_SUBJECT_BAR, get_language(), _("Subject"), texts.subject)
    before, after = html_frame(employer, language, logo_src=_logo_src(employer), header=header)
    # The HTML part as it is sent: escaped text in the mail's template (essportal.mail.texts).
    return _with_preview_headers(HttpResponse(before + texts.html + after))


def _with_preview_headers(response):
    response.headers["Content-Security-Policy"] = MAIL_PREVIEW_CSP
    return response
