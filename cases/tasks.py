"""Background housekeeping for case records."""
import datetime as dt

from celery import shared_task
from django.utils import timezone

from .models import UsedFormToken

# A form resent later than this is a new submission (nobody double-taps across two days).
FORM_TOKENS_KEPT = dt.timedelta(days=2)


@shared_task(ignore_result=True)
def forget_used_form_tokens() -> int:
    deleted, _ = UsedFormToken.objects.filter(used_at__lt=timezone.now() - FORM_TOKENS_KEPT).delete()
    return deleted
