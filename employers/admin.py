from django.contrib import admin
from django.db import models

from employers.models import AuditEvent, Employer, Provider, StaffMembership
from essportal.mail.logo import LogoField


class EmployerInline(admin.TabularInline):
    model = Employer
    extra = 0
    fields = ["name", "contact_email", "leave_module", "require_two_factor"]
    show_change_link = True


class MembershipInline(admin.TabularInline):
    model = StaffMembership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ["name", "employees_require_two_factor", "created_at"]
    search_fields = ["name"]
    inlines = [EmployerInline, MembershipInline]


@admin.register(Employer)
class EmployerAdmin(admin.ModelAdmin):
    list_display = ["name", "provider", "leave_module", "require_two_factor", "contact_email"]
    list_filter = ["provider", "leave_module", "require_two_factor"]
    search_fields = ["name", "provider__name"]
    inlines = [MembershipInline]
    # The logo is checked and re-encoded here as on HR's sender page.
    formfield_overrides = {models.ImageField: {"form_class": LogoField}}


@admin.register(StaffMembership)
class StaffMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "provider", "employer", "role"]
    list_filter = ["role", "provider"]
    search_fields = ["user__username", "user__email", "employer__name", "provider__name"]
    autocomplete_fields = ["user", "provider", "employer"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit log is evidence, operators may look but not edit."""

    list_display = ["created_at", "employer", "employee", "action", "actor_label", "ip_address"]
    list_filter = ["action"]
    search_fields = ["employer__name", "actor_label"]
    list_select_related = ["employer", "employee"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
