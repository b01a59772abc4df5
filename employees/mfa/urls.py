"""The second sign-in step and the person's sign-in methods, in the `mfa` namespace; shared by
HR staff and employees (the pages take the frame of the person's site)."""

from django.urls import path

from employees.mfa import authenticate, factors, recheck, recovery, totp

app_name = "mfa"

urlpatterns = [
    path("", factors.overview, name="overview"),
    path("code/", authenticate.authenticate, name="authenticate"),
    path("recovery-code/", authenticate.authenticate_recovery, name="authenticate_recovery"),
    path("check/", recheck.recheck, name="recheck"),
    path("app/setup/", totp.setup_totp, name="setup_totp"),
    path("app/<int:device_id>/remove/", factors.totp_remove, name="totp_remove"),
    path("passkey/add/", factors.passkey_offer, name="passkey_offer"),
    path("passkey/<int:device_id>/remove/", factors.passkey_remove, name="passkey_remove"),
    path("passkey/<int:device_id>/rename/", factors.passkey_rename, name="passkey_rename"),
    path("recovery-codes/", recovery.recovery_codes, name="recovery_codes"),
    path(
        "recovery-codes/download/",
        recovery.recovery_codes_download,
        name="recovery_codes_download",
    ),
    path("recovery-codes/done/", recovery.recovery_codes_done, name="recovery_codes_done"),
    path("recovery-codes/new/", recovery.recovery_codes_regenerate, name="recovery_codes_new"),
]
