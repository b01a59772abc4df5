"""The employee's side of the portal, in the `portal` namespace. (Activation, reached through the
invitation link, is in the `invitations` namespace.)"""

from django.urls import path

from employees.accounts import views as accounts
from employees.leave import views as leave
from employees.payroll import views as payroll
from employees.portal import views as portal

app_name = "portal"

urlpatterns = [
    # Signing in and the account
    path("login/", accounts.LoginView.as_view(), name="login"),
    path("logout/", accounts.LogoutView.as_view(), name="logout"),
    path("signed-out/", accounts.signed_out, name="signed_out"),
    path("forgot-password/", accounts.forgot_password, name="forgot_password"),
    path("forgot-username/", accounts.forgot_username, name="forgot_username"),
    path("reset/invalid/", accounts.password_reset_invalid, name="password_reset_invalid"),
    path(
        "reset/<uidb64>/<token>/",
        accounts.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("account/", accounts.account, name="account"),
    path("account/password/", accounts.change_password, name="change_password"),
    # The employee's own pages (R1)
    path("", portal.home, name="home"),
    path("details/", portal.details, name="details"),
    path("payslips/", payroll.payslips, name="payslips"),
    path("payslips/<int:payslip_id>/", payroll.payslip, name="payslip"),
    path("payslips/<int:payslip_id>/pdf/", payroll.payslip_pdf, name="payslip_pdf"),
    path("statements/", payroll.statements, name="statements"),
    path("statements/<int:statement_id>/", payroll.statement, name="statement"),
    path("statements/<int:statement_id>/pdf/", payroll.statement_pdf, name="statement_pdf"),
    path("leave/", leave.leave, name="leave"),
    path("leave/request/", leave.leave_request, name="leave_request"),
    path("leave/<int:request_id>/cancel/", leave.leave_cancel, name="leave_cancel"),
]
