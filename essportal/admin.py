from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from essportal.models import User


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    search_fields = ["username", "email", "first_name", "last_name"]
