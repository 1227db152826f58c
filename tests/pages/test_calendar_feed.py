"""The calendar feed (issue 13): each user's hearings and deadlines at a secret address, as RFC
5545 iCalendar that a real parser (the `icalendar` package) reads; the families are those the user
may see, and the events carry the reference, the kind, the court and the time - never a name.
Tried by the owner's advocate, a volunteer assigned to the family, an unassigned volunteer, the
read-only collaborator and an outsider."""
import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from icalendar import Calendar

from accounts.models import AccessEvent, User
from cases import services
from cases.models import CalendarFeed, Case, Hearing
from cases.services import calendar
from tests import factories as f
from tests.cases.test_query_counts import LOG

PAGE = "/accounts/reminders/"
SECRETS = ("Ana", "Lucía", "Ejemplo", "201-555-019", "201555019", "Calle", "marta@")


@pytest.fixture
def court(db):  # noqa: ANN001, ANN201
    return f.FacilityFactory(name="San Diego Immigration Court", kind="court", field_office=None)


@pytest.fixture
def dated(alice, case, court):  # noqa: ANN001, ANN201
    """`case` (ALP-001) with a hearing in 10 days before the San Diego court, a requested review of a
    negative credible-fear finding made yesterday (its deadline in 6 days) and a sponsor step due
    in 4 days."""
    proceeding = services.proceeding_create(actor=alice, case=case, kind="immigration_court", court=court,
                                            docket="SD-DOCKET-4411")
    hearing = services.hearing_schedule(actor=alice, proceeding=proceeding, purpose="Master calendar for Ana",
                                        scheduled_at=timezone.now().replace(microsecond=0) + dt.timedelta(days=10))
    mother = case.people.get(role="parent")
    process = services.fear_process_create(actor=alice, person=mother, kind="credible")
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    process = services.interview_outcome_record(actor=alice, process=process, outcome="negative", decided_on=yesterday)
    services.ij_review_request(actor=alice, process=process, requested_on=timezone.localdate())
    services.sponsor_create(actor=alice, case=case, name="Marta Ejemplo", category="2B",
                            step_due_on=timezone.localdate() + dt.timedelta(days=4), contact="marta@example.test")
    return hearing


@pytest.fixture
def gamma_hearing(charlie, gamma):  # noqa: ANN001, ANN201
    """Charlie's own family with a hearing, so an outsider's feed is never empty by accident."""
    case = f.make_case(charlie, gamma, reference="GAM-001")
    proceeding = services.proceeding_create(actor=charlie, case=case, kind="bond")
    return services.hearing_schedule(actor=charlie, proceeding=proceeding,
                                     scheduled_at=timezone.now() + dt.timedelta(days=3))


def feed_path(user: User) -> str:
    return re.sub(r"^https?://[^/]+", "", calendar.feed_url(calendar.feed_issue(user=user)))


def fetch(path: str) -> Calendar:
    r = Client().get(path)  # a calendar app: no session
    assert r.status_code == 200, r.status_code
    assert r["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(r.content)


def events(cal: Calendar) -> dict[str, object]:
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


def test_the_feed_is_valid_icalendar_with_stable_uids(alice, case, dated):  # noqa: ANN001
    path = feed_path(alice)
    raw = Client().get(path).content
    # RFC 5545 3.1: lines end in CRLF and are at most 75 octets; 3.6: a calendar has PRODID and
    # VERSION 2.0; 3.6.1: every event has UID, DTSTAMP and (no METHOD here) DTSTART.
    assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    cal = Calendar.from_ical(raw)
    assert cal.name == "VCALENDAR" and str(cal["VERSION"]) == "2.0" and cal["PRODID"]
    found = events(cal)
    for event in found.values():
        for prop in ("UID", "DTSTAMP", "DTSTART", "SUMMARY"):
            assert prop in event
    host = "testserver"
    mother = case.people.get(role="parent")
    process = mother.fear_processes.get()
    sponsor = case.sponsors.get()
    assert set(found) == {f"hearing-{dated.pk}@{host}", f"review-{process.pk}@{host}", f"sponsor-step-{sponsor.pk}@{host}"}
    hearing = found[f"hearing-{dated.pk}@{host}"]
    assert str(hearing["SUMMARY"]) == "Hearing · ALP-001"
    assert str(hearing["LOCATION"]) == "San Diego Immigration Court"
    assert hearing.decoded("DTSTART") == dated.scheduled_at
    assert hearing.decoded("DTEND") == dated.scheduled_at + dt.timedelta(hours=1)
    assert str(hearing["URL"]) == f"http://testserver/cases/{case.pk}/"
    review = found[f"review-{process.pk}@{host}"]
    # The credible-fear review is decided within 7 days of the negative finding (8 CFR 1003.42(e)).
    assert review.decoded("DTSTART") == timezone.localdate() + dt.timedelta(days=6)
    assert str(review["SUMMARY"]) == "Judge's review deadline · ALP-001"
    assert found[f"sponsor-step-{sponsor.pk}@{host}"].decoded("DTSTART") == timezone.localdate() + dt.timedelta(days=4)
    text = raw.decode()
    for secret in (*SECRETS, "SD-DOCKET-4411", "Master calendar"):
        assert secret not in text


def test_a_moved_hearing_keeps_its_uid_and_a_cancelled_one_says_so(alice, case, dated):  # noqa: ANN001
    path = feed_path(alice)
    uid = f"hearing-{dated.pk}@testserver"
    before = events(fetch(path))[uid]
    later = dated.scheduled_at + dt.timedelta(days=2)
    moved = services.hearing_update(actor=alice, hearing=Hearing.objects.get(pk=dated.pk), version=dated.version,
                                    scheduled_at=later)
    after = events(fetch(path))[uid]
    assert after.decoded("DTSTART") == later
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
    services.hearing_update(actor=alice, hearing=Hearing.objects.get(pk=dated.pk), version=moved.version,
                            status=Hearing.Status.CANCELLED)
    assert str(events(fetch(path))[uid]["STATUS"]) == "CANCELLED"


@pytest.mark.parametrize(("who", "sees"), [
    ("alice", True),     # the owning organisation's advocate
    ("victor", True),    # a volunteer assigned to the family (reads it, redacted)
    ("bob", True),       # the read-only collaborator it is shared with
    ("vera", False),     # a volunteer with no assignment
    ("charlie", False),  # an outsider
])
def test_the_feed_lists_only_the_families_the_user_may_see(who, sees, request, dated, gamma_hearing,
                                                          shared_with_bob, victor):  # noqa: ANN001
    user = request.getfixturevalue(who)
    found = events(fetch(feed_path(user)))
    summaries = " ".join(str(e["SUMMARY"]) for e in found.values())
    assert ("ALP-001" in summaries) is sees
    assert ("GAM-001" in summaries) is (who == "charlie")
    if not sees:
        assert f"hearing-{dated.pk}@testserver" not in found


def test_a_replaced_address_answers_404_and_an_ended_one_too(page_for, alice, dated):  # noqa: ANN001
    client = page_for("alice")
    assert client.post(PAGE, {"do": "calendar-issue"}).status_code == 302
    old = re.sub(r"^https?://[^/]+", "", calendar.feed_url(CalendarFeed.objects.get(user=alice)))
    page = client.get(PAGE).content.decode()
    assert old in page  # the page shows the address
    assert Client().get(old).status_code == 200
    client.post(PAGE, {"do": "calendar-issue"})
    new = re.sub(r"^https?://[^/]+", "", calendar.feed_url(CalendarFeed.objects.get(user=alice)))
    assert new != old
    assert Client().get(old).status_code == 404
    assert Client().get(new).status_code == 200
    client.post(PAGE, {"do": "calendar-revoke"})
    assert Client().get(new).status_code == 404
    assert not CalendarFeed.objects.exists()


def test_unknown_addresses_and_departed_users_get_404(alice, dated):  # noqa: ANN001
    path = feed_path(alice)
    assert Client().get(path.replace("/feed.ics", "x/feed.ics")).status_code == 404
    assert Client().get("/calendar/not-a-secret/feed.ics").status_code == 404
    User.objects.filter(pk=alice.pk).update(is_active=False)
    assert Client().get(path).status_code == 404


def test_the_address_is_the_users_own(page_for, alice, bob):  # noqa: ANN001
    page_for("bob").post(PAGE, {"do": "calendar-issue"})
    page_for("alice").post(PAGE, {"do": "calendar-revoke"})  # alice has none: bob's is untouched
    assert CalendarFeed.objects.filter(user=bob).exists()


def test_each_read_is_in_the_access_log_with_the_families_it_listed(alice, case, dated):  # noqa: ANN001
    path = feed_path(alice)
    Client().get(path)
    read = AccessEvent.objects.filter(kind="export", via="feed").get()
    assert (read.user_id, read.what) == (alice.pk, "calendar feed")
    assert list(read.cases.values_list("case_id", flat=True)) == [case.pk]
    assert AccessEvent.objects.filter(kind="token", via="feed", what="calendar address issued").count() == 1


def test_a_closed_family_leaves_the_feed(alice, case, dated):  # noqa: ANN001
    path = feed_path(alice)
    services.case_close(actor=alice, case=Case.objects.get(pk=case.pk), on=timezone.localdate(), reason="Reunified")
    assert events(fetch(path)) == {}


def test_the_feed_reads_in_a_fixed_number_of_queries(alice, alpha, court, dated):  # noqa: ANN001
    for n in range(5):
        family = f.make_case(alice, alpha, reference=f"ALP-20{n}")
        proceeding = services.proceeding_create(actor=alice, case=family, kind="bond", court=court)
        for days in (3, 9):
            services.hearing_schedule(actor=alice, proceeding=proceeding,
                                      scheduled_at=timezone.now() + dt.timedelta(days=days))
    path = feed_path(alice)
    Client().get(path)
    with CaptureQueriesContext(connection) as ctx:
        assert len(events(fetch(path))) == 13
    # The feed by its secret, with its user; the hearings with their families and courts; the
    # judges' reviews; the sponsor steps; the feed's last read; the access-log entry and its families
    # (LOG: one statement on PostgreSQL, two elsewhere).
    assert len(ctx.captured_queries) == 5 + LOG, [q["sql"] for q in ctx.captured_queries]
