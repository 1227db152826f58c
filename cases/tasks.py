"""Background housekeeping for case records."""
import datetime as dt

from celery import shared_task
from django.utils import timezone

from .models import UsedFormToken
from .services import reminders

# A form resent later than this is a new submission (nobody double-taps across two days).
FORM_TOKENS_KEPT = dt.timedelta(days=2)


@shared_task(ignore_result=True)
def forget_used_form_tokens() -> int:
    deleted, _ = UsedFormToken.objects.filter(used_at__lt=timezone.now() - FORM_TOKENS_KEPT).delete()
    return deleted


@shared_task(ignore_result=True, time_limit=1800, soft_time_limit=1700)
def sweep_stored_files() -> dict[str, int]:
    """Expire unconfirmed import checks, then delete the stored files no record refers to
    (cases.services.stored_files; the beat, hourly)."""
    from .services.stored_files import expire_import_files, sweep_orphans

    return {"import_files": expire_import_files(), "orphans": sweep_orphans()}


@shared_task(ignore_result=True)
def resume_waiting_work() -> dict[str, int]:
    """Send again to a worker the summaries and imports whose message the broker never took (it
    was away) or whose worker died (the beat, every five minutes; each claims its row first)."""
    from config.celery import resume_waiting

    from .services.imports import waiting_imports
    from .services.summaries import waiting_summaries

    return {"summaries": resume_waiting(waiting_summaries(), build_case_summary),
            "imports": resume_waiting(waiting_imports(), run_import)}


@shared_task(ignore_result=True)
def plan_reminders() -> dict[str, int]:
    """Bring every family's waiting reminders in line with its record (the beat, every few minutes)."""
    return reminders.plan()


@shared_task(time_limit=600, soft_time_limit=540)
def send_reminders() -> dict[str, int]:
    """Send the reminders that are due (the beat, every minute). Safe to run twice at once or after
    a crash: a reminder is claimed, and marked sent at the commit point of its email."""
    return reminders.send_due()


# time_limit is summaries.LEASE: past it, the sweep may give the summary to another worker.
@shared_task(ignore_result=True, time_limit=300, soft_time_limit=240)
def build_case_summary(summary_id: int) -> None:
    from .services.summaries import summary_build

    summary_build(summary_id)


@shared_task(ignore_result=True, time_limit=3600, soft_time_limit=3500)
def run_import(job_id: int) -> None:
    from .services.imports import import_run

    import_run(job_id)
