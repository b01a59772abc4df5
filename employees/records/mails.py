"""The notice to the old address when the address of an account changes."""

from django.utils import translation
from django.utils.translation import gettext as _

from employees.mails import employee_mail
from employees.models import EmailChange
from essportal.mail.addresses import email_mask


@employee_mail("email_changed")
def email_changed_values(employee, *, change_id: int):
    change = EmailChange.objects.filter(pk=change_id, employee=employee).first()
    if change is None or not change.old_email:
        return None
    with translation.override(employee.language):
        new_email = email_mask(change.new_email) or _("(no address)")
    # To the old address: its owner is the one who must hear of the change.
    return "email_changed", {"new_email": new_email}, change.old_email
