"""Fencing a letter's send (issue 12, item 1): the whole conversation with the mail server ends
before the worker's claim does, a worker whose claim was taken never reports "sent", and no path
makes an attempt past the maximum. Real SMTP on loopback that answers each command slowly - every
answer within a per-command timeout, the conversation as a whole longer than the claim."""
import datetime as dt
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import psycopg2
import pytest
from django.db import connection
from django.utils import timezone

from advocacy.models import Letter
from advocacy.services import delivery
from advocacy.tasks import send_notices, sweep_letters

from tests.cases.helpers import client_for

from .conftest import sign

DIRECTOR = "director.snd@ice.example"

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql",
                                   reason="terminates a database session: PostgreSQL (CI runs it)")


def director_letter(action) -> Letter:  # noqa: ANN001
    return Letter.objects.get(submission=sign(action), decision_maker__salutation="Field Office Director")


@pytest.mark.django_db(transaction=True)
def test_a_send_longer_than_the_lease_extends_the_claim_first_and_delivers_once(action, smtp, settings):  # noqa: ANN001
    # Lease 2 s; the server takes 1 s for each of MAIL, RCPT and DATA, so the send takes about 3 s:
    # longer than the lease, inside the send's whole deadline (EMAIL_TIMEOUT, 10 s here).
    settings.LETTER_CLAIM_LEASE_SECONDS = 2
    letter = held_letter(action, smtp)
    smtp.delay = 1.0
    meanwhile = {}

    def another_worker() -> None:
        time.sleep(2.5)  # past the lease the first worker started with
        meanwhile["claim"] = delivery.claim(letter.pk)
        meanwhile["deliver"] = delivery.deliver(letter.pk).state

    thread = threading.Thread(target=another_worker)
    thread.start()
    started = time.monotonic()
    outcome = delivery.deliver(letter.pk)
    took = time.monotonic() - started
    thread.join()
    assert took > settings.LETTER_CLAIM_LEASE_SECONDS, took  # the send did outlast the lease
    assert outcome.state == "sent"
    assert meanwhile == {"claim": None, "deliver": "skipped"}  # nobody else could take it
    assert len(smtp.to(DIRECTOR)) == 1
    row = Letter.objects.get(pk=letter.pk)
    assert (row.status, row.attempts, row.claim_token) == ("sent", 2, None)  # the held try, then this one


@pytest.mark.django_db
def test_a_send_is_cut_at_its_whole_deadline_before_the_server_has_the_letter(action, smtp, settings):  # noqa: ANN001
    # A 4 s deadline for the whole conversation; each command's answer takes 2.5 s, within a
    # per-command timeout of 4 s, but the second (RCPT) would end at 5 s.
    letter = director_letter(action)
    settings.EMAIL_TIMEOUT = 4
    smtp.delay = 2.5
    started = time.monotonic()
    outcome = delivery.deliver(letter.pk)
    took = time.monotonic() - started
    assert outcome.state == "retry"
    assert 4 <= took < 5, took
    row = Letter.objects.get(pk=letter.pk)
    assert (row.status, row.attempts, row.claim_token, row.committed_at) == ("rendered", 1, None, None)
    time.sleep(1.0)  # the server finishes its side of the cut conversation
    assert smtp.to(DIRECTOR) == []  # nothing was handed over, so the retry cannot duplicate

    smtp.delay = 0.0
    Letter.objects.filter(pk=letter.pk).update(next_attempt_at=timezone.now())
    assert delivery.deliver(letter.pk).state == "sent"
    assert len(smtp.to(DIRECTOR)) == 1


@pytest.mark.django_db
def test_a_send_cut_after_the_message_is_sent_unconfirmed_and_never_sent_again(action, smtp, settings, olga,
                                                                               django_capture_on_commit_callbacks):  # noqa: ANN001
    # The server reads the whole message, then waits 3 s before answering; the deadline is 2 s. It
    # has the letter, and the worker cannot know: "sent, unconfirmed", and the organizer hears.
    settings.EMAIL_TIMEOUT = 2
    smtp.slow_final[DIRECTOR] = 3.0
    letter = director_letter(action)
    assert delivery.deliver(letter.pk).state == "unconfirmed"
    row = Letter.objects.get(pk=letter.pk)
    assert (row.status, row.committed_at is not None, row.claim_token) == ("unconfirmed", True, None)
    assert row.last_error == "no answer recorded after the message was handed over (SMTPServerDisconnected)"
    time.sleep(1.5)
    assert len(smtp.to(DIRECTOR)) == 1  # it did arrive
    smtp.slow_final.clear()
    assert delivery.deliver(letter.pk).state == "skipped"
    sweep_letters.apply()
    assert len(smtp.to(DIRECTOR)) == 1
    assert send_notices.apply().get() == 2  # the organizer's notice, and the supporter's own email
    (notice,) = smtp.to("olga@example.test")
    assert notice.message["Subject"] == f"1 letter(s) sent, unconfirmed: {action.title}"
    assert "may have arrived" in notice.text and "rosa@example.org" not in notice.text

    # The organizer asked the office, which did not get it: they send it again, once.
    with django_capture_on_commit_callbacks(execute=True):
        r = client_for(olga).post(f"/api/v1/letters/{letter.pk}/retry/")
    assert r.status_code == 200, r.content
    row = Letter.objects.get(pk=letter.pk)
    assert (row.status, row.attempts) == ("sent", 1)
    assert len(smtp.to(DIRECTOR)) == 2


@pytest.mark.django_db
def test_a_garbled_answer_to_the_whole_message_is_unconfirmed_not_a_refusal(action, smtp):  # noqa: ANN001
    smtp.garbled_final.add(DIRECTOR)  # the server read the message; its answer makes no sense
    letter = director_letter(action)
    assert delivery.deliver(letter.pk).state == "unconfirmed"
    assert len(smtp.to(DIRECTOR)) == 1
    smtp.garbled_final.clear()
    sweep_letters.apply()
    assert len(smtp.to(DIRECTOR)) == 1  # never sent again by itself


@pytest.mark.django_db(transaction=True)
def test_a_worker_whose_claim_was_taken_stops_before_handing_the_letter_over(action, smtp, settings):  # noqa: ANN001
    letter = held_letter(action, smtp)
    smtp.delay = 0.8  # MAIL and RCPT take 1.6 s before DATA
    taken = {}

    def another_worker() -> None:
        # Midway through the first worker's conversation its claim is treated as lapsed and taken.
        time.sleep(1.0)
        Letter.objects.filter(pk=letter.pk).update(claim_expires_at=timezone.now() - dt.timedelta(seconds=1))
        taken["token"] = delivery.claim(letter.pk)

    thread = threading.Thread(target=another_worker)
    thread.start()
    started = time.monotonic()
    outcome = delivery.deliver(letter.pk)
    took = time.monotonic() - started
    thread.join()
    assert taken["token"] is not None
    assert outcome.state == "lost"
    assert took < 3, took  # it hung up at once (no goodbye the server would read as the message)
    row = Letter.objects.get(pk=letter.pk)
    assert row.status == "rendered" and row.claim_token == taken["token"] and row.committed_at is None
    time.sleep(1.0)
    assert smtp.to(DIRECTOR) == []  # the first worker never sent the message
    smtp.delay = 0.0
    Letter.objects.filter(pk=letter.pk).update(claim_expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert delivery.deliver(letter.pk).state == "sent"
    assert len(smtp.to(DIRECTOR)) == 1


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_sent_record_survives_the_database_connection_dropping_during_the_send(action, smtp):  # noqa: ANN001
    letter = held_letter(action, smtp)
    worker_backend = connection.cursor().connection.info.backend_pid
    dropped = []

    def drop_the_workers_connection(_recipients: list[str]) -> None:
        # The server has the message; before it answers, the worker's database session is ended.
        with psycopg2.connect(**_connect_args()) as admin, admin.cursor() as cur:
            cur.execute("SELECT pg_terminate_backend(%s)", [worker_backend])
            dropped.append(cur.fetchone()[0])

    smtp.on_message = drop_the_workers_connection
    assert delivery.deliver(letter.pk).state == "sent"
    assert dropped == [True]
    assert len(smtp.to(DIRECTOR)) == 1
    assert Letter.objects.get(pk=letter.pk).status == "sent"


def _connect_args() -> dict:
    db = connection.settings_dict
    return {"dbname": db["NAME"], "user": db["USER"], "password": db["PASSWORD"], "host": db["HOST"] or "127.0.0.1",
            "port": db["PORT"] or 5432}


def held_letter(action, smtp) -> Letter:  # noqa: ANN001
    """The director's letter, rendered and waiting: outside a test transaction the signature's
    letters go out at once, so its first try is refused for now."""
    smtp.refuse[DIRECTOR] = "451 4.3.0 Try later"
    letter = director_letter(action)
    assert Letter.objects.get(pk=letter.pk).status == "rendered"
    del smtp.refuse[DIRECTOR]
    Letter.objects.filter(pk=letter.pk).update(next_attempt_at=timezone.now())
    return letter


@pytest.mark.django_db
def test_no_attempt_is_made_past_the_maximum(action, smtp, settings):  # noqa: ANN001
    settings.LETTER_MAX_ATTEMPTS = 3
    letter = director_letter(action)
    Letter.objects.filter(pk=letter.pk).update(attempts=3)  # spent, yet still pending (a lost path)
    assert delivery.deliver(letter.pk).state == "failed"
    row = Letter.objects.get(pk=letter.pk)
    assert (row.status, row.attempts) == ("failed", 3)
    assert smtp.to(DIRECTOR) == []  # (the organizer hears of the failure)


class _TricklingCwc(BaseHTTPRequestHandler):
    """Answers one byte every 0.3 s: each read well within a per-read timeout, the whole answer
    (about 12 s) far beyond the post's deadline."""

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers["Content-Length"]))
        try:
            for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n":
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(0.3)
        except OSError:
            pass  # the client cut the connection at its deadline

    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.django_db
def test_a_cwc_post_ends_at_its_whole_deadline(action, settings):  # noqa: ANN001
    server = ThreadingHTTPServer(("127.0.0.1", 0), _TricklingCwc)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.CWC_API_URL, settings.CWC_API_KEY = f"http://127.0.0.1:{server.server_port}/v2/message", "test-key"
    settings.CWC_TIMEOUT = 2
    try:
        letter = Letter.objects.get(submission=sign(action), decision_maker__salutation="Representative Ruiz")
        started = time.monotonic()
        outcome = delivery.deliver(letter.pk)
        took = time.monotonic() - started
    finally:
        server.shutdown()
    assert outcome.state == "retry"
    assert 2 <= took < 3, took
    row = Letter.objects.get(pk=letter.pk)
    # Posting again is safe (the same DeliveryId is refused as a duplicate), so it is simply retried.
    assert (row.channel, row.status, row.attempts, row.committed_at) == ("cwc", "rendered", 1, None)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_failure_while_its_actions_notice_is_going_out_gets_a_notice_of_its_own(action, smtp):  # noqa: ANN001
    from advocacy.models import Notice
    from advocacy.services import notify

    smtp.refuse[DIRECTOR] = "550 5.1.1 No such user"
    first = director_letter(action)
    second = Letter.objects.get(submission=sign(action, email="b@example.org"),
                                decision_maker__salutation="Field Office Director")
    # (Outside a test transaction both failed and were told at once.) Start again from: the first
    # failed, its notice waiting; the second about to fail.
    Notice.objects.all().delete()
    smtp.messages.clear()
    Letter.objects.filter(pk=first.pk).update(failure_notified_at=None)
    Letter.objects.filter(pk=second.pk).update(status="rendered", attempts=0, failure_notified_at=None)
    notice = Notice.objects.create(action=action, kind="letters")
    token = delivery.claim(second.pk)

    def fail_another_meanwhile(_recipients: list[str]) -> None:
        # The first notice has reached the server and is not recorded yet: the second letter fails.
        if _recipients == ["olga@example.test"] and Letter.objects.filter(pk=second.pk, status="rendered").exists():
            delivery.fail(second, token, "SMTPRecipientsRefused 550")
        connection.close()

    smtp.on_message = fail_another_meanwhile
    assert notify.deliver_notice(notice.pk) == "sent"
    assert Letter.objects.get(pk=second.pk).status == "failed"
    # The first notice told of the first letter only; the second got a notice of its own (sent
    # after the first was recorded).
    subjects = [m.message["Subject"] for m in smtp.to("olga@example.test")]
    assert subjects == ["1 letter(s) could not be delivered: Reunite Ana's family"] * 2
    assert Notice.objects.filter(sent_at__isnull=False).count() == 2
    assert not Notice.objects.filter(sent_at__isnull=True).exists()
    assert not Letter.objects.filter(status="failed", failure_notified_at__isnull=True).exists()
