"""Every HR page, in the `hr` namespace. One URL per action."""

from django.contrib.auth import views as auth_views
from django.urls import path, register_converter

from employers.hr import (
    accounts,
    audit,
    employees,
    invitations,
    leave,
    notifications,
    selection,
    text_preview,
    texts,
    twostep,
)


class LevelConverter:
    """Email texts are edited at the provider's or at the employer's level (R16)."""

    regex = "employer|provider"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(LevelConverter, "level")

TEXTS = "email-texts/<level:level>/<int:owner_id>/"
TEXT = TEXTS + "<slug:kind>/<slug:language>/"
EMPLOYER = "employers/<int:employer_id>/"
EMPLOYEE = "employees/<int:employee_id>/"
BATCH = EMPLOYER + "collective/batches/<int:batch_id>/"

app_name = "hr"

urlpatterns = [
    path("login/", employees.StaffLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(next_page="hr:login"), name="logout"),
    path("", employees.home, name="home"),
    path("switch/", employees.switch_employer, name="switch_employer"),
    path("notifications/", notifications.notifications, name="notifications"),
    # Employees
    path(EMPLOYER + "employees/", employees.employee_list, name="employee_list"),
    path(EMPLOYER + "employees/new/", employees.employee_new, name="employee_new"),
    path(EMPLOYER + "audit/", audit.audit_log, name="audit_log"),
    path(EMPLOYEE, employees.employee_detail, name="employee_detail"),
    path(EMPLOYEE + "edit/", employees.employee_edit, name="employee_edit"),
    # Access: invitations (R6, R13) and the collective grant (R5)
    path(EMPLOYEE + "invitation/grant/", invitations.grant, name="invitation_grant"),
    path(EMPLOYEE + "invitation/resend/", invitations.resend, name="invitation_resend"),
    path(EMPLOYEE + "invitation/revoke/", invitations.revoke, name="invitation_revoke"),
    path(EMPLOYER + "collective/ess/grant/", invitations.collective_grant, name="collective_grant"),
    path(
        EMPLOYER + "invitations/undelivered/send-again/",
        invitations.requeue_undelivered,
        name="invitations_requeue_undelivered",
    ),
    path(BATCH, invitations.collective_batch, name="collective_batch"),
    path(
        BATCH + "progress/",
        invitations.collective_batch_progress,
        name="collective_batch_progress",
    ),
    path(BATCH + "report.csv", invitations.collective_batch_csv, name="collective_batch_csv"),
    # Accounts
    path(EMPLOYEE + "account/block/", accounts.block, name="account_block"),
    path(EMPLOYEE + "account/unblock/", accounts.unblock, name="account_unblock"),
    path(EMPLOYEE + "account/send-username/", accounts.send_username, name="account_send_username"),
    path(
        EMPLOYEE + "account/two-step/reset/",
        accounts.reset_two_factor,
        name="account_two_factor_reset",
    ),
    path(EMPLOYER + "collective/ess/block/", accounts.collective_block, name="collective_block"),
    path(
        EMPLOYER + "collective/ess/unblock/",
        accounts.collective_unblock,
        name="collective_unblock",
    ),
    # Select and act: on the employees ticked on the list, or all matching its filter
    *(
        path(
            EMPLOYER + f"selection/{action}/",
            selection.selection_action,
            {"action": action},
            name=f"selection_{action}",
        )
        for action in ("grant", "resend", "revoke", "block", "unblock")
    ),
    # Two-step sign-in for employees: the employer's choice, the provider's default
    path(EMPLOYER + "two-step/", twostep.employer_policy, name="two_step_policy"),
    path(
        "providers/<int:provider_id>/two-step/",
        twostep.provider_policy,
        name="provider_two_step_policy",
    ),
    # Leave requests
    path(EMPLOYER + "leave/", leave.leave_requests, name="leave_requests"),
    path("leave/<int:request_id>/approve/", leave.leave_approve, name="leave_approve"),
    path("leave/<int:request_id>/reject/", leave.leave_reject, name="leave_reject"),
    # Email texts (R16)
    path(TEXTS, texts.email_texts, name="email_texts"),
    path(TEXT, texts.email_text_edit, name="email_text_edit"),
    path(TEXT + "preview/", text_preview.email_text_preview, name="email_text_preview"),
    path(TEXT + "test/", texts.email_text_test, name="email_text_test"),
    path(TEXT + "restore/<slug:field_name>/", texts.email_text_restore, name="email_text_restore"),
    path("email-texts/employer/<int:owner_id>/sender/", texts.sender, name="email_sender"),
]
