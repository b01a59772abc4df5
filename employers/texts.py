"""Saving provider and employer overrides of the mail texts (R16)."""

from django.db import transaction

from employers.models import Employer, Provider
from essportal.mail.texts import FIELDS
from invitations.models import EmailText


def _owner_filter(owner) -> dict:
    return {"employer": owner} if isinstance(owner, Employer) else {"provider": owner}


def email_text_for(owner, kind: str, language: str) -> EmailText | None:
    return EmailText.objects.filter(kind=kind, language=language, **_owner_filter(owner)).first()


@transaction.atomic
def email_text_save(
    *, owner: Employer | Provider, kind: str, language: str, subject: str, body: str, actor=None
) -> EmailText | None:
    """Store the owner's override; blank fields inherit. Both blank removes the override.
    The values must have been validated with essportal.mail.texts.text_problems."""
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
    from django.db.models import Q

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
