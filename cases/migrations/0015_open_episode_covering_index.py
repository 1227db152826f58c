"""The open-episode index per person carries the columns the API's case list shows (kind, facility),
so the list's members are read from the index alone (docs/performance.md, issue 14). The new index
is built before the old one is dropped: reads are never without one."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0014_import_jobs'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='custodyepisode',
            index=models.Index(condition=models.Q(('ended_on__isnull', True)), fields=['person', 'detained_since'], include=('kind', 'facility'), name='open_episode_person_cover'),
        ),
        migrations.RemoveIndex(
            model_name='custodyepisode',
            name='open_episode_person_idx',
        ),
    ]
