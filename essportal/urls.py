from django.contrib import admin
from django.urls import include, path

from essportal.web import health as views

urlpatterns = [
    path("healthz/live", views.live, name="healthz_live"),
    path("healthz/ready", views.ready, name="healthz_ready"),
    path("healthz/operations", views.operations, name="healthz_operations"),
    # The first address of the readiness check; existing monitors and healthchecks still use it.
    path("healthz", views.ready, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("hr/", include("employers.hr.urls")),
    path("two-step/", include("employees.mfa.urls")),
    path("two-step/passkeys/", include("employees.mfa.webauthn")),
    path("", include("invitations.urls")),
    path("", include("employees.urls")),
    # ESP tracking webhooks (delivered, bounced, complained); basic auth per ANYMAIL_WEBHOOK_SECRET.
    path("anymail/", include("anymail.urls")),
    path("admin/", admin.site.urls),
]
