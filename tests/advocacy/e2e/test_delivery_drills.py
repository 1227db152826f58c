"""Fault drills (issue 12), end to end on PostgreSQL and Redis with real Celery workers and a real
SMTP server on loopback that counts every message it takes:

(a) a mail server so slow that one send outlasts the claim's lease: every letter arrives exactly
    once, each is reported sent once, and no letter is tried past the maximum;
(b) the workers' database sessions terminated between the send and its record, 20 times over 300
    letters: no letter arrives twice (docs/letters.md, "Exactly once", documents 0).
"""
import threading
from collections import Counter

import psycopg2
import pytest
from django.db import connection

from advocacy.models import Letter
from advocacy.services.submissions import SupporterInput, submit
from tests.advocacy.conftest import SUPPORTER

from .conftest import wait_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

DELIVER = "advocacy.tasks.deliver_letter"


def _supporters(action, count: int) -> None:  # noqa: ANN001
    """`count` supporters sign (the service the public form calls); each submission's task goes to
    Redis on commit and makes four letters (two senators, a representative, the field office)."""
    for n in range(count):
        submit(action=action, data=SupporterInput(**{**SUPPORTER, "email": f"s{n}@example.org",
                                                      "first_name": f"Supporter{n}"}))


def _exactly_once(smtp, letters: int) -> Counter:  # noqa: ANN001
    keys = Counter(m.message["Message-ID"] for m in smtp.messages)
    assert set(keys) == {letter.message_id for letter in Letter.objects.all()}
    assert len(keys) == letters
    return keys


def test_a_server_slower_than_the_lease_gets_every_letter_exactly_once(workers, smtp, reachable_congress, action,
                                                                       settings):  # noqa: ANN001
    # Each of MAIL, RCPT and DATA takes 0.8 s: a send takes about 2.4 s, longer than the 2 s lease.
    # Two workers, and a sweep every second with a 2 s grace: every chance to hand a letter being
    # sent to someone else.
    smtp.delay = 0.8
    slow = {"LETTER_CLAIM_LEASE_SECONDS": "2", "EMAIL_TIMEOUT": "10", "LETTER_MAX_ATTEMPTS": "3"}
    first, second = workers(**slow), workers(beat=False, **slow)
    _supporters(action, 3)
    wait_until(lambda: Letter.objects.filter(status="sent").count() == 12, timeout=120,
               what=f"12 letters sent\n{first.tail()}")
    keys = _exactly_once(smtp, 12)
    assert set(keys.values()) == {1}  # none arrived twice
    assert max(Letter.objects.values_list("attempts", flat=True)) == 1  # none was cut and tried again
    reported = Counter(first.outcomes(DELIVER) + second.outcomes(DELIVER))
    assert reported["sent"] == 12  # each letter reported sent once, by one worker
    assert reported["lost"] == 0


def test_database_sessions_ended_between_send_and_record_duplicate_nothing(workers, smtp, reachable_congress,
                                                                           action):  # noqa: ANN001
    own = connection.cursor().connection.info.backend_pid
    db = connection.settings_dict
    terminations = []
    one_at_a_time = threading.Lock()

    def end_the_workers_sessions(_recipients: list[str]) -> None:
        # Every 15th message: the server has it and has not answered; every database session but
        # this test's is ended, so the worker waiting for the answer records it on a dead one.
        with one_at_a_time:
            if len(smtp.messages) % 15 or len(terminations) == 20:
                return
            admin = psycopg2.connect(dbname=db["NAME"], user=db["USER"], password=db["PASSWORD"],
                                     host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432)
            try:
                with admin.cursor() as cur:
                    cur.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                "WHERE datname = current_database() AND pid NOT IN (pg_backend_pid(), %s)", [own])
                    terminations.append(cur.fetchone()[0])
            finally:
                admin.close()

    smtp.on_message = end_the_workers_sessions
    worker = workers()  # one process: the session ended is the one waiting to record the send
    _supporters(action, 75)  # 300 letters
    wait_until(lambda: Letter.objects.count() == 300 and not Letter.objects.filter(status__in=("queued", "rendered"))
               .exists(), timeout=240, what=f"300 letters settled\n{worker.tail()}")
    assert len(terminations) == 20 and min(terminations) >= 1, terminations
    # Each time, the worker found its connection gone when it came to record the send.
    assert worker.log.read_text().count("database connection lost; retrying on a new one") >= 20
    keys = _exactly_once(smtp, 300)
    duplicates = sum(n - 1 for n in keys.values())
    assert duplicates == 0  # the figure docs/letters.md states
    assert Counter(Letter.objects.values_list("status", flat=True)) == {"sent": 300}  # none left unconfirmed
