"""Background work for advocacy. Every task takes ids, loads, and calls a service; delivery is
idempotent (services.delivery), so a redelivered message or a retry never sends a letter twice."""
from celery import shared_task
from django.conf import settings

from .services import actions as action_services
from .services import batches, delivery, notify, submissions


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, soft_time_limit=60, time_limit=90,
             max_retries=None, ignore_result=True)
def deliver_letter(self, letter_id: int) -> str:  # noqa: ANN001
    # acks_late: a worker killed mid-letter leaves the message to be delivered again; the claim
    # in services.delivery makes that second run a no-op when the first one finished.
    outcome = delivery.deliver(letter_id)
    if outcome.retry_in and not self.request.is_eager:
        raise self.retry(countdown=outcome.retry_in)
    # Eager (the embedded default): no retry in-process; the sweep comes back for it.
    return outcome.state


def _deliver_each(ids: list[int]) -> int:
    for pk in ids:
        deliver_letter.delay(pk)
    return len(ids)


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def deliver_submission(submission_id: int) -> int:
    """A supporter acted: create their letters (idempotent) and deliver each in a task of its own."""
    return _deliver_each(submissions.letters_for_submission(submission_id))


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def deliver_action_pending(action_id: int) -> int:
    return _deliver_each(delivery.pending_letter_ids(action_id=action_id))


@shared_task(ignore_result=True)
def sweep_letters() -> int:
    """Beat: letters stuck in a non-final state (a lost message, a killed worker) go out again, and
    submissions whose letters were never created get them."""
    grace = settings.LETTER_SWEEP_GRACE_SECONDS
    for action_id in delivery.unconfirm_lapsed():
        notify_failures.delay(action_id)
    for pk in submissions.submissions_without_letters(grace_seconds=grace):
        deliver_submission.delay(pk)
    return _deliver_each(delivery.stuck_letters(grace_seconds=grace))


@shared_task(ignore_result=True)
def close_due_actions() -> int:
    """Beat: actions close at their deadline."""
    return action_services.close_due_actions()


@shared_task(ignore_result=True)
def suggest_won_actions() -> int:
    """Beat: offer organizers the win when every family of their action is released or reunited."""
    offered = action_services.suggest_won_actions()
    for pk in offered:
        notify_won.delay(pk)
    return len(offered)


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=1500, time_limit=1800, ignore_result=True)
def build_pdf_batch(batch_id: int) -> None:
    batches.batch_build(batch_id)


@shared_task(ignore_result=True)
def notify_failures(action_id: int) -> int:
    return notify.notify_failures(action_id)


@shared_task(ignore_result=True)
def notify_paused(action_id: int) -> None:
    notify.notify_paused(action_id)


@shared_task(ignore_result=True)
def notify_won(action_id: int) -> None:
    notify.notify_won(action_id)
