"""The reminders page: each user chooses one email per reminder or a morning digest, and may pause
them; an organisation's admin sets its time zone and sees the families with an event coming that
nobody of its legal staff is assigned to. Tried by an advocate, an admin, a volunteer, a read-only
collaborator of another organisation, an outsider and an anonymous visitor."""
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Organization, User
from accounts.roles import Role
from cases import services
from cases.models import Reminder
from tests import factories as f
from tests.cases.test_query_counts import AUTH

URL = "/accounts/reminders/"


@pytest.fixture
def upcoming(alice, case):  # noqa: ANN001, ANN201
    """A hearing of `case` five days ahead, nobody of the legal staff assigned."""
    proceeding = services.proceeding_create(actor=alice, case=case, kind="immigration_court")
    return services.hearing_schedule(actor=alice, proceeding=proceeding,
                                     scheduled_at=timezone.now() + dt.timedelta(days=5))


def test_anonymous_is_sent_to_sign_in(page_for):  # noqa: ANN001
    r = page_for("anonymous").get(URL)
    assert r.status_code == 302 and r["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("who", ["alice", "victor", "bob", "charlie"])
def test_every_member_chooses_for_themselves(page_for, who, request, upcoming):  # noqa: ANN001
    client = page_for(who)
    r = client.get(URL)
    assert r.status_code == 200
    assert "How you are reminded" in r.content.decode()
    assert "nobody assigned" not in r.content.decode()  # the admin's list only
    r = client.post(URL, {"do": "reminders", "mode": "digest", "paused": "on"})
    assert r.status_code == 302
    user = User.objects.get(pk=request.getfixturevalue(who).pk)
    assert (user.reminder_mode, user.reminders_paused) == ("digest", True)


def test_pausing_cancels_the_waiting_reminders_and_resuming_plans_them_again(page_for, alice, upcoming):  # noqa: ANN001
    from cases.services import reminders

    reminders.plan()
    waiting = Reminder.objects.filter(user=alice, status="pending")
    assert waiting.count() == 2  # two days before and the morning of (the week-ahead one has passed)
    page_for("alice").post(URL, {"do": "reminders", "mode": "individual", "paused": "on"})
    assert not waiting.exists()
    page_for("alice").post(URL, {"do": "reminders", "mode": "individual"})
    assert waiting.count() == 2


def test_a_bad_choice_is_refused_and_changes_nothing(page_for, alice):  # noqa: ANN001
    r = page_for("alice").post(URL, {"do": "reminders", "mode": "hourly"})
    assert r.status_code == 400
    assert "Select a valid choice" in r.content.decode()
    alice.refresh_from_db()
    assert (alice.reminder_mode, alice.reminders_paused) == ("individual", False)


@pytest.fixture
def gina(gamma):  # noqa: ANN001, ANN201
    """Gamma Justice's admin."""
    return f.member(gamma, Role.ADMIN, "gina@example.test")


def test_the_admin_sees_the_families_nobody_is_assigned_to(page_for, alice, adam, gina, case, upcoming):  # noqa: ANN001
    page = page_for("adam").get(URL).content.decode()
    assert "nobody assigned" in page and "ALP-001" in page
    assert "ALP-001" not in page_for("gina").get(URL).content.decode()  # another organisation's admin
    services.assignment_create(actor=alice, case=case, user=alice)
    assert "ALP-001" not in page_for("adam").get(URL).content.decode()


def test_the_admin_sets_the_time_zone(page_for, alpha):  # noqa: ANN001
    r = page_for("adam").post(URL, {"do": "time-zone", "time_zone": "America/Chicago"})
    assert r.status_code == 302
    assert Organization.objects.get(pk=alpha.pk).time_zone == "America/Chicago"
    r = page_for("adam").post(URL, {"do": "time-zone", "time_zone": "Mars/Olympus_Mons"})
    assert r.status_code == 400 and "Select a valid choice" in r.content.decode()
    assert Organization.objects.get(pk=alpha.pk).time_zone == "America/Chicago"


@pytest.mark.parametrize("who", ["alice", "victor", "charlie"])
def test_only_an_admin_sets_the_time_zone(page_for, who, alpha, gamma):  # noqa: ANN001
    r = page_for(who).post(URL, {"do": "time-zone", "time_zone": "America/Chicago"})
    assert r.status_code == 400
    assert set(Organization.objects.values_list("time_zone", flat=True)) == {"America/Los_Angeles"}


def test_the_page_reads_in_a_fixed_number_of_queries(page_for, alice, adam, alpha, upcoming):  # noqa: ANN001
    from cases.services import reminders

    for n in range(4):  # more families, more reminders: the same queries
        case = f.make_case(alice, alpha, reference=f"ALP-10{n}")
        proceeding = services.proceeding_create(actor=alice, case=case, kind="bond")
        services.hearing_schedule(actor=alice, proceeding=proceeding, scheduled_at=timezone.now() + dt.timedelta(days=3))
    reminders.plan()
    client = page_for("adam")
    client.get(URL)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(URL).status_code == 200
    # AUTH; the reader's memberships (page header); the admin's time zone is read with them;
    # the user's waiting reminders with their families; their calendar address; the
    # organisation's hearings, judges' reviews and sponsor steps in the coming days (3); its legal
    # staff; their assignments; the families without one.
    assert len(ctx.captured_queries) == AUTH + 1 + 1 + 1 + 3 + 1 + 1 + 1, [q["sql"] for q in ctx.captured_queries]
