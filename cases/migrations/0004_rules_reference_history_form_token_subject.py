"""The record refuses impossible states (docs/domain-rules.md): check constraints on custody, fear
screening and hearing dates; the referral date of a reasonable-fear review; a declined review.
The history of shared facilities and field offices (ReferenceChange). What a replayed form token
or Idempotency-Key created first (UsedFormToken.subject_*)."""

import datetime
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0003_used_form_tokens'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ReferenceChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('subject_type', models.CharField(max_length=16)),
                ('subject_id', models.BigIntegerField()),
                ('at', models.DateTimeField(auto_now_add=True)),
                ('action', models.CharField(max_length=16)),
                ('before', models.JSONField(blank=True, default=dict)),
                ('after', models.JSONField(blank=True, default=dict)),
            ],
            options={
                'verbose_name_plural': 'reference history entries',
                'ordering': ['-at', '-id'],
            },
        ),
        migrations.AlterModelOptions(
            name='caseevent',
            options={'ordering': ['-at', '-id'], 'verbose_name_plural': 'history entries'},
        ),
        migrations.RemoveConstraint(
            model_name='crediblefearprocess',
            name='cfp_review_valid',
        ),
        migrations.AddField(
            model_name='crediblefearprocess',
            name='referred_on',
            field=models.DateField(blank=True, null=True, verbose_name='referred to the judge on'),
        ),
        migrations.AddField(
            model_name='usedformtoken',
            name='subject_id',
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='usedformtoken',
            name='subject_type',
            field=models.CharField(blank=True, default='', max_length=40),
        ),
        migrations.AlterField(
            model_name='crediblefearprocess',
            name='review',
            field=models.CharField(blank=True, choices=[('', 'Not requested'), ('declined', 'IJ review declined'), ('requested', 'IJ review requested'), ('affirmed', 'IJ affirmed the negative finding'), ('vacated', 'IJ vacated the negative finding')], default='', max_length=10),
        ),
        migrations.AlterField(
            model_name='custodyepisode',
            name='sponsor',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.RESTRICT, related_name='+', to='cases.sponsor'),
        ),
        migrations.AddConstraint(
            model_name='crediblefearprocess',
            constraint=models.CheckConstraint(condition=models.Q(('review__in', ['', 'declined', 'requested', 'affirmed', 'vacated', ''])), name='cfp_review_valid'),
        ),
        migrations.AddConstraint(
            model_name='crediblefearprocess',
            constraint=models.CheckConstraint(condition=models.Q(('decided_on__isnull', True), ('interview_on__isnull', True), ('decided_on__gte', models.F('interview_on')), _connector='OR'), name='cfp_decision_not_before_interview', violation_error_message='The decision cannot precede the interview.'),
        ),
        migrations.AddConstraint(
            model_name='crediblefearprocess',
            constraint=models.CheckConstraint(condition=models.Q(('review_decided_on__isnull', True), ('review_requested_on__isnull', True), ('review_decided_on__gte', models.F('review_requested_on')), _connector='OR'), name='cfp_review_decision_not_before_request', violation_error_message='The judge cannot decide before the review was requested.'),
        ),
        migrations.AddConstraint(
            model_name='crediblefearprocess',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'reasonable'), ('review__in', ['requested', 'affirmed', 'vacated']), _negated=True), ('referred_on__isnull', False), _connector='OR'), name='cfp_reasonable_review_has_referral', violation_error_message='Give the date the case was referred to the immigration judge.'),
        ),
        migrations.AddConstraint(
            model_name='custodyepisode',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'with_sponsor'), ('sponsor__isnull', False)), models.Q(models.Q(('kind', 'with_sponsor'), _negated=True), ('sponsor__isnull', True)), _connector='OR'), name='custody_sponsor_iff_with_sponsor', violation_error_message="Custody 'with sponsor' names the sponsor, and no other custody does."),
        ),
        migrations.AddConstraint(
            model_name='custodyepisode',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'removed'), models.Q(('removed_to', ''), _negated=True)), models.Q(models.Q(('kind', 'removed'), _negated=True), ('removed_to', '')), _connector='OR'), name='custody_removed_iff_country', violation_error_message='Say which country the person was removed to; only a removal names one.'),
        ),
        migrations.AddConstraint(
            model_name='custodyepisode',
            constraint=models.CheckConstraint(condition=models.Q(('release_type', ''), ('kind', 'released'), _connector='OR'), name='custody_release_type_only_on_release', violation_error_message='Only a release has a release type.'),
        ),
        migrations.AddConstraint(
            model_name='hearing',
            constraint=models.CheckConstraint(condition=models.Q(('scheduled_at__gte', datetime.datetime(1990, 1, 1, 0, 0, tzinfo=datetime.timezone.utc)), ('scheduled_at__lt', datetime.datetime(2200, 1, 1, 0, 0, tzinfo=datetime.timezone.utc))), name='hearing_scheduled_in_sane_years', violation_error_message='Check the date: a hearing falls between 1990 and 2199.'),
        ),
        migrations.AddField(
            model_name='referencechange',
            name='actor',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddIndex(
            model_name='referencechange',
            index=models.Index(fields=['subject_type', 'subject_id', '-at'], name='reference_change_idx'),
        ),
    ]
