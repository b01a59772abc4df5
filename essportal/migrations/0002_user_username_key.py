import unicodedata

import django.contrib.auth.validators
from django.db import migrations, models


def _username_key(username):
    # A frozen copy of essportal.models.username_key as it was when this migration was written.
    folded = unicodedata.normalize("NFKC", username.strip()).casefold()
    return unicodedata.normalize("NFKC", folded)


def fill_username_keys(apps, schema_editor):
    User = apps.get_model("essportal", "User")
    owners = {}
    for user in User.objects.only("pk", "username").iterator():
        key = _username_key(user.username)
        if key in owners:
            raise RuntimeError(
                f"The usernames {owners[key]!r} and {user.username!r} sign in as the same "
                "account; rename one of them, then migrate again."
            )
        owners[key] = user.username
        User.objects.filter(pk=user.pk).update(username_key=key)


class Migration(migrations.Migration):

    dependencies = [
        ("essportal", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="username_key",
            field=models.TextField(editable=False, null=True),
        ),
        migrations.RunPython(fill_username_keys, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="user",
            name="username_key",
            field=models.TextField(editable=False, unique=True),
        ),
        migrations.AlterField(
            model_name="user",
            name="username",
            field=models.CharField(
                error_messages={"unique": "A user with that username already exists."},
                help_text="Required. 150 characters or fewer. Letters, digits and @/./+/-/_ only.",
                max_length=150,
                unique=True,
                validators=[django.contrib.auth.validators.ASCIIUsernameValidator()],
                verbose_name="username",
            ),
        ),
    ]
