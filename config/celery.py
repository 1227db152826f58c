"""Celery application.

Worker: ``celery -A config worker -l info``; beat: ``celery -A config beat -l info``.
With ``CELERY_BROKER_URL`` unset, settings make tasks run eagerly in-process.
"""
import datetime as dt
import logging
import os

from celery import Celery
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import RedisError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("casetracker")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger(__name__)
BROKER_AWAY = (BrokerError, RedisError, OSError)


def try_enqueue(task, *args: object) -> bool:  # noqa: ANN001
    """Send a task to the broker, or, when the broker is away, log it and return False: the caller's
    rows are stored, and the sweep (or the beat) sends them once it is back. Never raises for the broker."""
    try:
        task.delay(*args)
    except BROKER_AWAY as exc:
        logger.warning("broker unavailable (%s): %s left for the sweep", type(exc).__name__, task.name)
        return False
    return True


# Background work (a printable batch, a summary, a confirmed import) still queued after this long
# was probably never handed to a worker: the upkeep sweeps send it again (resume_waiting).
WAITING_FOR_A_WORKER = dt.timedelta(minutes=5)


def resume_waiting(rows, task, *, most: int = 500) -> int:  # noqa: ANN001
    """Send `task` again for each row in `rows`: background work whose message the broker never
    took (it was away when the work was asked for) or whose worker died. Each such task claims its
    row first, so a second message for work already taken does nothing. Returns how many were sent;
    stops at the first the broker refuses (the next run tries again)."""
    sent = 0
    for pk in rows.order_by("pk").values_list("pk", flat=True)[:most]:
        if not try_enqueue(task, pk):
            break
        sent += 1
    return sent
