"""Rendering and delivering letters: the exact text from live records, through a real SMTP server
on loopback (and a local CWC endpoint), exactly once, with retries, failures told to the organizer,
and consent that takes effect on the next letter."""
import datetime as dt
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone
from lxml import etree

from advocacy.letters import cwc
from advocacy.models import Action, Letter, Notice, Submission
from advocacy.services import actions as action_services
from advocacy.services import delivery
from advocacy.services.submissions import SupporterInput, submit
from advocacy.tasks import deliver_letter, send_notices, sweep_letters
from cases import services
from tests import factories as f
from tests.cases.helpers import client_for

from .conftest import SUPPORTER, make_action, sign

pytestmark = pytest.mark.django_db

DIRECTOR = "director.snd@ice.example"


def _supporter(**changes) -> SupporterInput:  # noqa: ANN003
    data = {k: v for k, v in SUPPORTER.items()}
    return SupporterInput(**{**data, **changes})


def _letter_to(submission: Submission, salutation: str) -> Letter:
    return Letter.objects.get(submission=submission, decision_maker__salutation=salutation)


def test_a_letter_is_rendered_from_live_records_and_emailed_from_the_organisation(action, smtp, settings,
                                                                                    django_capture_on_commit_callbacks):  # noqa: ANN001
    with django_capture_on_commit_callbacks(execute=True):
        submission = sign(action)
    (received,) = smtp.to(DIRECTOR)
    message = received.message
    (sender,) = message["From"].addresses
    assert (sender.display_name, sender.addr_spec) == ("Alpha Legal", settings.LETTER_FROM_EMAIL)
    assert message["Reply-To"] == "rosa@example.org"
    assert message["To"] == DIRECTOR
    assert message["Subject"] == "Release the 1 families"
    letter = _letter_to(submission, "Field Office Director")
    assert message["Message-ID"] == f"<letter-{letter.key}@{settings.LETTER_MESSAGE_ID_DOMAIN}>"
    assert received.text == letter.body  # the stored letter is the exact text sent
    assert "1 of the 1 families we accompanied to the Calexico West Port of Entry are in ICE custody, detained " \
           "for more than 40 days." in letter.body
    assert letter.body.startswith("Dear Field Office Director,")
    assert "I live ten minutes from the port.\n\nRosa Supporter\n12 Orange Ave\nCalexico, CA 92231\n" in letter.body
    assert (letter.status, letter.channel, letter.attempts) == ("sent", "email", 1) and letter.sent_at


def test_letters_without_an_email_address_wait_rendered_for_export_print_or_the_contact_form(action, smtp,
                                                                                                 django_capture_on_commit_callbacks):  # noqa: ANN001
    with django_capture_on_commit_callbacks(execute=True):
        submission = sign(action)
    ruiz = _letter_to(submission, "Representative Ruiz")
    assert (ruiz.status, ruiz.channel) == ("rendered", "cwc")  # no CWC credentials: kept for export
    padilla = _letter_to(submission, "Senator Padilla")
    assert (padilla.status, padilla.channel) == ("rendered", "print")
    assert padilla.body.startswith("Dear Senator Padilla,")
    assert len(smtp.to(DIRECTOR)) == 1
    assert [m.rcpt_tos for m in smtp.messages if DIRECTOR not in m.rcpt_tos] == [["rosa@example.org"]]  # her own


def test_the_cwc_message_is_generated_per_letter_and_valid(action, django_capture_on_commit_callbacks):  # noqa: ANN001
    with django_capture_on_commit_callbacks(execute=True):
        submission = sign(action)
    letter = _letter_to(submission, "Representative Ruiz")
    cwc.validate_text(letter.cwc_xml)
    doc = etree.fromstring(letter.cwc_xml.encode())
    assert doc.findtext("Delivery/DeliveryId") == letter.key.hex
    assert doc.findtext("Recipient/MemberOffice") == "HCA25"
    assert doc.findtext("Constituent/Prefix") == "Ms."
    assert doc.findtext("Constituent/Phone") == "760-555-0101"
    assert doc.findtext("Constituent/Zip") == "92231"
    assert [t.text for t in doc.iter("LibraryOfCongressTopic")] == ["Immigration", "Families"]
    # The organisation's text and the supporter's own words go in their own elements.
    assert doc.findtext("Message/ConstituentMessage") == "I live ten minutes from the port."
    assert "I live ten minutes" not in doc.findtext("Message/OrganizationStatement")
    assert "1 of the 1 families" in doc.findtext("Message/OrganizationStatement")


def test_an_invalid_cwc_message_fails_the_letter_with_the_element_named(action, olga, django_capture_on_commit_callbacks):  # noqa: ANN001
    a = Action.objects.get(pk=action.pk)
    action_services.action_update(actor=olga, action=a, version=a.version, letter_subject="Hi")
    with django_capture_on_commit_callbacks(execute=True):
        submission = sign(action)
    letter = _letter_to(submission, "Representative Ruiz")
    assert (letter.status, letter.last_error) == ("failed", "CWC schema: Subject is not valid")


def test_delivering_the_same_letter_again_sends_nothing(action, smtp, django_capture_on_commit_callbacks):  # noqa: ANN001
    with django_capture_on_commit_callbacks(execute=True):
        submission = sign(action)
    letter = _letter_to(submission, "Field Office Director")
    # A redelivered or retried task, or the sweep: the letter is already sent.
    assert delivery.deliver(letter.pk).state == "skipped"
    assert deliver_letter.apply(args=[letter.pk]).get() == "skipped"
    assert len(smtp.to(DIRECTOR)) == 1
    assert Letter.objects.get(pk=letter.pk).attempts == 1


def test_a_letter_another_worker_holds_is_left_alone_until_its_claim_expires(action, smtp, settings):  # noqa: ANN001
    submission = sign(action)
    letter = _letter_to(submission, "Field Office Director")
    token = delivery.claim(letter.pk)
    assert token is not None
    assert delivery.deliver(letter.pk).state == "skipped"
    assert smtp.messages == []
    Letter.objects.filter(pk=letter.pk).update(claim_expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert delivery.deliver(letter.pk).state == "sent"
    # The first worker, back from the dead, cannot overwrite what the second recorded.
    assert delivery.release(letter.pk, token, status="failed") == 0
    assert Letter.objects.get(pk=letter.pk).status == "sent"


def test_a_temporary_refusal_is_retried_with_backoff_then_fails_and_the_organizer_hears(action, smtp, settings):  # noqa: ANN001
    settings.LETTER_MAX_ATTEMPTS = 3
    smtp.refuse[DIRECTOR] = "451 4.3.0 Mailbox busy, try later"
    letter = _letter_to(sign(action), "Field Office Director")
    outcome = delivery.deliver(letter.pk)
    assert (outcome.state, outcome.retry_in) == ("retry", 60)
    row = Letter.objects.get(pk=letter.pk)
    assert (row.status, row.attempts, row.last_error) == ("rendered", 1, "SMTPRecipientsRefused 451")
    assert row.next_attempt_at > timezone.now() + dt.timedelta(seconds=50)
    assert delivery.deliver(letter.pk).state == "skipped"  # not due yet
    for expected in ("retry", "failed"):
        Letter.objects.filter(pk=letter.pk).update(next_attempt_at=timezone.now())
        assert delivery.deliver(letter.pk).state == expected
    row = Letter.objects.get(pk=letter.pk)
    assert (row.status, row.attempts) == ("failed", 3)
    assert row.last_error == "SMTPRecipientsRefused 451 (after 3 attempts)"
    assert smtp.to("olga@example.test") == []  # the notice was written with the failure; a task sends it
    assert send_notices.apply().get() == 2  # it, and the supporter's own email
    (told,) = smtp.to("olga@example.test")
    assert "1 letter(s) of the action \"Reunite Ana's family\" could not be delivered." in told.text
    assert "rosa" not in told.text.lower()  # counts and reasons, never a supporter


def test_a_permanent_refusal_fails_at_once_and_is_reported_once(action, smtp):  # noqa: ANN001
    smtp.refuse[DIRECTOR] = "550 5.1.1 No such user"
    first = _letter_to(sign(action), "Field Office Director")
    second = _letter_to(sign(action, email="b@example.org"),
                        "Field Office Director")
    assert delivery.deliver(first.pk).state == "failed"
    assert delivery.deliver(second.pk).state == "failed"
    assert Letter.objects.get(pk=first.pk).last_error == "SMTPRecipientsRefused 550"
    # One waits per action: both failures in one message (and each supporter's own email waits).
    assert Notice.objects.filter(sent_at__isnull=True, kind="letters").count() == 1
    assert send_notices.apply().get() == 3
    assert send_notices.apply().get() == 0  # told once
    reports = smtp.to("olga@example.test")
    assert [m.message["Subject"] for m in reports] == ["2 letter(s) could not be delivered: Reunite Ana's family"]
    assert "- 2 x SMTPRecipientsRefused 550" in reports[0].text


def test_a_notice_waits_out_a_mail_outage_and_is_sent_once_the_server_is_back(action, smtp, settings):  # noqa: ANN001
    from tests.smtp import free_port

    smtp.refuse[DIRECTOR] = "550 5.1.1 No such user"
    letter = _letter_to(sign(action), "Field Office Director")
    assert delivery.deliver(letter.pk).state == "failed"
    port, settings.EMAIL_PORT = settings.EMAIL_PORT, free_port()  # the mail server is away
    Notice.objects.filter(kind="supporter").delete()  # (this test follows the organizer's notice)
    for _ in range(2):
        assert send_notices.apply().get() == 0
        Notice.objects.update(next_attempt_at=timezone.now())  # (due again at once, for the test)
    notice = Notice.objects.get()
    assert (notice.kind, notice.sent_at, notice.attempts, notice.last_error) == (
        "letters", None, 2, "ConnectionRefusedError")
    assert Letter.objects.get(pk=letter.pk).failure_notified_at is None  # not told yet, so not marked
    settings.EMAIL_PORT = port  # back
    assert send_notices.apply().get() == 1
    assert send_notices.apply().get() == 0
    (told,) = smtp.to("olga@example.test")
    assert told.message["Subject"] == "1 letter(s) could not be delivered: Reunite Ana's family"
    assert Notice.objects.get().sent_at is not None
    assert Letter.objects.get(pk=letter.pk).failure_notified_at is not None


def test_a_failed_letter_can_be_retried_by_the_organizer(action, olga, smtp, django_capture_on_commit_callbacks):  # noqa: ANN001
    smtp.refuse[DIRECTOR] = "550 5.1.1 No such user"
    letter = _letter_to(sign(action), "Field Office Director")
    delivery.deliver(letter.pk)
    del smtp.refuse[DIRECTOR]
    with django_capture_on_commit_callbacks(execute=True):
        r = client_for(olga).post(f"/api/v1/letters/{letter.pk}/retry/")
    assert r.status_code == 200, r.content
    assert Letter.objects.get(pk=letter.pk).status == "sent"
    assert len(smtp.to(DIRECTOR)) == 1


@pytest.fixture
def two_families(olga, alice, alpha, consented_case, congress, director):  # noqa: ANN001, ANN201
    """Ana's family (story consent, in ICE detention 40 days) and Yesenia's (anonymous, 31 days)."""
    other = f.make_case(alice, alpha, reference="ALP-002")
    parent = f.make_person(alice, other, role="parent", first_name="Yesenia")
    f.detain(alice, parent, facility=consented_case.people.get(role="parent").custody_episodes.get().facility,
             days_ago=31)
    services.consent_record(actor=alice, case=other, level="anonymous")
    action = make_action(olga, [consented_case, other], fixed_targets=[director], target_senators=False,
                         target_representative=False,
                         letter_body="Dear [Decision Maker], {{ families.count }} families are held, the longest "
                                     "for {{ detained.longest_days }} days.{% if families.first_names %} Among them: "
                                     "{{ families.first_names }}.{% endif %}\n\n[Personal Note]\n\n[Your Name]")
    return action_services.action_publish(actor=olga, action=action)


def test_after_consent_is_revoked_no_new_letter_carries_the_withdrawn_fact(two_families, alice, consented_case,
                                                                            smtp):  # noqa: ANN001
    first = _letter_to(sign(two_families), "Field Office Director")
    second = _letter_to(sign(two_families, email="b@example.org"),
                        "Field Office Director")
    delivery.deliver(first.pk)
    assert "2 families are held, the longest for 40 days. Among them: Ana." in smtp.messages[0].text
    services.consent_record(actor=alice, case=consented_case, level="none")
    assert delivery.deliver(second.pk).state == "sent"
    body = Letter.objects.get(pk=second.pk).body
    assert smtp.messages[1].text == body
    assert "1 families are held, the longest for 31 days." in body
    assert "Ana" not in body and "40 days" not in body


def test_when_a_fact_loses_its_last_consenting_family_the_action_pauses_until_the_letter_changes(
        two_families, alice, olga, consented_case, smtp, django_capture_on_commit_callbacks):  # noqa: ANN001
    api = client_for(olga)
    action = Action.objects.get(pk=two_families.pk)
    r = api.patch(f"/api/v1/actions/{action.pk}/", {  # names printed unconditionally: only Ana's family tells
        "version": action.version, "letter_body": "Dear [Decision Maker], free {{ families.first_names }}.\n\n"
                                                  "[Personal Note]"}, format="json")
    assert r.status_code == 200, r.content
    letter = _letter_to(sign(two_families), "Field Office Director")
    services.consent_record(actor=alice, case=consented_case, level="anonymous")  # counted, no longer named
    assert delivery.deliver(letter.pk).state == "held"
    action = Action.objects.get(pk=two_families.pk)
    assert action.paused_reason == "Facts no consenting family supports any more: families.first_names"
    assert Letter.objects.get(pk=letter.pk).status == "queued"
    send_notices.apply()
    assert [m.message["Subject"] for m in smtp.to("olga@example.test")] == ["Letters paused: Reunite Ana's family"]
    assert smtp.to(DIRECTOR) == []
    # The sweep leaves a paused action alone.
    assert delivery.stuck_letters(grace_seconds=0, requeue_seconds=0) == []
    assert delivery.deliver(letter.pk).state == "held"

    assert api.post(f"/api/v1/actions/{action.pk}/resume/").status_code == 400  # the letter still names them
    r = api.patch(f"/api/v1/actions/{action.pk}/", {
        "version": action.version, "letter_body": "Dear [Decision Maker], free the {{ families.count }} families."
                                                  "\n\n[Personal Note]"}, format="json")
    assert r.status_code == 200, r.content
    with django_capture_on_commit_callbacks(execute=True):
        assert api.post(f"/api/v1/actions/{action.pk}/resume/").status_code == 200
    (sent,) = smtp.to(DIRECTOR)
    assert sent.text.startswith("Dear Field Office Director, free the 2 families.")
    assert "Ana" not in sent.text


def test_the_sweep_sends_letters_no_message_will_bring_and_leaves_those_one_will(action, smtp, settings):  # noqa: ANN001
    settings.LETTER_SWEEP_GRACE_SECONDS, settings.LETTER_REQUEUE_SECONDS = 60, 600
    submission = sign(action)  # four letters, made, never sent to the broker
    assert sweep_letters.apply().get() == 0  # just made: their task may still be on its way
    now = timezone.now()
    Letter.objects.filter(submission=submission).update(updated_at=now - dt.timedelta(minutes=5))
    waiting = _letter_to(submission, "Senator Padilla")  # in a long queue: sent to the broker a minute ago
    Letter.objects.filter(pk=waiting.pk).update(enqueued_at=now - dt.timedelta(minutes=1))
    held = _letter_to(submission, "Field Office Director")  # a live worker is on it
    Letter.objects.filter(pk=held.pk).update(claim_token=uuid.uuid4(), claim_expires_at=now + dt.timedelta(minutes=1),
                                             enqueued_at=now - dt.timedelta(minutes=20))
    stuck = delivery.stuck_letters(grace_seconds=60, requeue_seconds=600)
    assert sorted(stuck) == sorted(Letter.objects.filter(submission=submission, decision_maker__salutation__in=(
        "Senator Schiff", "Representative Ruiz")).values_list("pk", flat=True))
    assert delivery.stuck_letters(grace_seconds=60, requeue_seconds=600) == []  # marked: the next sweep takes none
    # The waiting letter's message was lost (sent longer ago than the broker takes to hand it out
    # again), and the worker holding the other one died (its claim expired): both go out again.
    Letter.objects.filter(pk=waiting.pk).update(enqueued_at=now - dt.timedelta(minutes=11))
    Letter.objects.filter(pk=held.pk).update(claim_expires_at=now - dt.timedelta(seconds=1))
    assert sweep_letters.apply().get() == 2
    assert len(smtp.to(DIRECTOR)) == 1
    assert Letter.objects.get(pk=held.pk).status == "sent"


def test_a_letter_to_try_again_is_brought_back_by_the_sweep_when_it_is_due(action, smtp, settings):  # noqa: ANN001
    settings.LETTER_SWEEP_GRACE_SECONDS, settings.LETTER_REQUEUE_SECONDS = 600, 3600
    smtp.refuse[DIRECTOR] = "451 4.3.0 Try later"
    letter = _letter_to(sign(action), "Field Office Director")
    assert delivery.deliver(letter.pk).state == "retry"
    del smtp.refuse[DIRECTOR]
    assert delivery.stuck_letters(grace_seconds=600, requeue_seconds=3600) == []  # not due for a minute
    Letter.objects.filter(pk=letter.pk).update(next_attempt_at=timezone.now())
    assert delivery.stuck_letters(grace_seconds=600, requeue_seconds=3600) == [letter.pk]  # due: no grace to wait
    Letter.objects.filter(pk=letter.pk).update(enqueued_at=None)
    sweep_letters.apply()
    assert len(smtp.to(DIRECTOR)) == 1
    assert Letter.objects.get(pk=letter.pk).status == "sent"


class _CwcEndpoint(BaseHTTPRequestHandler):
    answers: list[int] = []
    received: list[tuple[str, bytes]] = []

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((self.path, body))
        self.send_response(type(self).answers.pop(0) if type(self).answers else 200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def cwc_endpoint(settings):  # noqa: ANN001, ANN201
    _CwcEndpoint.answers, _CwcEndpoint.received = [], []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _CwcEndpoint)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.CWC_API_URL = f"http://127.0.0.1:{server.server_port}/v2/message"
    settings.CWC_API_KEY = "test-key"
    yield _CwcEndpoint
    server.shutdown()


def test_with_cwc_credentials_letters_to_congress_are_posted_once(action, cwc_endpoint,
                                                                  django_capture_on_commit_callbacks):  # noqa: ANN001
    with django_capture_on_commit_callbacks(execute=True):
        submission = sign(action)
    letter = _letter_to(submission, "Representative Ruiz")
    assert (letter.channel, letter.status) == ("cwc", "sent")
    (path, body), = cwc_endpoint.received
    assert path == "/v2/message?apikey=test-key"
    assert body.decode() == letter.cwc_xml
    assert delivery.deliver(letter.pk).state == "skipped"
    assert len(cwc_endpoint.received) == 1


@pytest.mark.parametrize(("answer", "state", "status"), [
    (409, "sent", "sent"),  # the DeliveryId was already accepted: delivered once
    (400, "failed", "failed"),
    (302, "failed", "failed"),  # a redirect is not a delivery (the URL is wrong)
    (503, "retry", "rendered"),
])
def test_cwc_answers(action, cwc_endpoint, answer, state, status):  # noqa: ANN001
    letter = _letter_to(sign(action), "Representative Ruiz")
    cwc_endpoint.answers.append(answer)
    assert delivery.deliver(letter.pk).state == state
    assert Letter.objects.get(pk=letter.pk).status == status


def test_the_sweep_creates_the_letters_of_a_submission_whose_task_was_lost(action, smtp, settings):  # noqa: ANN001
    from advocacy.services.submissions import submit

    settings.LETTER_SWEEP_GRACE_SECONDS, settings.LETTER_REQUEUE_SECONDS = 60, 600
    submission = Submission.objects.get(pk=submit(action=action, data=_supporter()).submission_id)  # its task never ran
    assert submission.enqueued_at is not None
    assert sweep_letters.apply().get() == 0 and not Letter.objects.exists()  # its message may be in the queue
    Submission.objects.filter(pk=submission.pk).update(updated_at=timezone.now() - dt.timedelta(minutes=5),
                                                       enqueued_at=timezone.now() - dt.timedelta(minutes=5))
    assert sweep_letters.apply().get() == 0  # still within the time the broker takes to hand it out again
    Submission.objects.filter(pk=submission.pk).update(enqueued_at=timezone.now() - dt.timedelta(minutes=11))
    sweep_letters.apply()  # lost: sent again
    assert Letter.objects.filter(submission=submission).count() == 4
    assert Submission.objects.get(pk=submission.pk).letters_made_at is not None
    (received,) = smtp.to(DIRECTOR)
    assert received.message["Reply-To"] == "rosa@example.org"


def test_the_sweep_sends_a_submission_the_broker_never_took_after_the_grace_period(action, smtp, settings):  # noqa: ANN001
    from advocacy.services.submissions import submit

    settings.LETTER_SWEEP_GRACE_SECONDS, settings.LETTER_REQUEUE_SECONDS = 60, 600
    submission_id = submit(action=action, data=_supporter()).submission_id
    Submission.objects.filter(pk=submission_id).update(enqueued_at=None)  # the broker was away
    assert sweep_letters.apply().get() == 0 and not Letter.objects.exists()  # within the grace period
    Submission.objects.filter(pk=submission_id).update(updated_at=timezone.now() - dt.timedelta(minutes=2))
    sweep_letters.apply()
    assert len(smtp.to(DIRECTOR)) == 1


def test_a_resubmission_before_the_task_ran_is_the_one_the_letters_follow(action, django_capture_on_commit_callbacks):  # noqa: ANN001
    from advocacy.services.submissions import letters_for_submission, submit

    first = submit(action=action, data=_supporter())
    submit(action=action, data=_supporter(zip_code="92173", city="San Ysidro"),  # moved before the worker ran
           owner_token=first.owner_token)
    letters_for_submission(first.submission_id)
    targets = set(Letter.objects.values_list("decision_maker__salutation", flat=True))
    assert "Representative Vargas" in targets and "Representative Ruiz" not in targets


def test_supporter_text_that_looks_like_template_code_is_sent_literally(action, smtp,
                                                                        django_capture_on_commit_callbacks):  # noqa: ANN001
    note = "{{ families.count }} {% if x %}{% endif %} <script>alert('x')</script>"
    with django_capture_on_commit_callbacks(execute=True):
        submit(action=action, data=_supporter(note=note, first_name="{{ Rosa }}"))
    (received,) = smtp.to(DIRECTOR)
    assert f"\n\n{note}\n\n{{{{ Rosa }}}} Supporter\n" in received.text


def test_a_letter_cancelled_while_a_worker_holds_it_is_not_brought_back_or_sent(action, smtp):  # noqa: ANN001
    letter = _letter_to(sign(action), "Field Office Director")
    token = delivery.claim(letter.pk)
    Letter.objects.filter(pk=letter.pk).update(status="cancelled")  # the supporter's new address, meanwhile
    _, state = delivery.render_and_store(letter.pk, token)
    assert state == "skipped"
    assert Letter.objects.get(pk=letter.pk).status == "cancelled"
    assert smtp.messages == []
