from django.urls import path

from . import views

# Included into the HR namespace by employers/urls.py.
urlpatterns = [
    path("employees/<int:employee_id>/invitation/grant/", views.grant, name="invitation_grant"),
    path("employees/<int:employee_id>/invitation/resend/", views.resend, name="invitation_resend"),
    path("employees/<int:employee_id>/invitation/revoke/", views.revoke, name="invitation_revoke"),
    path(
        "employers/<int:employer_id>/collective/ess/grant/",
        views.collective_grant,
        name="collective_grant",
    ),
    path(
        "employers/<int:employer_id>/collective/batches/<int:batch_id>/",
        views.collective_batch,
        name="collective_batch",
    ),
    path(
        "employers/<int:employer_id>/collective/batches/<int:batch_id>/progress/",
        views.collective_batch_progress,
        name="collective_batch_progress",
    ),
    path(
        "employers/<int:employer_id>/collective/batches/<int:batch_id>/report.csv",
        views.collective_batch_csv,
        name="collective_batch_csv",
    ),
]
