from django.contrib import admin

from employees.models import Employee


@admin.register(Employee)
class EmployeeAdmin(admin.ModelAdmin):
    list_display = ["number", "last_name", "first_name", "employer", "email", "end_date"]
    list_filter = ["employer__provider"]
    search_fields = ["number", "last_name", "email"]
    list_select_related = ["employer"]
    raw_id_fields = ["user", "employer"]
