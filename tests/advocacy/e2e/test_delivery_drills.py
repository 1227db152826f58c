"""Fault drills (issue 12), end to end on PostgreSQL and Redis with real Celery workers and a real
SMTP server on loopback that counts every message it takes:

(a) a mail server so slow that one send outlasts the claim's lease: every letter arrives exactly
    once, each is reported sent once, and no letter is tried past the maximum;
(b) the workers' database sessions terminated between the send and its record, 20 times over 300
    letters: no letter arrives twice (docs/letters.md, "Exactly once", documents 0);
(c) the mail server down while letters fail, then back: every organizer notice arrives;
(d) a 2,000-letter backlog with a sweep grace period far shorter than the drain: the queue never
    holds more than the letters' messages and a few sweep messages, and no letter is enqueued twice;
(e) Redis (broker and cache) stopped: public submissions answer as usual and are stored, and all
    their letters go out once it is back.
"""
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import psycopg2
import pytest
import redis
import requests
from django.conf import settings
from django.db import connection
from django.utils import timezone

from advocacy.models import DecisionMaker, Letter, Notice, Submission
from advocacy.services.submissions import SupporterInput, submit
from advocacy.tasks import enqueue_letters
from tests.advocacy.conftest import SUPPORTER
from tests.smtp import free_port

from .conftest import EMAILS, ROOT, letters_received, wait_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

DELIVER = "advocacy.tasks.deliver_letters"


def _supporters(action, count: int) -> None:  # noqa: ANN001
    """`count` supporters sign (the service the public form calls); each submission's task goes to
    Redis on commit and makes four letters (two senators, a representative, the field office)."""
    for n in range(count):
        submit(action=action, data=SupporterInput(**{**SUPPORTER, "email": f"s{n}@example.org",
                                                      "first_name": f"Supporter{n}"}))


def _exactly_once(smtp, letters: int) -> Counter:  # noqa: ANN001
    keys = Counter(m.message["Message-ID"] for m in letters_received(smtp))
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
    reported = first.letter_outcomes() + second.letter_outcomes()
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
            if len(letters_received(smtp)) % 15 or len(terminations) == 20 or _recipients[0].endswith("@example.org"):
                return  # (the supporters' own emails are not letters)
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


def test_organizer_notices_wait_out_a_mail_outage(workers, smtp, reachable_congress, action):  # noqa: ANN001
    # The mail server is down while three supporters' twelve letters are tried twice each and fail;
    # the failure notices written with them wait, retried every second, until it is back.
    smtp.server.stop()
    quick = {"LETTER_MAX_ATTEMPTS": "2", "LETTER_RETRY_BACKOFF_SECONDS": "1", "NOTICE_RETRY_BACKOFF_SECONDS": "1",
             "NOTICE_EVERY_SECONDS": "1"}
    worker = workers(**quick)
    _supporters(action, 3)
    wait_until(lambda: Letter.objects.filter(status="failed").count() == 12, timeout=120,
               what=f"12 letters failed\n{worker.tail()}")
    wait_until(lambda: Notice.objects.filter(attempts__gte=2).exists(), timeout=60,
               what="the notice tried while the server is down")
    assert not Notice.objects.filter(sent_at__isnull=False).exists()
    smtp.server.restart()
    wait_until(lambda: not Letter.objects.filter(failure_notified_at__isnull=True).exists(), timeout=60,
               what=f"every failure told\n{worker.tail()}")
    wait_until(lambda: not Notice.objects.filter(sent_at__isnull=True).exists(), timeout=30, what="every notice sent")
    told = smtp.to("olga@example.test")
    # Every failed letter is in a notice that arrived, and none twice.
    counted = sum(int(m.message["Subject"].split(" ", 1)[0]) for m in told)
    assert counted == 12, [m.message["Subject"] for m in told]
    assert {m.message["Subject"].split(": ", 1)[1] for m in told} == {action.title}
    # No letter got through (the server was down for them); each supporter's own email came once it was back.
    assert sorted(m.rcpt_tos[0] for m in smtp.messages if m not in told) == [f"s{n}@example.org" for n in range(3)]


def _queued(client: redis.Redis) -> int:
    """Messages in the broker: waiting in either queue (each priority's list) or handed to a worker."""
    lists = [f"{q}{sep}" for q in ("celery", "upkeep") for sep in ("", "\x06\x163", "\x06\x166", "\x06\x169")]
    return sum(client.llen(key) for key in lists) + client.hlen("unacked")


def test_a_backlog_longer_than_the_grace_period_is_never_multiplied(workers, smtp, reachable_congress, action):  # noqa: ANN001
    # 500 supporters, four letters each: 2,000 letters sent to the broker at once. The sweep runs
    # every second with a 1 s grace; the drain takes far longer.
    rows = Submission.objects.bulk_create([
        Submission(action=action, email=f"s{n}@example.org", email_key=f"s{n}@example.org", prefix="Ms.",
                   first_name=f"S{n}", last_name="Supporter", street="12 Orange Ave", city="Calexico", state="CA",
                   zip_code="92231", district=25, referral_code=f"r{n}", letters_made_at=timezone.now())
        for n in range(500)])
    targets = list(DecisionMaker.objects.filter(salutation__in=(*EMAILS, "Field Office Director")))
    assert len(targets) == 4
    letters = Letter.objects.bulk_create([Letter(action=action, submission=row, decision_maker=dm, channel="email")
                                          for row in rows for dm in targets])
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    assert enqueue_letters([letter.pk for letter in letters]) == 2000
    batches = 2000 // settings.LETTER_BATCH_SIZE  # (80: the letters travel in batches of 25)
    assert _queued(client) == batches
    worker = workers(concurrency=2, LETTER_SWEEP_GRACE_SECONDS="1", LETTER_SWEEP_EVERY_SECONDS="1",
                     CELERY_VISIBILITY_TIMEOUT="600")
    peak = 0
    deadline = time.monotonic() + 300
    while Letter.objects.filter(status="sent").count() < 2000:
        assert time.monotonic() < deadline, f"the backlog did not drain\n{worker.tail()}"
        peak = max(peak, _queued(client))
        time.sleep(0.2)
    assert peak <= batches + 5, peak  # the letters' messages, and at most a few sweep messages
    received = worker.received_task_ids(DELIVER)
    assert len(received) == batches  # the batches' own messages: the sweep added none
    keys = _exactly_once(smtp, 2000)
    assert set(keys.values()) == {1}


class _Redis:
    """A Redis server of the test's own, on a free port, that the test can stop and start again."""

    def __init__(self, log: Path) -> None:
        self.port, self.log, self.process = free_port(), log, None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                                             "--save", "", "--appendonly", "no"], stdout=out, stderr=subprocess.STDOUT)
        wait_until(lambda: self._answers(), timeout=20, what="the test's Redis to start")

    def stop(self) -> None:
        self.process.kill()
        self.process.wait(timeout=20)

    def _answers(self) -> bool:
        try:
            return redis.Redis.from_url(self.url, socket_connect_timeout=0.5).ping()
        except redis.RedisError:
            return False


class _Site:
    """The web application in a process of its own (the development server, test settings)."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "manage.py", "runserver", f"127.0.0.1:{self.port}", "--noreload", "--nothreading"],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        self.log = log
        wait_until(self._answers, timeout=60, what="the site to start")

    def _answers(self) -> bool:
        try:
            return requests.get(f"http://127.0.0.1:{self.port}/accounts/login/", timeout=1).status_code < 500
        except requests.RequestException:
            return False

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)


def test_with_redis_down_public_submissions_are_stored_and_their_letters_go_out_when_it_returns(
        worker_env, workers, smtp, reachable_congress, action, tmp_path):  # noqa: ANN001
    own_redis = _Redis(tmp_path / "redis.log")
    own_redis.start()
    env = {"CELERY_BROKER_URL": f"{own_redis.url}/0", "CACHE_URL": f"{own_redis.url}/1",
           "CELERY_BROKER_CONNECTION_TIMEOUT": "1"}
    site = _Site({**worker_env, **env}, tmp_path / "site.log")
    try:
        worker = workers(**env)
        own_redis.stop()  # broker and cache both away
        for n in range(5):
            browser = requests.Session()
            page = browser.get(f"http://127.0.0.1:{site.port}/act/{action.slug}/", timeout=30)
            assert page.status_code == 200
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
            started = time.monotonic()
            answer = browser.post(f"http://127.0.0.1:{site.port}/act/{action.slug}/", timeout=30, allow_redirects=False,
                                  data={**SUPPORTER, "email": f"s{n}@example.org", "csrfmiddlewaretoken": token},
                                  headers={"Referer": page.url})
            assert answer.status_code == 302, (answer.status_code, site.log.read_text()[-3000:])
            assert time.monotonic() - started < 10
            thanks = browser.get(f"http://127.0.0.1:{site.port}{answer.headers['Location']}", timeout=30)
            assert thanks.status_code == 200
        assert Submission.objects.count() == 5  # stored, every one
        assert not Letter.objects.exists()  # nothing could reach a worker
        logged = site.log.read_text()
        assert "broker unavailable" in logged and "rate limits not counted: the cache is unreachable" in logged
        assert "rosa" not in logged.lower() and "s0@example.org" not in logged  # (no supporter in the logs)

        own_redis.start()  # back: the worker reconnects, the sweep finds the five submissions
        wait_until(lambda: Letter.objects.filter(status="sent").count() == 20, timeout=180,
                   what=f"20 letters sent\n{worker.tail()}")
        keys = _exactly_once(smtp, 20)
        assert set(keys.values()) == {1}
    finally:
        site.stop()
        own_redis.process.kill()
