# The mail texts belong to providers and employers: the model moves here from the invitations
# app. Only Django's state changes; the table keeps its name and its rows.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('employers', '0004_employer_logo'),
        ('invitations', '0003_email_texts'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
        migrations.CreateModel(
            name='EmailText',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(max_length=30)),
                ('language', models.CharField(choices=[('nl', 'Nederlands'), ('en', 'English')], max_length=2)),
                ('subject', models.CharField(blank=True, max_length=200)),
                ('body', models.TextField(blank=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('employer', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='email_texts', to='employers.employer')),
                ('provider', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='email_texts', to='employers.provider')),
                ('updated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'db_table': 'invitations_emailtext',
                'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('employer__isnull', True), ('provider__isnull', False)), models.Q(('employer__isnull', False), ('provider__isnull', True)), _connector='OR'), name='emailtext_provider_xor_employer'), models.UniqueConstraint(fields=('provider', 'kind', 'language'), name='emailtext_once_per_provider'), models.UniqueConstraint(fields=('employer', 'kind', 'language'), name='emailtext_once_per_employer')],
            },
        ),
            ]),
    ]
