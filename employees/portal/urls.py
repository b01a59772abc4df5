from django.urls import path

from employees.portal import views

# Included under the `portal` namespace by employees/urls.py.
urlpatterns = [
    path("", views.home, name="home"),
    path("payslips/", views.payslips, name="payslips"),
    path("payslips/<int:payslip_id>/", views.payslip, name="payslip"),
    path("payslips/<int:payslip_id>/pdf/", views.payslip_pdf, name="payslip_pdf"),
    path("statements/", views.statements, name="statements"),
    path("statements/<int:statement_id>/", views.statement, name="statement"),
    path("statements/<int:statement_id>/pdf/", views.statement_pdf, name="statement_pdf"),
    path("leave/", views.leave, name="leave"),
    path("leave/request/", views.leave_request, name="leave_request"),
    path("leave/<int:request_id>/cancel/", views.leave_cancel, name="leave_cancel"),
    path("details/", views.details, name="details"),
]
