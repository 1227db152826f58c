"""A family's file can be closed, with a date and a reason (the database refuses one without),
and reopened (docs/domain-rules.md)."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
        ('cases', '0006_unaccent'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='case',
            name='closed_on',
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='case',
            name='closed_reason',
            field=models.CharField(blank=True, max_length=500),
        ),
        migrations.AddField(
            model_name='case',
            name='status',
            field=models.CharField(choices=[('open', 'Open'), ('closed', 'Closed')], default='open', max_length=8),
        ),
        migrations.AddConstraint(
            model_name='case',
            constraint=models.CheckConstraint(condition=models.Q(('status__in', ['open', 'closed'])), name='case_status_valid'),
        ),
        migrations.AddConstraint(
            model_name='case',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('closed_on__isnull', True), ('status', 'open')), models.Q(('closed_on__isnull', False), ('status', 'closed'), models.Q(('closed_reason', ''), _negated=True)), _connector='OR'), name='case_closed_has_date_and_reason', violation_error_message='A closed file says when and why it was closed.'),
        ),
    ]
