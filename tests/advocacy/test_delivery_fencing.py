"""Fencing a letter's send (issue 12, item 1): the whole conversation with the mail server ends
before the worker's claim does, a worker whose claim was taken never reports "sent", and no path
makes an attempt past the maximum. Real SMTP on loopback that answers each command slowly - every
answer within a per-command timeout, the conversation as a whole longer than the claim."""
import datetime as dt
import threading
import time

import pytest
from django.utils import timezone

from advocacy.models import Letter
from advocacy.services import delivery

from .conftest import sign

DIRECTOR = "director.snd@ice.example"


def director_letter(action) -> Letter:  # noqa: ANN001
    return Letter.objects.get(submission=sign(action), decision_maker__salutation="Field Office Director")


@pytest.mark.django_db
def test_a_send_that_would_outlive_the_claim_is_cut_at_its_deadline(action, smtp, settings):  # noqa: ANN001
    # Lease 6 s: the send must end by 4 s (2 s kept in hand). Three commands of 1.6 s each take
    # 4.8 s, each one within any per-command timeout the worker could use.
    settings.LETTER_CLAIM_LEASE_SECONDS = 6
    smtp.delay = 1.6
    letter = director_letter(action)
    started = time.monotonic()
    outcome = delivery.deliver(letter.pk)
    took = time.monotonic() - started
    assert outcome.state == "retry"
    assert took < settings.LETTER_CLAIM_LEASE_SECONDS, took  # ended while the claim held
    row = Letter.objects.get(pk=letter.pk)
    assert (row.status, row.attempts, row.claim_token) == ("rendered", 1, None)
    time.sleep(1.0)  # the server finishes its side of the cut conversation
    assert smtp.to(DIRECTOR) == []  # nothing was accepted, so a retry cannot duplicate

    smtp.delay = 0.0
    Letter.objects.filter(pk=letter.pk).update(next_attempt_at=timezone.now())
    assert delivery.deliver(letter.pk).state == "sent"
    assert len(smtp.to(DIRECTOR)) == 1


@pytest.mark.django_db(transaction=True)
def test_a_worker_whose_claim_was_taken_never_reports_sent(action, smtp, settings):  # noqa: ANN001
    settings.LETTER_CLAIM_LEASE_SECONDS = 30
    # Outside a test transaction the signature's letters go out at once: the first try is refused
    # for now, so the letter waits for this test's workers.
    smtp.refuse[DIRECTOR] = "451 4.3.0 Try later"
    letter = director_letter(action)
    assert Letter.objects.get(pk=letter.pk).status == "rendered"
    del smtp.refuse[DIRECTOR]
    Letter.objects.filter(pk=letter.pk).update(next_attempt_at=timezone.now())
    smtp.delay = 0.8  # the send takes about 2.4 s
    taken = {}

    def another_worker() -> None:
        # Midway through the first worker's send, the claim is treated as lapsed and taken.
        time.sleep(1.0)
        Letter.objects.filter(pk=letter.pk).update(claimed_at=timezone.now() - dt.timedelta(minutes=5))
        taken["token"] = delivery.claim(letter.pk)

    thread = threading.Thread(target=another_worker)
    thread.start()
    outcome = delivery.deliver(letter.pk)
    thread.join()
    assert taken["token"] is not None
    assert outcome.state == "lost"
    row = Letter.objects.get(pk=letter.pk)
    assert row.status != "sent" and row.claim_token == taken["token"]  # the new holder decides
    assert len(smtp.to(DIRECTOR)) == 1


@pytest.mark.django_db
def test_no_attempt_is_made_past_the_maximum(action, smtp, settings):  # noqa: ANN001
    settings.LETTER_MAX_ATTEMPTS = 3
    letter = director_letter(action)
    Letter.objects.filter(pk=letter.pk).update(attempts=3)  # spent, yet still pending (a lost path)
    assert delivery.deliver(letter.pk).state == "failed"
    row = Letter.objects.get(pk=letter.pk)
    assert (row.status, row.attempts) == ("failed", 3)
    assert smtp.to(DIRECTOR) == []  # (the organizer hears of the failure)
