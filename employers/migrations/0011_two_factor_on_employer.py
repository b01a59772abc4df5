from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):
    """What applies today: the employer's own choice, or else its provider's default."""
    Employer = apps.get_model("employers", "Employer")
    Provider = apps.get_model("employers", "Provider")
    Employer.objects.filter(require_two_factor__isnull=False).update(
        employees_need_two_factor=models.F("require_two_factor")
    )
    default = Provider.objects.filter(pk=OuterRef("provider_id")).values(
        "employees_require_two_factor"
    )
    Employer.objects.filter(require_two_factor__isnull=True).update(
        employees_need_two_factor=Subquery(default)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("employers", "0010_two_step_sign_in"),
    ]

    operations = [
        migrations.AddField(
            model_name="employer",
            name="employees_need_two_factor",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
