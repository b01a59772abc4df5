"""E-mailteksten (R16): validating and rendering the wording of every mail.

A text is plain text with placeholders such as `{first_name}` from a fixed list per kind of mail.
HR-edited texts are data, never code: rendering is a plain substitution of known names, so Django
template syntax typed by HR stays inert text, and every value is escaped in the HTML version.

Resolution is field by field: the employer's subject or body wins over the provider's, which wins
over the default. An override that is no longer valid (edited outside the editor, say) is skipped
at sending, so a bad subject can never reach a mail header, nor a personal link a subject.
"""

import re
from dataclasses import dataclass, field
from html import escape

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from essportal.mail.kinds import FIELDS, KINDS, PLACEHOLDERS, MailKind
from essportal.validators import has_hidden_characters

SUBJECT_MAX_LENGTH = 200
BODY_MAX_LENGTH = 10_000
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
BRACED = re.compile(r"\{[^{}]*\}")
LINE_BREAKS = re.compile(r"[\r\n\v\f\x85\u2028\u2029]")


# --- Validation -------------------------------------------------------------------------------


def text_problems(kind: MailKind, field_name: str, value: str) -> list[str]:
    """What is wrong with an override, in words HR can act on. Empty means usable."""
    problems = []
    if field_name == "subject":
        if LINE_BREAKS.search(value):
            problems.append(_("A subject must be one line: remove the line breaks."))
        elif has_hidden_characters(value):
            # A right-to-left override or a zero-width space makes a subject read otherwise
            # than it is; subjects go into a header and a phone's notification as they are.
            problems.append(_("Remove the invisible or control characters."))
        if len(value) > SUBJECT_MAX_LENGTH:
            problems.append(
                _("A subject may be at most %(max)d characters; this one has %(length)d.")
                % {"max": SUBJECT_MAX_LENGTH, "length": len(value)}
            )
        for name in dict.fromkeys(PLACEHOLDER.findall(value)):
            if name in kind.placeholders and PLACEHOLDERS[name].body_only:
                problems.append(
                    _(
                        "Put {%(name)s} in the text, not in the subject: a subject is shown in "
                        "notifications and kept in mail logs, and the link is personal."
                    )
                    % {"name": name}
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


def email_text_resolve(*, kind: str, language: str, overrides: dict) -> ResolvedText:
    """The text to send: employer beats provider beats default, field by field (R16).
    `overrides` maps "employer" and "provider" to their stored text, or None."""
    mail_kind = KINDS[kind]
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


_LINK_STYLE = "color:#0b5cad;word-break:break-all;overflow-wrap:anywhere;"


def _html_value(name: str, value: str) -> str:
    if name == "link" and value:
        url = escape(value, quote=True)
        # A long personal link must wrap on a phone instead of widening the mail.
        return f'<a href="{url}" style="{_LINK_STYLE}">{escape(value)}</a>'
    return escape(value)


def _button_html(url: str, label: str) -> str:
    """A link standing in a paragraph of its own becomes a button, with the plain link below it
    for mail programs that show no buttons (a table cell with a background: what mail programs
    render most alike)."""
    href = escape(url, quote=True)
    hint = escape(_("Does the button not work? Copy this link into your browser:"))
    return (
        '<table role="presentation" cellspacing="0" cellpadding="0" border="0" '
        'style="margin:0 0 12px;"><tr><td style="border-radius:6px;background:#0b5cad;">'
        f'<a href="{href}" style="display:inline-block;padding:12px 20px;font-weight:bold;'
        f'color:#ffffff;text-decoration:none;border-radius:6px;">{escape(label)}</a>'
        "</td></tr></table>\n"
        f'<p style="margin:0 0 16px;font-size:14px;color:#57606a;">{hint}<br>\n'
        f'<a href="{href}" style="{_LINK_STYLE}">{escape(url)}</a></p>'
    )


def _body_html(body: str, values: dict[str, str], button: str = "") -> str:
    """Plain text to safe HTML: the literal text and every value escaped, paragraphs kept."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", escape(body, quote=False)) if p.strip()]
    html = []
    for paragraph in paragraphs:
        if paragraph == "{link}" and values.get("link") and button:
            html.append(_button_html(values["link"], button))
            continue
        filled = _fill(paragraph, values, _html_value)
        html.append('<p style="margin:0 0 16px;">' + filled.replace("\n", "<br>\n") + "</p>")
    return "\n".join(html)


_CONTENT = "\x00content\x00"


def html_frame(
    employer, language: str, *, logo_src: str = "cid:employer-logo", header: str = ""
) -> tuple[str, str]:
    """The HTML part around the body. A mail refers to its logo as an inline part (cid:); HR's
    preview passes the logo as a data: URL, and a header (safe HTML) shown above the mail."""
    with translation.override(language):
        page = render_to_string(
            "essportal/mail/layout.html",
            {
                "employer": employer,
                "language": language,
                "content": _CONTENT,
                "logo_src": logo_src,
                "header": header,
            },
        )
    before, _sep, after = page.partition(_CONTENT)
    return before, after


def render_subject(resolved: ResolvedText, values: dict[str, str]) -> str:
    # No value may break the subject line, whatever it contains, and a body-only value (a link
    # with a token) never goes in, even from a text that escaped validation.
    subject_values = {
        k: " ".join(LINE_BREAKS.sub(" ", v).split())
        for k, v in values.items()
        if not (k in PLACEHOLDERS and PLACEHOLDERS[k].body_only)
    }
    return " ".join(_fill(resolved.subject, subject_values).split())[:SUBJECT_MAX_LENGTH]


def render_resolved(
    resolved: ResolvedText, values: dict[str, str], frame=None, html_values=None
) -> MailTexts:
    """The mail's three parts. `html_values`, when given, fill the HTML part instead of `values`
    (escaped all the same): a provider's batch sending puts a merge field there whose
    recipient's value is already escaped, where the text part's merge field takes it plain."""
    subject = render_subject(resolved, values)
    # An empty optional value (a decision note, say) must not leave a gap of blank lines.
    text = re.sub(r"\n{3,}", "\n\n", _fill(resolved.body, values))
    before, after = frame or ("", "")
    with translation.override(resolved.language):
        button = str(resolved.kind.button)
    html = before + _body_html(resolved.body, html_values or values, button) + after
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
