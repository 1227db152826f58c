"""End to end, on PostgreSQL and Redis with real Celery workers and a real SMTP server: a
supporter submits on the public page, the letters are rendered with the live numbers and delivered
by email; a second submission changes nothing that was sent; and a worker killed with SIGKILL in
the middle of a delivery leaves every letter delivered exactly once."""
import ast
from collections import Counter

import pytest
from django.test import Client

from advocacy.models import Letter, Submission
from tests.advocacy.conftest import SUPPORTER

from .conftest import letters_received, wait_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def _submit(action, browser: Client | None = None, **changes) -> None:  # noqa: ANN001
    browser = browser or Client(enforce_csrf_checks=True)  # a new supporter: a browser of their own
    assert browser.get(f"/act/{action.slug}/").status_code == 200
    data = {**SUPPORTER, **changes, "csrfmiddlewaretoken": browser.cookies["csrftoken"].value}
    response = browser.post(f"/act/{action.slug}/", data)
    assert response.status_code == 302, response.content.decode()[:2000]


def _sent() -> int:
    return Letter.objects.filter(status="sent").count()


def test_a_public_submission_is_rendered_and_delivered_by_a_real_worker(workers, smtp, reachable_congress, action,
                                                                        settings):  # noqa: ANN001
    worker = workers()
    rosa = Client(enforce_csrf_checks=True)
    _submit(action, rosa)
    wait_until(lambda: len(letters_received(smtp)) == 4, what="4 letters received")
    messages = letters_received(smtp)
    wait_until(lambda: _sent() == 4, what="4 letters marked sent")
    submission = Submission.objects.get()
    for received in messages:
        letter = Letter.objects.get(submission=submission, decision_maker__email=received.rcpt_tos[0])
        message = received.message
        assert message["From"].addresses[0].display_name == "Alpha Legal"
        assert message["From"].addresses[0].addr_spec == settings.LETTER_FROM_EMAIL
        assert message["Reply-To"] == "rosa@example.org"
        assert message["Message-ID"] == letter.message_id
        assert received.text == letter.body
        # The live numbers: Ana's family, in ICE detention for 40 days (the `case` fixture).
        assert "1 of the 1 families we accompanied to the Calexico West Port of Entry are in ICE custody, " \
               "detained for more than 40 days." in received.text
        assert received.text.startswith(f"Dear {letter.decision_maker.salutation},")

    # The same supporter again, with a new note: the submission is updated, no letter is created or
    # sent again. A second supporter's letters, queued behind it, show when the worker got past it.
    _submit(action, rosa, note="Second thoughts, same letter.")
    _submit(action, email="second@example.org", first_name="Second")
    wait_until(lambda: len(letters_received(smtp)) == 8, what="8 letters received")
    wait_until(lambda: _sent() == 8, what="8 letters marked sent")
    assert Submission.objects.get(email="rosa@example.org").note == "Second thoughts, same letter."
    assert Letter.objects.filter(submission=submission).count() == 4
    replies = Counter(m.message["Reply-To"] for m in letters_received(smtp))
    assert replies == {"rosa@example.org": 4, "second@example.org": 4}
    # Each supporter got their own email, once (Rosa's second submission changed nothing that was sent:
    # it is told again, as her letters may have gone elsewhere).
    wait_until(lambda: len(smtp.to("second@example.org")) == 1, what="the second supporter's email")
    assert worker.process.poll() is None


def test_a_worker_killed_mid_delivery_leaves_every_letter_delivered_exactly_once(workers, smtp, reachable_congress,
                                                                                 action):  # noqa: ANN001
    # Five supporters, four letters each: twenty letters (the worker makes them), all by email.
    for n in range(5):
        _submit(action, email=f"s{n}@example.org", first_name=f"Supporter{n}")
    # The mail server holds the 12th conversation open at RCPT: the five supporters' own emails come
    # first (each submission's task sends it as it queues the letters), then the letters in batches
    # of four, so the 12th is the third letter of the second batch: the worker is in the middle of a
    # delivery when it dies. Redis hands its unacknowledged message out again after 6 seconds.
    smtp.hold_at = 12
    quick_redelivery = {"CELERY_VISIBILITY_TIMEOUT": "6", "CELERY_UNACKED_RESTORE_INTERVAL": "1",
                        "CELERY_UNACKED_RESTORE_THROTTLE": "1"}
    first = workers(**quick_redelivery)
    assert smtp.held.wait(timeout=60), first.tail()
    first.kill()
    assert Letter.objects.count() == 20
    smtp.release.set()
    interrupted = first.received_task_ids("advocacy.tasks.deliver_letters")[-1]
    assert first.finished("advocacy.tasks.deliver_letters", interrupted) is None
    assert Letter.objects.exclude(status="sent").count() >= 14  # at most six went out before the kill
    # The batch it was on: the letter held at RCPT and the one after it, still claimed, unsent.
    assert Letter.objects.filter(claimed_at__isnull=False).exclude(status="sent").count() == 2

    # A new worker: the sweep hands the stranded letters out again once their claims run out, and
    # Redis redelivers the killed task's own message; whichever comes second finds them sent.
    second = workers(**quick_redelivery)
    wait_until(lambda: _sent() == 20, timeout=120, what=f"every letter sent\n{second.tail()}")
    wait_until(lambda: second.finished("advocacy.tasks.deliver_letters", interrupted) is not None, timeout=60,
               what=f"the killed task's message redelivered\n{second.tail()}")
    assert set(ast.literal_eval(second.finished("advocacy.tasks.deliver_letters", interrupted))) <= {"sent", "skipped"}
    wait_until(lambda: len(letters_received(smtp)) >= 20, what="20 letters received")
    keys = Counter(m.message["Message-ID"] for m in letters_received(smtp))
    assert len(letters_received(smtp)) == 20 and set(keys.values()) == {1}  # exactly once each
    assert set(keys) == {letter.message_id for letter in Letter.objects.all()}
    # The two stranded letters were claimed for sending twice (a batch counts its letters' attempts
    # when it claims them for sending), the others once.
    assert Letter.objects.filter(attempts=1).count() == 18
    assert Letter.objects.filter(attempts=2).count() == 2
