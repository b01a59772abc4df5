"""Reads of portal accounts: whose accounts a collective block or unblock would change, which
accounts an address asking for its password or username reaches, whether a username is taken."""

from django.db.models import QuerySet

from employees.models import Employee
from essportal.models import User


def accounts_to_block(employer, *, left_before) -> QuerySet[Employee]:
    """Collective block: active accounts of employees whose employment ended before a date."""
    return Employee.objects.filter(
        employer=employer,
        end_date__lt=left_before,
        user__isnull=False,
        user__is_active=True,
    ).select_related("user", "employer")


def accounts_to_unblock(employer) -> QuerySet[Employee]:
    """Collective unblock: every blocked account of the employer."""
    return Employee.objects.filter(
        employer=employer, user__isnull=False, user__is_active=False
    ).select_related("user", "employer")


def active_accounts_at_address(email: str) -> QuerySet[Employee]:
    """The active accounts registered under an address, which must be normalised as addresses
    are stored (employees.records.forms.normalise_email)."""
    return Employee.objects.filter(
        email=email, user__isnull=False, user__is_active=True
    ).select_related("user")


def username_taken(username: str) -> bool:
    """Whether any account, HR staff included, has this username in any spelling that folds to
    the same key. Saying so to someone activating an invitation is counted:
    invitations.acceptance.invitation_accept."""
    return User.objects.by_username(username).exists()
