"""Reminders end to end (issue 13): a real Celery worker with its beat on Redis, PostgreSQL, and a
real SMTP server on loopback that counts what it takes.

A hearing 7 days out reminds each of its three assigned advocates exactly once, although the worker
is killed (SIGKILL, nothing cleans up) while the mail server holds the first reminder and a new
worker takes over; then rescheduling the hearing moves its later reminders, and cancelling it
removes them - all through the beat, with nobody calling the planner.
"""
import datetime as dt
import threading
import time
from collections import Counter

import pytest
from django.utils import timezone

from accounts.roles import Role
from cases import services
from cases.models import Hearing, Reminder
from tests import factories as f
from tests.advocacy.e2e.conftest import wait_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

ADVOCATES = ["ana.adv@example.test", "ben.adv@example.test", "cy.adv@example.test"]


@pytest.fixture
def reminder_env() -> dict[str, str]:
    # Reminders at midnight, so the week-ahead one of a hearing 7 days out is due whatever the hour
    # of the run (and still within the hours a late reminder goes out); the beat looks every second.
    return {"REMINDER_HOUR": "0", "REMINDER_LATE_HOURS": "30", "REMINDER_EVERY_SECONDS": "1",
            "REMINDER_PLAN_EVERY_SECONDS": "1"}


def test_a_hearing_seven_days_out_reminds_each_advocate_once_through_a_worker_crash(
        workers, smtp, reminder_env, alpha):  # noqa: ANN001
    lead = f.member(alpha, Role.ADVOCATE, ADVOCATES[0])
    team = [lead] + [f.member(alpha, Role.ADVOCATE, email) for email in ADVOCATES[1:]]
    f.member(alpha, Role.ADVOCATE, "unassigned.adv@example.test")
    case = f.make_case(lead, alpha, reference="E2E-REM-1")
    f.make_person(lead, case, first_name="Ana")
    for user in team:
        services.assignment_create(actor=lead, case=case, user=user)
    zone = alpha.zone
    day = timezone.now().astimezone(zone).date() + dt.timedelta(days=7)
    proceeding = services.proceeding_create(actor=lead, case=case, kind="immigration_court")
    hearing = services.hearing_schedule(actor=lead, proceeding=proceeding,
                                        scheduled_at=dt.datetime.combine(day, dt.time(10), tzinfo=zone))

    first = workers(**reminder_env)
    killed = threading.Event()

    def kill_on_first(_recipients: list[str]) -> None:
        # The server has the whole first message and has not answered yet: the worker dies waiting.
        if not killed.is_set():
            first.kill()
            killed.set()

    smtp.on_message = kill_on_first
    wait_until(killed.is_set, timeout=90, what="the first reminder to reach the mail server")
    assert first.process.poll() is not None
    smtp.on_message = None
    workers(**reminder_env)
    smtp.wait_for(3, timeout=90)
    week = Reminder.objects.filter(days_before=7)
    wait_until(lambda: week.filter(status="sent").count() == 3, timeout=60, what="three reminders marked sent")
    # Well past a dead worker's claim (a 5 s send and 2 s more) and many beats: nothing more comes.
    time.sleep(12)
    received = Counter(address for m in smtp.messages for address in m.rcpt_tos)
    assert received == Counter(ADVOCATES)
    for message in smtp.messages:
        assert message.message["Subject"] == "In 7 days: Hearing (E2E-REM-1)"
        assert "Ana" not in message.text

    # Moved two days later: the waiting reminders of the old day go, the new day's come.
    hearing = Hearing.objects.get(pk=hearing.pk)
    services.hearing_update(actor=lead, hearing=hearing, version=hearing.version,
                            scheduled_at=dt.datetime.combine(day + dt.timedelta(days=2), dt.time(10), tzinfo=zone))
    new_day = Reminder.objects.filter(event_on=day + dt.timedelta(days=2), status="pending")
    wait_until(lambda: new_day.count() == 9, timeout=60, what="the new day's reminders")
    assert set(Reminder.objects.filter(event_on=day).values_list("days_before", "status")) == {
        (7, "sent"), (2, "cancelled"), (0, "cancelled")}
    assert sorted(new_day.values_list("days_before", flat=True)) == [0, 0, 0, 2, 2, 2, 7, 7, 7]

    # Cancelled: nothing waits any more.
    hearing = Hearing.objects.get(pk=hearing.pk)
    services.hearing_update(actor=lead, hearing=hearing, version=hearing.version, status=Hearing.Status.CANCELLED)
    wait_until(lambda: not Reminder.objects.filter(status="pending").exists(), timeout=60,
               what="the cancelled hearing's reminders to go")
    assert len(smtp.messages) == 3
