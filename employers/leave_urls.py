from django.urls import path

from . import leave_views

# Included in the `hr` namespace by employers/urls.py.
urlpatterns = [
    path(
        "employers/<int:employer_id>/leave/",
        leave_views.leave_requests,
        name="leave_requests",
    ),
    path("leave/<int:request_id>/approve/", leave_views.leave_approve, name="leave_approve"),
    path("leave/<int:request_id>/reject/", leave_views.leave_reject, name="leave_reject"),
]
