"""Background work for advocacy. Every task takes ids, loads, and calls a service; delivery is
idempotent (services.delivery), so a redelivered message or a retry never sends a letter twice.

Two queues: `celery` carries the letters (a campaign can pile up thousands), `upkeep` the sweep and
the organizers' notices, so a backlog of letters never starves the sweep. Workers consume both
(CELERY_TASK_QUEUES); nothing needs configuring."""
import logging
from collections import Counter
from collections.abc import Iterable

from celery import shared_task
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from config.celery import BROKER_AWAY, try_enqueue  # noqa: F401 - the services enqueue through here

from .models import Letter, Submission
from .services import actions as action_services
from .services import batches, delivery, notify, submissions

logger = logging.getLogger(__name__)
def enqueue_submission(submission_id: int) -> None:
    """After a supporter's submission commits (it was stored marked enqueued)."""
    if not try_enqueue(deliver_submission, submission_id):
        Submission.objects.filter(pk=submission_id).update(enqueued_at=None)


def enqueue_letters(ids: Iterable[int]) -> int:
    """Delivery messages of up to LETTER_BATCH_SIZE letters each, every letter marked enqueued
    first (so the sweep leaves it to its message); letters the broker would not take are unmarked
    for the sweep. Returns how many letters were sent to the broker."""
    now = timezone.now()
    # Only letters due now: one waiting out a retry's backoff is the sweep's once it is due.
    due = Letter.objects.filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now), pk__in=list(ids))
    ids = sorted(due.values_list("pk", flat=True))
    Letter.objects.filter(pk__in=ids).update(enqueued_at=now)
    size, refused = settings.LETTER_BATCH_SIZE, []
    for n in range(0, len(ids), size):
        batch = ids[n:n + size]
        if not try_enqueue(deliver_letters, batch):
            refused += batch
    if refused:
        Letter.objects.filter(pk__in=refused).update(enqueued_at=None)
    return len(ids) - len(refused)


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=1200, time_limit=1260, ignore_result=True)
def deliver_letters(letter_ids: list[int]) -> dict[str, int]:
    # acks_late: a worker killed mid-batch leaves the message to be delivered again; the claims in
    # services.delivery make that second run a no-op for every letter the first one finished. A
    # letter to try again later is brought back by the sweep when it is due (its next_attempt_at).
    outcomes = delivery.deliver_batch(letter_ids)
    return dict(Counter(o.state for o in outcomes.values()))


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=120, time_limit=150, ignore_result=True)
def deliver_letter(letter_id: int) -> str:
    """One letter (a batch of one): what a message enqueued before batches carries."""
    return delivery.deliver(letter_id).state


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def deliver_submission(submission_id: int) -> int:
    """A supporter acted: create their letters (idempotent), deliver them (one batch), and tell the
    supporter where each goes (their email, from the outbox; the beat retries it)."""
    sent = enqueue_letters(submissions.letters_for_submission(submission_id))
    notify.deliver_supporter_notice(submission_id)
    return sent


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def deliver_action_pending(action_id: int) -> int:
    return enqueue_letters(delivery.pending_letter_ids(action_id=action_id))


@shared_task(ignore_result=True)
def sweep_letters() -> int:
    """Beat: letters a stopped worker left committed become "sent, unconfirmed"; letters no message
    will bring to a worker (a retry now due, a message lost, the broker away) go out again; and
    submissions whose letters were never made get them."""
    delivery.unconfirm_lapsed()
    grace, requeue = settings.LETTER_SWEEP_GRACE_SECONDS, settings.LETTER_REQUEUE_SECONDS
    for pk in submissions.submissions_without_letters(grace_seconds=grace, requeue_seconds=requeue):
        enqueue_submission(pk)
    return enqueue_letters(delivery.stuck_letters(grace_seconds=grace, requeue_seconds=requeue))


@shared_task(ignore_result=True)
def send_notices() -> int:
    """Organizers' notices waiting and due (after each event, and every minute from beat)."""
    return sum(notify.deliver_notice(pk) == "sent" for pk in notify.due_notice_ids())


@shared_task(ignore_result=True)
def close_due_actions() -> int:
    """Beat: actions close at their deadline."""
    return action_services.close_due_actions()


@shared_task(ignore_result=True)
def suggest_won_actions() -> int:
    """Beat: offer organizers the win when every family of their action is released or reunited."""
    return len(action_services.suggest_won_actions())


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=1500, time_limit=1800, ignore_result=True)
def build_pdf_batch(batch_id: int) -> None:
    batches.batch_build(batch_id)


@shared_task(ignore_result=True)
def resume_pdf_batches() -> int:
    """Beat, every five minutes: batches asked for while the broker was away, or left by a worker
    that died, go to a worker again (each claims its batch first)."""
    from config.celery import resume_waiting

    return resume_waiting(batches.waiting_batches(), build_pdf_batch)
