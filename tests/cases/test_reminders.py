"""Reminders of hearings, judges' review deadlines and sponsor vetting steps (issue 13).

The rule: each event reminds the family's assigned legal staff (every advocate of the
organisation when none is assigned) 7 days before, 2 days before and the morning of, at 7 in the
morning of the organisation's time zone, once each; a moved event moves its reminders, a
cancelled one cancels them. Expected instants are worked out by hand below (America/Los_Angeles
leaves standard time, UTC-8, for daylight time, UTC-7, at 2 a.m. on Sunday 14 March 2027).
"""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from accounts.models import Organization, ReminderMode
from accounts.roles import Role
from cases import services
from cases.models import CredibleFearProcess, Hearing, Reminder
from cases.services import reminders
from tests import factories as f

LA = ZoneInfo("America/Los_Angeles")
UTC = dt.UTC
# A hearing at 10 a.m. on Tuesday 16 March 2027, Los Angeles time (daylight time: 17:00 UTC).
HEARING_AT = dt.datetime(2027, 3, 16, 10, 0, tzinfo=LA)
# 7 days before: Tuesday 9 March, 7 a.m. standard time = 15:00 UTC.
SEVEN_DAYS = dt.datetime(2027, 3, 9, 15, 0, tzinfo=UTC)
# 2 days before: Sunday 14 March, 7 a.m. - daylight time since 2 a.m. that day = 14:00 UTC.
TWO_DAYS = dt.datetime(2027, 3, 14, 14, 0, tzinfo=UTC)
# The morning of: Tuesday 16 March, 7 a.m. daylight time = 14:00 UTC.
MORNING_OF = dt.datetime(2027, 3, 16, 14, 0, tzinfo=UTC)
SECOND = dt.timedelta(seconds=1)


@pytest.fixture
def amy(alpha):  # noqa: ANN001, ANN201
    return f.member(alpha, Role.ADVOCATE, "amy@example.test")


@pytest.fixture
def ned(alpha):  # noqa: ANN001, ANN201
    """An advocate of Alpha Legal assigned to nothing."""
    return f.member(alpha, Role.ADVOCATE, "ned@example.test")


@pytest.fixture
def proceeding(alice, case):  # noqa: ANN001, ANN201
    return services.proceeding_create(actor=alice, case=case, kind="immigration_court")


def hearing(actor, proceeding, at=HEARING_AT):  # noqa: ANN001, ANN201
    return services.hearing_schedule(actor=actor, proceeding=proceeding, scheduled_at=at)


def assign(alice, case, *users):  # noqa: ANN001, ANN201
    for user in users:
        services.assignment_create(actor=alice, case=case, user=user)


def due_times(user) -> dict[int, dt.datetime]:  # noqa: ANN001
    return {r.days_before: r.due_at for r in Reminder.objects.filter(user=user, status=Reminder.Status.PENDING)}


def sent_to(address: str) -> list:
    return [m for m in mail.outbox if m.to == [address]]


def test_a_hearing_reminds_each_assigned_advocate_at_seven_in_the_morning_across_the_dst_change(
        alice, amy, ned, adam, case, proceeding):  # noqa: ANN001
    assign(alice, case, alice, amy)
    hearing(alice, proceeding)
    reminders.plan(now=SEVEN_DAYS - dt.timedelta(days=1))
    expected = {7: SEVEN_DAYS, 2: TWO_DAYS, 0: MORNING_OF}
    assert due_times(alice) == expected
    assert due_times(amy) == expected
    # Assigned staff only: the unassigned advocate and the admin are not reminded.
    assert not Reminder.objects.filter(user__in=[ned, adam]).exists()


def test_each_reminder_goes_out_once_at_its_time(alice, amy, case, proceeding):  # noqa: ANN001
    assign(alice, case, alice, amy)
    hearing(alice, proceeding)
    reminders.plan(now=SEVEN_DAYS - dt.timedelta(days=1))
    assert reminders.send_due(now=SEVEN_DAYS - SECOND) == {}  # not yet
    assert reminders.send_due(now=SEVEN_DAYS) == {"sent": 2}
    assert reminders.send_due(now=SEVEN_DAYS + dt.timedelta(minutes=1)) == {}  # retried: nothing more
    reminders.plan(now=SEVEN_DAYS + dt.timedelta(minutes=2))  # planned again: still nothing more
    assert reminders.send_due(now=SEVEN_DAYS + dt.timedelta(minutes=3)) == {}
    (to_alice,) = sent_to("alice@example.test")
    (to_amy,) = sent_to("amy@example.test")
    assert to_alice.subject == "In 7 days: Hearing (ALP-001)"
    assert "in 7 days, Tuesday March 16, 2027 at 10 a.m. (America/Los_Angeles)" in to_alice.body
    assert f"http://testserver/cases/{case.pk}/" in to_alice.body
    assert reminders.send_due(now=TWO_DAYS) == {"sent": 2}
    assert reminders.send_due(now=MORNING_OF) == {"sent": 2}
    assert len(mail.outbox) == 6
    assert sent_to("alice@example.test")[-1].subject == "Today: Hearing (ALP-001)"
    assert Reminder.objects.filter(status=Reminder.Status.SENT).count() == 6


def test_the_email_names_no_one(alice, case, proceeding, mother, child):  # noqa: ANN001
    assign(alice, case, alice)
    hearing(alice, proceeding)
    reminders.plan(now=SEVEN_DAYS - dt.timedelta(days=1))
    reminders.send_due(now=SEVEN_DAYS)
    (message,) = mail.outbox
    text = message.subject + message.body + str(message.message())
    for secret in ("Ana", "Lucía", "Ejemplo", "201-555-019", "201555019", "Imperial"):
        assert secret not in text


def test_rescheduling_moves_the_later_reminders(alice, case, proceeding):  # noqa: ANN001
    assign(alice, case, alice)
    h = hearing(alice, proceeding)
    reminders.plan(now=SEVEN_DAYS - dt.timedelta(days=1))
    reminders.send_due(now=SEVEN_DAYS)
    # Moved two days later, to Thursday 18 March 2027 at 10 a.m.
    services.hearing_update(actor=alice, hearing=Hearing.objects.get(pk=h.pk), version=h.version,
                            scheduled_at=dt.datetime(2027, 3, 18, 10, 0, tzinfo=LA))
    reminders.plan(now=SEVEN_DAYS + dt.timedelta(hours=1))
    # The 7-day one for the new day (Thursday 11 March, standard time), 2 days (Tuesday 16 March,
    # daylight time) and the morning of.
    assert due_times(alice) == {7: dt.datetime(2027, 3, 11, 15, 0, tzinfo=UTC),
                                2: dt.datetime(2027, 3, 16, 14, 0, tzinfo=UTC),
                                0: dt.datetime(2027, 3, 18, 14, 0, tzinfo=UTC)}
    # The old day's were cancelled; the one already sent stays on record.
    old = Reminder.objects.filter(user=alice, event_on=dt.date(2027, 3, 16))
    assert sorted(old.values_list("days_before", "status")) == [(0, "cancelled"), (2, "cancelled"), (7, "sent")]
    assert reminders.send_due(now=dt.datetime(2027, 3, 11, 15, 0, tzinfo=UTC)) == {"sent": 1}
    assert "in 7 days, Thursday March 18, 2027 at 10 a.m." in mail.outbox[-1].body
    assert reminders.send_due(now=TWO_DAYS) == {}  # nothing for the old day


def test_a_new_time_on_the_same_day_updates_the_waiting_reminders(alice, case, proceeding):  # noqa: ANN001
    assign(alice, case, alice)
    h = hearing(alice, proceeding)
    reminders.plan(now=SEVEN_DAYS - dt.timedelta(days=1))
    services.hearing_update(actor=alice, hearing=Hearing.objects.get(pk=h.pk), version=h.version,
                            scheduled_at=dt.datetime(2027, 3, 16, 14, 30, tzinfo=LA))
    assert reminders.plan(now=SEVEN_DAYS - dt.timedelta(hours=1))["moved"] == 3
    assert due_times(alice) == {7: SEVEN_DAYS, 2: TWO_DAYS, 0: MORNING_OF}
    reminders.send_due(now=SEVEN_DAYS)
    assert "at 2:30 p.m." in mail.outbox[0].body


def test_cancelling_the_hearing_cancels_its_reminders(alice, case, proceeding):  # noqa: ANN001
    assign(alice, case, alice)
    h = hearing(alice, proceeding)
    reminders.plan(now=SEVEN_DAYS - dt.timedelta(days=1))
    reminders.send_due(now=SEVEN_DAYS)
    services.hearing_update(actor=alice, hearing=Hearing.objects.get(pk=h.pk), version=h.version,
                            status=Hearing.Status.CANCELLED)
    # Not even planned again in between: the send itself reads the record first.
    assert reminders.send_due(now=TWO_DAYS) == {}
    assert reminders.send_due(now=MORNING_OF) == {}
    assert len(mail.outbox) == 1
    assert sorted(Reminder.objects.values_list("days_before", "status")) == [
        (0, "cancelled"), (2, "cancelled"), (7, "sent")]


def test_nobody_assigned_reminds_every_advocate_of_the_organisation(alice, ned, adam, olga, victor, case,
                                                                      proceeding):  # noqa: ANN001
    # victor, a volunteer, is assigned: he is not legal staff, so the family counts as unassigned.
    hearing(alice, proceeding)
    reminders.plan(now=SEVEN_DAYS - dt.timedelta(days=1))
    assert set(Reminder.objects.values_list("user__email", flat=True)) == {"alice@example.test", "ned@example.test"}
    assert [c.reference for c, _on in reminders.unassigned_cases(case.organization, now=SEVEN_DAYS)] == ["ALP-001"]
    assign(alice, case, ned)
    reminders.plan(now=SEVEN_DAYS - dt.timedelta(hours=1))
    assert set(Reminder.objects.filter(status="pending").values_list("user__email", flat=True)) == {"ned@example.test"}
    assert reminders.unassigned_cases(case.organization, now=SEVEN_DAYS) == []


def test_a_paused_user_gets_none_and_resuming_brings_them_back(alice, amy, case, proceeding):  # noqa: ANN001
    assign(alice, case, alice, amy)
    hearing(alice, proceeding)
    amy.reminders_paused = True
    amy.save()
    reminders.plan(now=SEVEN_DAYS - dt.timedelta(days=1))
    assert reminders.send_due(now=SEVEN_DAYS) == {"sent": 1}
    assert [m.to for m in mail.outbox] == [["alice@example.test"]]
    amy.reminders_paused = False
    amy.save()
    reminders.plan(now=SEVEN_DAYS + dt.timedelta(hours=1))
    # Back an hour after the 7-day reminder's time (within the 12 hours a late one still goes out).
    assert due_times(amy) == {7: SEVEN_DAYS, 2: TWO_DAYS, 0: MORNING_OF}
    assert reminders.send_due(now=SEVEN_DAYS + dt.timedelta(hours=1)) == {"sent": 1}


def test_a_digest_user_gets_one_email_for_the_morning(alice, amy, alpha, case, proceeding):  # noqa: ANN001
    other = f.make_case(alice, alpha, reference="ALP-002")
    assign(alice, case, alice, amy)
    assign(alice, other, alice, amy)
    hearing(alice, proceeding)
    hearing(alice, services.proceeding_create(actor=alice, case=other, kind="bond"),
            at=dt.datetime(2027, 3, 16, 13, 0, tzinfo=LA))
    amy.reminder_mode = ReminderMode.DIGEST
    amy.save()
    reminders.plan(now=SEVEN_DAYS - dt.timedelta(days=1))
    assert reminders.send_due(now=SEVEN_DAYS) == {"sent": 3}
    assert len(sent_to("alice@example.test")) == 2
    (digest,) = sent_to("amy@example.test")
    assert digest.subject == "Reminders: 2 events coming up"
    assert "ALP-001" in digest.body and "ALP-002" in digest.body
    assert Reminder.objects.filter(user=amy, in_digest=True).count() == 2


def test_the_organisation_time_zone_sets_the_hour(alice, alpha, case, proceeding):  # noqa: ANN001
    Organization.objects.filter(pk=alpha.pk).update(time_zone="America/New_York")
    assign(alice, case, alice)
    # 10 a.m. in New York on Tuesday 16 March 2027 (daylight time, UTC-4).
    hearing(alice, proceeding, at=dt.datetime(2027, 3, 16, 10, 0, tzinfo=ZoneInfo("America/New_York")))
    reminders.plan(now=SEVEN_DAYS - dt.timedelta(days=1))
    # 7 a.m. New York: 12:00 UTC on 9 March (standard, UTC-5), 11:00 UTC on 14 and 16 March.
    assert due_times(alice) == {7: dt.datetime(2027, 3, 9, 12, 0, tzinfo=UTC),
                                2: dt.datetime(2027, 3, 14, 11, 0, tzinfo=UTC),
                                0: dt.datetime(2027, 3, 16, 11, 0, tzinfo=UTC)}


def test_a_closed_family_is_not_reminded_of(alice, case, proceeding):  # noqa: ANN001
    assign(alice, case, alice)
    hearing(alice, proceeding)
    services.case_close(actor=alice, case=case, on=dt.date.today(), reason="Reunified and safe")
    assert reminders.plan(now=SEVEN_DAYS - dt.timedelta(days=1))["created"] == 0


def test_judges_review_deadlines_are_reminded_from_the_regulation(alice, case, mother, child):  # noqa: ANN001
    """Credible fear: the judge decides within 7 days of the negative finding (8 CFR 1003.42(e));
    reasonable fear: within 10 days of the referral (8 CFR 208.31(g))."""
    assign(alice, case, alice)
    today = dt.date.today()
    credible = services.fear_process_create(actor=alice, person=mother, kind="credible")
    credible = services.interview_outcome_record(actor=alice, process=credible, outcome="negative",
                                                 decided_on=today - dt.timedelta(days=1))
    services.ij_review_request(actor=alice, process=credible, requested_on=today)
    reasonable = services.fear_process_create(actor=alice, person=child, kind="reasonable")
    reasonable = services.interview_outcome_record(actor=alice, process=reasonable, outcome="negative",
                                                   decided_on=today - dt.timedelta(days=4))
    services.ij_review_request(actor=alice, process=CredibleFearProcess.objects.get(pk=reasonable.pk),
                               requested_on=today - dt.timedelta(days=3), referred_on=today - dt.timedelta(days=3))
    reminders.plan()
    days = dict(Reminder.objects.filter(days_before=0).values_list("event_id", "event_on"))
    assert days == {credible.pk: today + dt.timedelta(days=6), reasonable.pk: today + dt.timedelta(days=7)}
    assert set(Reminder.objects.values_list("event", flat=True)) == {"review_deadline"}


def test_a_sponsor_step_is_reminded_while_the_sponsor_is_in_vetting(alice, case):  # noqa: ANN001
    assign(alice, case, alice)
    due = dt.date.today() + dt.timedelta(days=5)
    sponsor = services.sponsor_create(actor=alice, case=case, name="Rosa Ejemplo", category="1", step_due_on=due)
    reminders.plan()
    assert set(Reminder.objects.filter(status="pending").values_list("event", "event_on", "days_before")) == {
        ("sponsor_step", due, 2), ("sponsor_step", due, 0)}
    services.sponsor_update(actor=alice, sponsor=sponsor, version=sponsor.version, status="approved")
    reminders.plan()
    assert not Reminder.objects.filter(status="pending").exists()


def test_a_mail_server_that_refuses_for_now_is_tried_again(alice, case, proceeding, smtp):  # noqa: ANN001
    assign(alice, case, alice)
    hearing(alice, proceeding)
    reminders.plan(now=SEVEN_DAYS - dt.timedelta(days=1))
    smtp.refuse["alice@example.test"] = "451 4.3.0 Try later"
    assert reminders.send_due(now=SEVEN_DAYS) == {"retry": 1}
    row = Reminder.objects.get(days_before=7)
    assert (row.status, row.attempts, row.last_error) == ("pending", 1, "SMTPRecipientsRefused 451")
    assert row.next_attempt_at is not None and not smtp.messages
    assert reminders.send_due(now=SEVEN_DAYS + dt.timedelta(seconds=30)) == {}  # waiting for its next attempt
    del smtp.refuse["alice@example.test"]
    assert reminders.send_due(now=row.next_attempt_at) == {"sent": 1}
    assert len(smtp.messages) == 1


def test_a_refused_address_is_not_tried_again(alice, case, proceeding, smtp):  # noqa: ANN001
    assign(alice, case, alice)
    hearing(alice, proceeding)
    reminders.plan(now=SEVEN_DAYS - dt.timedelta(days=1))
    smtp.refuse["alice@example.test"] = "550 5.1.1 No such user"
    assert reminders.send_due(now=SEVEN_DAYS) == {"failed": 1}
    assert Reminder.objects.get(days_before=7).status == "failed"
    assert reminders.send_due(now=SEVEN_DAYS + dt.timedelta(hours=1)) == {}


def test_a_spanish_speaker_is_reminded_in_spanish(alice, case, proceeding):  # noqa: ANN001
    alice.language = "es"
    alice.save()
    assign(alice, case, alice)
    hearing(alice, proceeding)
    reminders.plan(now=SEVEN_DAYS - dt.timedelta(days=1))
    reminders.send_due(now=SEVEN_DAYS)
    (message,) = mail.outbox
    assert message.subject == "Dentro de 7 días: Audiencia (ALP-001)"
    assert "dentro de 7 días, martes 16 de marzo de 2027 a las 10:00 (America/Los_Angeles)" in message.body
