from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from employers.management.lookups import employer_from_option
from invitations.collective import grant_batch_run, grant_preview
from invitations.services import grant_batch_start


class Command(BaseCommand):
    help = _(
        "Collective grant: invite every employee of an employer who has no end date, has an "
        "email address and no account or open invitation."
    )

    def add_arguments(self, parser):
        parser.add_argument("--employer", required=True, help=_("Employer id or exact name"))
        parser.add_argument(
            "--dry-run", action="store_true", help=_("Only show who would be invited")
        )

    def handle(self, *args, employer, dry_run, **options):
        employer_obj = employer_from_option(employer)
        preview = grant_preview(employer=employer_obj)
        for group in preview.skipped:
            self.stdout.write(f"{group.label}: {group.count}")
        if dry_run:
            return _("Dry run: %(invite)d would be invited, %(skipped)d left out.") % {
                "invite": preview.to_invite,
                "skipped": preview.skipped_total,
            }
        batch = grant_batch_run(batch_id=grant_batch_start(employer=employer_obj).pk)
        return _("%(invited)d invited, %(skipped)d left out (batch %(batch)d).") % {
            "invited": batch.invited,
            "skipped": batch.total - batch.invited,
            "batch": batch.pk,
        }
