from django.urls import include, path

from employees.accounts import views as account_views

app_name = "portal"

urlpatterns = [
    path("login/", account_views.LoginView.as_view(), name="login"),
    path("logout/", account_views.LogoutView.as_view(), name="logout"),
    path("signed-out/", account_views.signed_out, name="signed_out"),
    path("forgot-password/", account_views.forgot_password, name="forgot_password"),
    path("forgot-username/", account_views.forgot_username, name="forgot_username"),
    path(
        "reset/<uidb64>/<token>/",
        account_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("account/", account_views.account, name="account"),
    path("account/password/", account_views.change_password, name="change_password"),
    path("", include("employees.portal.urls")),
]
