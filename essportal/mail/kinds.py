"""The mails the portal sends (R16): each kind's placeholders and its default text in Dutch and
English. HR's own wording per provider or employer overrides these field by field
(essportal.mail.texts validates and renders; employers.texts stores the overrides)."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy


@dataclass(frozen=True)
class Placeholder:
    name: str
    description: str
    sample: str
    # Allowed in the body only: a subject shows in phone notifications and stays in mail-server
    # logs, and a link there can carry a live token (the invitation and the password reset).
    body_only: bool = False


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
            body_only=True,
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
            "new_email",
            gettext_lazy("The new email address, partly hidden"),
            "j***@example.nl",
        ),
        Placeholder(
            "factor_change",
            gettext_lazy("What changed in the two-step sign-in"),
            "Er is een authenticator-app toegevoegd.",
        ),
        Placeholder("codes_left", gettext_lazy("How many recovery codes are left"), "9"),
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
    # The label of the button a {link} standing alone in a paragraph becomes in the HTML part.
    button: str = gettext_lazy("Open the employee portal")
    # The optional HRM module (R2) this mail belongs to; None: every employer sends it.
    module: str | None = None


def _kind(key, label, extra, required, subject, body, **options) -> MailKind:
    return MailKind(key, label, (*COMMON, *extra), required, subject, body, **options)


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
            button=gettext_lazy("Activate your access"),
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
            button=gettext_lazy("Activate your access"),
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
            "email_changed",
            gettext_lazy("Email address changed"),
            ("new_email",),
            # The point of this mail: the owner of the old address must learn where mail now goes.
            ("new_email",),
            gettext_lazy("Your email address at {employer} was changed"),
            gettext_lazy(
                "Dear {first_name},\n\n"
                "{employer} has changed the email address of your employee portal account. "
                "New address: {new_email}\n\n"
                "From now on, mails about your account, such as a link to set a new password, go "
                "to the new address. This is the last mail to this address.\n\n"
                "Did you not ask for this? Contact {employer} straight away: {employer_contact}\n\n"
                "Kind regards,\n{employer}"
            ),
        ),
        _kind(
            "two_factor_changed",
            gettext_lazy("Two-step sign-in changed"),
            ("factor_change",),
            ("factor_change",),
            gettext_lazy("Your two-step sign-in for the employee portal of {employer} changed"),
            gettext_lazy(
                "Dear {first_name},\n\n"
                "The two-step sign-in of your employee portal account changed: "
                "{factor_change}\n\n"
                "Was this not you? Contact {employer} straight away: {employer_contact}\n\n"
                "Kind regards,\n{employer}"
            ),
        ),
        _kind(
            "recovery_code_used",
            gettext_lazy("Recovery code used"),
            ("codes_left",),
            ("codes_left",),
            gettext_lazy("A recovery code was used for the employee portal of {employer}"),
            gettext_lazy(
                "Dear {first_name},\n\n"
                "Someone signed in to your employee portal account with one of your recovery "
                "codes. You have {codes_left} codes left; you can make a new set under My "
                "account.\n\n"
                "Was this not you? Contact {employer} straight away: {employer_contact}\n\n"
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
            button=gettext_lazy("Choose a new password"),
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
            module="leave",
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
            module="leave",
        ),
    ]
}
LANGUAGES = ("nl", "en")
FIELDS = ("subject", "body")
