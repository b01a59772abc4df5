from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ValidationError

from essportal.models import User


class SameUsernameCheck:
    """Refuse a username that signs in as another account (User.username_key), where Django's
    forms check only the case: the database would refuse it with an error page instead."""

    def clean_username(self):
        username = self.cleaned_data.get("username")
        if username and User.objects.by_username(username).exclude(pk=self.instance.pk).exists():
            raise ValidationError(self.instance.unique_error_message(User, ["username"]))
        return username


class PortalUserCreationForm(SameUsernameCheck, AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User


class PortalUserChangeForm(SameUsernameCheck, UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    add_form = PortalUserCreationForm
    form = PortalUserChangeForm
    search_fields = ["username", "email", "first_name", "last_name"]
