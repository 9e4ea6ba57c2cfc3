"""The text column goes in its own migration, after 0003 has read it, so the row updates and
the schema change commit separately (PostgreSQL refuses to alter a table that has pending
deferred trigger events in the same transaction)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('messaging', '0003_campaign_failure_code'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='campaign',
            name='failure_reason',
        ),
    ]
