"""Shared by the operator commands: find a provider or employer from a command-line option (an id
or an exact name), and run a file import with one way of reporting its errors."""

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


def run_file_import(path: str, employer: Employer, importer) -> str:
    """Open `path`, call importer(stream) and return its summary line. An unreadable file or an
    invalid row becomes a CommandError listing every problem (nothing was imported)."""
    try:
        with open(path, "rb") as stream:
            result = importer(stream)
    except OSError as error:
        raise CommandError(
            _("Cannot read %(file)s: %(error)s") % {"file": path, "error": error.strerror}
        ) from error
    if not result.ok:
        heading = _("Nothing was imported into %(employer)s; fix these errors:") % {
            "employer": employer
        }
        raise CommandError("\n".join([heading, *result.error_lines()]))
    return result.summary()
