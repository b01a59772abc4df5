"""Password and username rules for employees (docs/design.md, security design: credentials).

Length over composition: at least 12 characters, up to 256 allowed, no "one digit and one capital"
rules. Refused: common passwords, and anything built from the username, the employee's names, their
birth date or the employer's name.
"""

import re

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from employees.models import Employee, fold_for_search
from essportal.formats import format_date
from essportal.models import User, username_key

PASSWORD_MIN_LENGTH = 12
# Far above what a person types (passphrases included) but low enough that hashing stays cheap:
# a 1 MB "password" is refused before it reaches argon2.
PASSWORD_MAX_LENGTH = 256
USERNAME_MIN_LENGTH = 3
USERNAME_MAX_LENGTH = 150
USERNAME_PATTERN = re.compile(r"[A-Za-z0-9._@-]+")
RESERVED_USERNAMES = {
    "admin",
    "administrator",
    "root",
    "system",
    "support",
    "helpdesk",
    "hr",
    "staff",
    "security",
    "postmaster",
    "webmaster",
    "noreply",
    "no-reply",
    "info",
    "portal",
    "werknemerloket",
    "loket",
    "api",
    "login",
    "logout",
    "null",
    "none",
    "anonymous",
}

PASSWORD_RULES = [
    gettext_lazy(
        "At least 12 characters; a few unrelated words make a strong, memorable password."
    ),
    gettext_lazy("No common password, and not your name, username, birth date or employer."),
    gettext_lazy("Capitals, digits and symbols are allowed but not required."),
]


def username_problems(username: str) -> list[str]:
    problems = []
    if not USERNAME_MIN_LENGTH <= len(username) <= USERNAME_MAX_LENGTH:
        problems.append(_("Use 3 to 150 characters."))
    if not USERNAME_PATTERN.fullmatch(username or ""):
        problems.append(_("Use only letters (a–z), digits and . _ - @ — no spaces or accents."))
    elif username_key(username) in RESERVED_USERNAMES:
        problems.append(_("This username is reserved. Choose another one."))
    # Whether the name is taken is not a rule: invitations.acceptance.invitation_accept answers it
    # and counts each "taken" against the invitation.
    return problems


def _birth_date_forms(employee: Employee) -> set[str]:
    d = employee.birth_date
    return {
        d.strftime("%d%m%Y"),
        d.strftime("%Y%m%d"),
        d.strftime("%d%m%y"),
        format_date(d),
        d.strftime("%d/%m/%Y"),
        d.strftime("%Y-%m-%d"),
    }


def password_problems(password: str, *, username: str, employee: Employee) -> list[str]:
    """Every rule the password breaks, as messages that say how to fix it."""
    if len(password) > PASSWORD_MAX_LENGTH:
        return [_("Use at most 256 characters.")]
    problems = []
    user = User(
        username=username,
        first_name=employee.first_name,
        last_name=employee.last_name,
        email=employee.email,
    )
    try:
        validate_password(password, user)
    except ValidationError as exc:
        problems.extend(exc.messages)
    folded = fold_for_search(password).replace(" ", "")
    personal = [
        username,
        employee.first_name,
        employee.last_name,
        employee.employer.name,
        employee.employer.name.split(" ")[0],
    ]
    for part in personal:
        part = fold_for_search(part).replace(" ", "")
        if len(part) >= 4 and part in folded:
            problems.append(_("Do not use your name, username or employer in your password."))
            break
    if any(form in password for form in _birth_date_forms(employee)):
        problems.append(_("Do not use your birth date in your password."))
    return problems
