"""E-mailteksten (R16): every mail's wording, its defaults, overrides and rendering.

A text is plain text with placeholders such as `{first_name}` from a fixed list per kind of mail.
HR-edited texts are data, never code: rendering is a plain substitution of known names, so Django
template syntax typed by HR stays inert text, and every value is escaped in the HTML version.

Resolution is field by field: the employer's subject or body wins over the provider's, which wins
over the default. An override that is no longer valid (edited outside the editor, say) is skipped
at sending, so a bad subject can never reach a mail header.
"""

import re
from dataclasses import dataclass, field
from html import escape

from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

SUBJECT_MAX_LENGTH = 200
BODY_MAX_LENGTH = 10_000
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
BRACED = re.compile(r"\{[^{}]*\}")
LINE_BREAKS = re.compile(r"[\r\n\v\f\x85\u2028\u2029]")


@dataclass(frozen=True)
class Placeholder:
    name: str
    description: str
    sample: str


PLACEHOLDERS = {
    p.name: p
    for p in [
        Placeholder("first_name", gettext_lazy("The employee's first name"), "Anna"),
        Placeholder("full_name", gettext_lazy("The employee's full name"), "Anna de Vries"),
        Placeholder("employer", gettext_lazy("The employer's name"), "Bakkerij Jansen B.V."),
        Placeholder(
            "employer_contact",
            gettext_lazy("Whom to contact at the employer (name and email)"),
            "Petra de Vries, hr@bakkerijjansen.nl",
        ),
        Placeholder(
            "link",
            gettext_lazy("The personal link of this mail"),
            "https://portal.example.nl/invite/voorbeeld/",
        ),
        Placeholder(
            "valid_until_date", gettext_lazy("Date until which the link works"), "06-03-2026"
        ),
        Placeholder("valid_until_time", gettext_lazy("Time until which the link works"), "10:30"),
        Placeholder("username", gettext_lazy("The employee's username"), "anna.devries"),
        Placeholder("periods", gettext_lazy("The pay periods of the new payslips"), "maart 2026"),
        Placeholder("year", gettext_lazy("The year of the annual statement"), "2025"),
        Placeholder("leave_type", gettext_lazy("The kind of leave"), "Vakantie"),
        Placeholder("leave_start", gettext_lazy("First day of the leave"), "14-07-2026"),
        Placeholder("leave_end", gettext_lazy("Last day of the leave"), "25-07-2026"),
        Placeholder("leave_hours", gettext_lazy("Hours of leave"), "80"),
        Placeholder(
            "decision_note",
            gettext_lazy("HR's note with the decision (may be empty)"),
            "Fijne vakantie!",
        ),
    ]
}
COMMON = ("first_name", "full_name", "employer", "employer_contact")


@dataclass(frozen=True)
class MailKind:
    key: str
    label: str
    placeholders: tuple[str, ...]
    required: tuple[str, ...]
    subject: str  # default, an English msgid translated at render time
    body: str


def _kind(key, label, extra, required, subject, body) -> MailKind:
    return MailKind(key, label, (*COMMON, *extra), required, subject, body)


INVITATION_BODY = gettext_lazy(
    "Dear {first_name},\n\n"
    "{employer} gives you access to the employee portal. There you can read your payslips, "
    "annual statements and leave.\n\n"
    "Open this personal link to activate your access:\n\n"
    "{link}\n\n"
    "The link works until {valid_until_date} at {valid_until_time} and only once. You will be "
    "asked for your birth date first, as a security check. Then you choose a username and a "
    "password.\n\n"
    "Did you not expect this mail, or has the link expired? Ask {employer} for a new "
    "invitation: {employer_contact}\n\n"
    "Kind regards,\n{employer}"
)

KINDS = {
    k.key: k
    for k in [
        _kind(
            "invitation",
            gettext_lazy("Access invitation"),
            ("link", "valid_until_date", "valid_until_time"),
            ("link",),
            gettext_lazy("Your access to the employee portal of {employer}"),
            INVITATION_BODY,
        ),
        _kind(
            "invitation_resend",
            gettext_lazy("Access invitation, sent again"),
            ("link", "valid_until_date", "valid_until_time"),
            ("link",),
            gettext_lazy("New link: your access to the employee portal of {employer}"),
            gettext_lazy(
                "Dear {first_name},\n\n"
                "Here is a new link to activate your access to the employee portal of "
                "{employer}. The link in the earlier mail no longer works.\n\n"
                "{link}\n\n"
                "The link works until {valid_until_date} at {valid_until_time} and only once. "
                "You will be asked for your birth date first, as a security check. Then you "
                "choose a username and a password.\n\n"
                "Questions? Ask {employer}: {employer_contact}\n\n"
                "Kind regards,\n{employer}"
            ),
        ),
        _kind(
            "account_blocked",
            gettext_lazy("Access blocked"),
            (),
            (),
            gettext_lazy("Your access to the employee portal of {employer} has been blocked"),
            gettext_lazy(
                "Dear {first_name},\n\n"
                "{employer} has blocked your access to the employee portal. You can no longer "
                "sign in.\n\n"
                "Do you think this is a mistake, or do you need a document? Contact {employer}: "
                "{employer_contact}\n\n"
                "Kind regards,\n{employer}"
            ),
        ),
        _kind(
            "account_unblocked",
            gettext_lazy("Access unblocked"),
            ("username", "link"),
            (),
            gettext_lazy("Your access to the employee portal of {employer} works again"),
            gettext_lazy(
                "Dear {first_name},\n\n"
                "You can sign in to the employee portal again with your username {username} "
                "and your own password:\n\n"
                "{link}\n\n"
                "Kind regards,\n{employer}"
            ),
        ),
        _kind(
            "username_reminder",
            gettext_lazy("Forgotten username"),
            ("username", "link"),
            ("username",),
            gettext_lazy("Your username for the employee portal of {employer}"),
            gettext_lazy(
                "Dear {first_name},\n\n"
                "Your username for the employee portal is: {username}\n\n"
                "Sign in here: {link}\n\n"
                "Forgot your password too? Choose 'Forgot your password?' on the sign-in "
                "page.\n\n"
                "Kind regards,\n{employer}"
            ),
        ),
        _kind(
            "password_reset",
            gettext_lazy("Password reset"),
            ("username", "link"),
            ("link",),
            gettext_lazy("Set a new password for the employee portal of {employer}"),
            gettext_lazy(
                "Dear {first_name},\n\n"
                "Someone asked to set a new password for your account {username}. Open this "
                "link to choose a new password:\n\n"
                "{link}\n\n"
                "The link works for 1 hour and only once. Did you not ask for this? Then ignore "
                "this mail: your password stays as it is.\n\n"
                "Kind regards,\n{employer}"
            ),
        ),
        _kind(
            "payslip_published",
            gettext_lazy("New payslip"),
            ("periods", "link"),
            (),
            gettext_lazy("A new payslip from {employer} is ready"),
            gettext_lazy(
                "Dear {first_name},\n\n"
                "A new payslip is ready for you in the employee portal: {periods}\n\n"
                "{link}\n\n"
                "For your privacy this mail does not contain any amounts.\n\n"
                "Kind regards,\n{employer}"
            ),
        ),
        _kind(
            "statement_published",
            gettext_lazy("New annual statement"),
            ("year", "link"),
            (),
            gettext_lazy("Your annual statement {year} from {employer} is ready"),
            gettext_lazy(
                "Dear {first_name},\n\n"
                "Your annual statement for {year} is ready in the employee portal. You need it "
                "for your income tax return.\n\n"
                "{link}\n\n"
                "Kind regards,\n{employer}"
            ),
        ),
        _kind(
            "leave_approved",
            gettext_lazy("Leave request approved"),
            ("leave_type", "leave_start", "leave_end", "leave_hours", "decision_note", "link"),
            (),
            gettext_lazy("Your leave request has been approved"),
            gettext_lazy(
                "Dear {first_name},\n\n"
                "Your request for {leave_type} from {leave_start} to {leave_end} "
                "({leave_hours} hours) has been approved.\n\n"
                "{decision_note}\n\n"
                "See your leave in the employee portal: {link}\n\n"
                "Kind regards,\n{employer}"
            ),
        ),
        _kind(
            "leave_rejected",
            gettext_lazy("Leave request rejected"),
            ("leave_type", "leave_start", "leave_end", "leave_hours", "decision_note", "link"),
            (),
            gettext_lazy("Your leave request has been rejected"),
            gettext_lazy(
                "Dear {first_name},\n\n"
                "Your request for {leave_type} from {leave_start} to {leave_end} "
                "({leave_hours} hours) has been rejected.\n\n"
                "{decision_note}\n\n"
                "Questions? Contact {employer}: {employer_contact}\n\n"
                "See your leave in the employee portal: {link}\n\n"
                "Kind regards,\n{employer}"
            ),
        ),
    ]
}
LANGUAGES = ("nl", "en")
FIELDS = ("subject", "body")


# --- Validation -------------------------------------------------------------------------------


def text_problems(kind: MailKind, field_name: str, value: str) -> list[str]:
    """What is wrong with an override, in words HR can act on. Empty means usable."""
    problems = []
    if field_name == "subject":
        if LINE_BREAKS.search(value):
            problems.append(_("A subject must be one line: remove the line breaks."))
        if len(value) > SUBJECT_MAX_LENGTH:
            problems.append(
                _("A subject may be at most %(max)d characters; this one has %(length)d.")
                % {"max": SUBJECT_MAX_LENGTH, "length": len(value)}
            )
    elif len(value) > BODY_MAX_LENGTH:
        problems.append(_("The text may be at most %(max)d characters.") % {"max": BODY_MAX_LENGTH})
    for token in BRACED.findall(value):
        name = token[1:-1]
        if not PLACEHOLDER.fullmatch(token) or name not in kind.placeholders:
            problems.append(
                _("Unknown placeholder %(token)s. Use only the placeholders listed.")
                % {"token": token[:60]}
            )
    leftover = BRACED.sub("", value)
    if "{" in leftover or "}" in leftover:
        problems.append(_("Use { and } only around a placeholder, such as {first_name}."))
    if field_name == "body":
        for name in kind.required:
            if "{%s}" % name not in value:  # noqa: UP031 - braces are literal here
                problems.append(
                    _("This mail must contain the placeholder {%(name)s}.") % {"name": name}
                )
    return problems


# --- Resolution -------------------------------------------------------------------------------


@dataclass
class ResolvedText:
    kind: MailKind
    language: str
    subject: str
    body: str
    sources: dict[str, str] = field(default_factory=dict)  # field -> default/provider/employer


def _overrides(employer, kind_key: str, language: str):
    from invitations.models import EmailText

    rows = EmailText.objects.filter(
        Q(employer_id=employer.pk) | Q(provider_id=employer.provider_id),
        kind=kind_key,
        language=language,
    )
    by_level = {"employer": None, "provider": None}
    for row in rows:
        by_level["employer" if row.employer_id else "provider"] = row
    return by_level


def email_text_resolve(*, employer, kind: str, language: str, overrides=None) -> ResolvedText:
    """The text to send: employer beats provider beats default, field by field (R16)."""
    mail_kind = KINDS[kind]
    overrides = overrides if overrides is not None else _overrides(employer, kind, language)
    resolved = ResolvedText(mail_kind, language, "", "")
    for name in FIELDS:
        for level in ("employer", "provider"):
            row = overrides.get(level)
            value = getattr(row, name, "") if row is not None else ""
            if value and not text_problems(mail_kind, name, value):
                setattr(resolved, name, value)
                resolved.sources[name] = level
                break
        else:
            with translation.override(language):
                setattr(resolved, name, str(getattr(mail_kind, name)))
            resolved.sources[name] = "default"
    return resolved


# --- Rendering --------------------------------------------------------------------------------


@dataclass(frozen=True)
class MailTexts:
    subject: str
    text: str
    html: str


def _fill(template: str, values: dict[str, str], transform=lambda name, value: value) -> str:
    return PLACEHOLDER.sub(
        lambda m: transform(m[1], values[m[1]]) if m[1] in values else m[0], template
    )


def _html_value(name: str, value: str) -> str:
    if name == "link" and value:
        url = escape(value, quote=True)
        return f'<a href="{url}" style="color:#0b5cad;">{escape(value)}</a>'
    return escape(value)


def _body_html(body: str, values: dict[str, str]) -> str:
    """Plain text to safe HTML: the literal text and every value escaped, paragraphs kept."""
    html = _fill(escape(body, quote=False), values, _html_value)
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", html) if p.strip()]
    return "\n".join(
        '<p style="margin:0 0 16px;">' + p.replace("\n", "<br>\n") + "</p>" for p in paragraphs
    )


class Renderer:
    """Renders one kind of mail for many employees; the texts and the HTML frame are looked up
    once per employer and language (a collective grant sends thousands)."""

    def __init__(self, kind: str):
        self.kind = kind
        self._texts: dict[tuple[int, str], ResolvedText] = {}
        self._frames: dict[tuple[int, str], tuple[str, str]] = {}

    def render(self, *, employer, language: str, values: dict[str, str]) -> MailTexts:
        key = (employer.pk, language)
        if key not in self._texts:
            self._texts[key] = email_text_resolve(
                employer=employer, kind=self.kind, language=language
            )
            self._frames[key] = html_frame(employer, language)
        return render_resolved(self._texts[key], values, self._frames[key])


_CONTENT = "\x00content\x00"


def html_frame(employer, language: str) -> tuple[str, str]:
    with translation.override(language):
        page = render_to_string(
            "emails/layout.html", {"employer": employer, "language": language, "content": _CONTENT}
        )
    before, _sep, after = page.partition(_CONTENT)
    return before, after


def render_resolved(resolved: ResolvedText, values: dict[str, str], frame=None) -> MailTexts:
    # No value may break the subject line, whatever it contains.
    subject_values = {k: " ".join(LINE_BREAKS.sub(" ", v).split()) for k, v in values.items()}
    subject = " ".join(_fill(resolved.subject, subject_values).split())[:SUBJECT_MAX_LENGTH]
    # An empty optional value (a decision note, say) must not leave a gap of blank lines.
    text = re.sub(r"\n{3,}", "\n\n", _fill(resolved.body, values))
    before, after = frame or ("", "")
    html = before + _body_html(resolved.body, values) + after
    return MailTexts(subject=subject, text=text.strip() + "\n", html=html)


def sample_values(kind: str, employer) -> dict[str, str]:
    """Values for a preview or test mail: a sample employee at this employer."""
    values = {name: str(PLACEHOLDERS[name].sample) for name in KINDS[kind].placeholders}
    values["employer"] = employer.name
    values["employer_contact"] = employer_contact(employer)
    return values


def employer_contact(employer) -> str:
    parts = [employer.contact_name, employer.contact_email, employer.contact_phone]
    return ", ".join(p for p in parts if p) or employer.name


def common_values(employee) -> dict[str, str]:
    return {
        "first_name": employee.first_name,
        "full_name": employee.full_name,
        "employer": employee.employer.name,
        "employer_contact": employer_contact(employee.employer),
    }
