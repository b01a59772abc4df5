# EmailText moved to the employers app (employers 0005); its table stays as it is.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('invitations', '0003_email_texts'),
        ('employers', '0005_emailtext_from_invitations'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='EmailText')],
        ),
    ]
