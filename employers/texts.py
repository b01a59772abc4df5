"""Provider and employer overrides of the mail texts (R16): storing them, and rendering a mail
with the wording that applies (employer beats provider beats default)."""

from django.db import transaction
from django.db.models import Q

from employers.models import EmailText, Employer, Provider
from essportal.mail.kinds import FIELDS, KINDS, MailKind
from essportal.mail.texts import (
    MailTexts,
    ResolvedText,
    email_text_resolve,
    html_frame,
    render_resolved,
    render_subject,
)


def _owner_filter(owner) -> dict:
    return {"employer": owner} if isinstance(owner, Employer) else {"provider": owner}


def email_text_for(owner, kind: str, language: str) -> EmailText | None:
    return EmailText.objects.filter(kind=kind, language=language, **_owner_filter(owner)).first()


# The optional modules (R2), by the name a MailKind gives, and the Employer field that switches it.
MODULE_SWITCHES = {"leave": "leave_module"}


def email_kind_offered(owner, kind: MailKind) -> bool:
    """Whether HR of this owner gets to edit a kind of mail. The mails of an optional module
    (R2) that the employer does not use are never sent, so they are not offered; a provider is
    offered every mail (some of its employers may use the module)."""
    if kind.module is None or not isinstance(owner, Employer):
        return True
    return getattr(owner, MODULE_SWITCHES[kind.module])


def email_kinds_for(owner) -> list[MailKind]:
    return [kind for kind in KINDS.values() if email_kind_offered(owner, kind)]


def email_text_inherited(owner, kind: str, language: str) -> ResolvedText:
    """What each field is without the owner's own override: what "restore" gives, and what a
    field left as it is keeps following."""
    provider_row = None
    if isinstance(owner, Employer):
        provider_row = EmailText.objects.filter(
            provider_id=owner.provider_id, kind=kind, language=language
        ).first()
    return email_text_resolve(
        kind=kind, language=language, overrides={"employer": None, "provider": provider_row}
    )


def _same_text(a: str, b: str) -> bool:
    return a.replace("\r\n", "\n").strip() == b.replace("\r\n", "\n").strip()


@transaction.atomic
def email_text_save(
    *, owner: Employer | Provider, kind: str, language: str, subject: str, body: str, actor=None
) -> EmailText | None:
    """Store the owner's override; blank fields inherit. The editor shows the text that is sent
    now, so a field saved as it is, equal to the inherited text, is stored blank: it keeps
    following the provider's or the standard text. Both blank removes the override.
    The values must have been validated with essportal.mail.texts.text_problems."""
    inherited = email_text_inherited(owner, kind, language)
    if subject and _same_text(subject, inherited.subject):
        subject = ""
    if body and _same_text(body, inherited.body):
        body = ""
    if not subject and not body:
        EmailText.objects.filter(kind=kind, language=language, **_owner_filter(owner)).delete()
        return None
    text, _created = EmailText.objects.update_or_create(
        kind=kind,
        language=language,
        **_owner_filter(owner),
        defaults={"subject": subject, "body": body, "updated_by": actor},
    )
    return text


@transaction.atomic
def email_text_restore_field(
    *, owner: Employer | Provider, kind: str, language: str, field_name: str, actor=None
) -> None:
    """ "Restore default" for one field: the owner stops overriding it."""
    if field_name not in FIELDS:
        raise ValueError(field_name)
    text = email_text_for(owner, kind, language)
    if text is None:
        return
    values = {"subject": text.subject, "body": text.body, field_name: ""}
    email_text_save(owner=owner, kind=kind, language=language, actor=actor, **values)


def email_overrides_for(owner) -> dict[tuple[str, str], dict[str, EmailText | None]]:
    """All overrides that apply to an owner, in one query: {(kind, language): {level: row}}."""
    if isinstance(owner, Employer):
        rows = EmailText.objects.filter(Q(employer=owner) | Q(provider_id=owner.provider_id))
    else:
        rows = EmailText.objects.filter(provider=owner)
    result: dict[tuple[str, str], dict[str, EmailText | None]] = {}
    for row in rows:
        level = "employer" if row.employer_id else "provider"
        result.setdefault((row.kind, row.language), {"employer": None, "provider": None})[level] = (
            row
        )
    return result


def email_overrides(employer: Employer, kind: str, language: str) -> dict[str, EmailText | None]:
    """The employer's and its provider's override of one mail in one language."""
    rows = EmailText.objects.filter(
        Q(employer_id=employer.pk) | Q(provider_id=employer.provider_id),
        kind=kind,
        language=language,
    )
    by_level: dict[str, EmailText | None] = {"employer": None, "provider": None}
    for row in rows:
        by_level["employer" if row.employer_id else "provider"] = row
    return by_level


def email_text_effective(*, employer: Employer, kind: str, language: str) -> ResolvedText:
    """The wording this employer's employees get for one mail in one language."""
    return email_text_resolve(
        kind=kind, language=language, overrides=email_overrides(employer, kind, language)
    )


class Renderer:
    """Renders one kind of mail for many employees; the texts and the HTML frame are looked up
    once per employer and language (a collective grant sends thousands)."""

    def __init__(self, kind: str):
        self.kind = kind
        self._texts: dict[tuple[int, str], ResolvedText] = {}
        self._frames: dict[tuple[int, str], tuple[str, str]] = {}

    def _resolved(self, employer, language: str) -> tuple[ResolvedText, tuple[str, str]]:
        key = (employer.pk, language)
        if key not in self._texts:
            self._texts[key] = email_text_effective(
                employer=employer, kind=self.kind, language=language
            )
            self._frames[key] = html_frame(employer, language)
        return self._texts[key], self._frames[key]

    def render(
        self, *, employer, language: str, values: dict[str, str], html_values=None
    ) -> MailTexts:
        resolved, frame = self._resolved(employer, language)
        return render_resolved(resolved, values, frame, html_values)

    def subject(self, *, employer, language: str, values: dict[str, str]) -> str:
        return render_subject(self._resolved(employer, language)[0], values)
