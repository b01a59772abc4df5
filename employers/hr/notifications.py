"""The HR user's own mail settings: the daily mail about new leave requests, and its language."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from employers.hr.access import staff_required
from employers.hr.forms import NotificationsForm
from employers.selectors import staff_notifications_of
from employers.services import staff_notifications_set


@staff_required
def notifications(request):
    current = staff_notifications_of(request.user)
    form = NotificationsForm(
        request.POST or None,
        initial={"leave_digest": current.leave_digest, "language": current.language},
    )
    if request.method == "POST" and form.is_valid():
        staff_notifications_set(
            user=request.user,
            leave_digest=form.cleaned_data["leave_digest"],
            language=form.cleaned_data["language"],
        )
        messages.success(request, _("Your notification settings were saved."))
        return redirect("hr:notifications")
    return render(
        request,
        "employers/hr/notifications.html",
        {"form": form},
        status=400 if form.is_bound else 200,
    )
