"""Find a provider or employer from a command-line option: an id or an exact name."""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from employers.models import Employer, Provider


def provider_from_option(value: str) -> Provider:
    value = value.strip()
    provider = Provider.objects.filter(pk=int(value) if value.isdigit() else None).first()
    provider = provider or Provider.objects.filter(name=value).first()
    if provider is None:
        raise CommandError(_('No provider with id or name "%(value)s".') % {"value": value})
    return provider


def employer_from_option(value: str) -> Employer:
    value = value.strip()
    if value.isdigit():
        employer = Employer.objects.filter(pk=int(value)).first()
        if employer is not None:
            return employer
    matches = list(Employer.objects.filter(name=value).select_related("provider"))
    if not matches:
        raise CommandError(_('No employer with id or name "%(value)s".') % {"value": value})
    if len(matches) > 1:
        # Names are unique per provider only.
        choices = ", ".join(f"{e.pk} ({e.provider})" for e in matches)
        raise CommandError(
            _('Several employers are called "%(value)s"; give the id instead: %(choices)s.')
            % {"value": value, "choices": choices}
        )
    return matches[0]
