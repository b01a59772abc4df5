from django.contrib import admin

from employees.models import Employee
from employees.records.services import employee_update
from essportal.web.http import client_ip


@admin.register(Employee)
class EmployeeAdmin(admin.ModelAdmin):
    list_display = ["number", "last_name", "first_name", "employer", "email", "end_date"]
    list_filter = ["employer__provider"]
    search_fields = ["number", "last_name", "email"]
    list_select_related = ["employer"]
    raw_id_fields = ["user", "employer"]

    def save_model(self, request, obj, form, change):
        # A change made here follows the same rules as HR's form: a new address replaces an open
        # invitation and tells an account's owner at the old address, all in the audit log.
        if not change:
            return super().save_model(request, obj, form, change)
        employee_update(
            employee=obj,
            data={name: form.cleaned_data[name] for name in form.changed_data},
            actor=request.user,
            ip_address=client_ip(request),
        )
