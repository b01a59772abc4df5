"""What the employee record tells the layers above it, which employees never imports.

Sent inside the service's transaction: what a receiver writes commits or rolls back together with
the change itself.
"""

from django.dispatch import Signal

# Sent by employee_update once a new email address is saved, with employee, old_email, new_email,
# actor and ip_address. invitations replaces an open invitation: its link went to the old address.
employee_email_changed = Signal()
