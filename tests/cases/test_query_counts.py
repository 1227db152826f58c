"""No N+1, proven: every list and detail endpoint issues the same number of queries for a few rows
as for many. Each expected count names its queries (after healthchecks' test_list_checks.py).

Counts are taken in the steady state: django-guardian caches the content type of a permission
codename per process (guardian.shortcuts._get_ct_cached), so the first request of a process that
names e.g. "cases.view_case" costs one more query. Every measurement is preceded by the same
request once, so the counts do not depend on which test ran first.
"""
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases import services
from cases.models import Case, CustodyEpisode, Facility, Hearing, Person
from tests import factories as f

from .helpers import client_for, days_ago

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

# Every authenticated request starts with these three.
AUTH = 3  # the session row; the user row; the authenticator that verified the session (django-otp)

# A response that shows families' PII ends with the access-log entry (accounts.audit): the entry,
# and the families it showed. On PostgreSQL both are one statement (two INSERTs in data-modifying
# CTEs); elsewhere an INSERT each (one for all the families). A reader without PII rights adds none.
LOG = 1 if connection.vendor == "postgresql" else 2

# GET /api/v1/cases/
CASE_LIST = AUTH + 4
#   the page of cases, filtered by the permission rows (user's own UNION ALL their groups')
#   their organisations (prefetch)
#   people of those cases with their open custody episode, its facility and field office (one
#     query of plain values, selectors.list_members; until issue 14 two prefetches)
#   which of the page's cases the reader may see PII on (one query for the page)

# GET /api/v1/cases/{id}/
CASE_DETAIL = AUTH + 8
#   the case, permission-filtered, joined to organisation and port of entry
#   its people (prefetch)
#   their open custody episodes, joined to facility and field office (prefetch)
#   their credible-fear processes (prefetch)
#   the case's sponsors (prefetch)
#   its proceedings, joined to the court (prefetch)
#   their hearings (prefetch)
#   may the reader see PII on this case

# GET /api/v1/people/
PEOPLE_LIST = AUTH + 3
#   the page of people in visible cases, joined to the case, with the duplicate-A-number EXISTS
#   their open custody episodes, joined to facility and field office (prefetch)
#   which of their cases the reader may see PII on

# GET /api/v1/cases/{id}/history/
HISTORY = AUTH + 3
#   the case, permission-filtered (no detail prefetches: the timeline does not show them)
#   the page of history entries, joined to the actor
#   may the reader see PII on this case

OTHER_LISTS = {
    # url: queries after AUTH
    "/api/v1/custody-episodes/": 1,  # episodes joined to person, facility, field office
    "/api/v1/sponsors/": 2 + LOG,  # sponsors; PII check for their cases; the log
    "/api/v1/credible-fear/": 1,  # processes joined to the person (for the case id)
    "/api/v1/proceedings/": 3 + LOG,  # proceedings; their hearings (prefetch); PII check; the log
    "/api/v1/hearings/": 1,  # hearings (joined to the proceeding)
    "/api/v1/notes/": 1 + LOG,  # notes in cases with PII rights, joined to the author; the log
    "/api/v1/shares/": 1,  # shares joined to user and organisation
}


def seed_family(actor, org, facility, n: int, people: int = 3) -> Case:  # noqa: ANN001
    """A family with people in several custodies, sponsors, a fear process, proceedings, hearings."""
    case = f.make_case(actor, org, reference=f"Q-{n:03d}")
    now = timezone.now()
    parent = f.make_person(actor, case, role="parent", first_name="Ana", a_number=f"2015{n:05d}")
    port = Facility.objects.filter(kind=Facility.Kind.PORT_OF_ENTRY).first() or f.FacilityFactory(
        name="San Ysidro Port of Entry", kind=Facility.Kind.PORT_OF_ENTRY)
    f.detain(actor, parent, facility=port, days_ago=45, kind="cbp")
    f.detain(actor, parent, facility=facility, days_ago=40)
    services.fear_process_create(actor=actor, person=parent, interview_on=days_ago(30))
    for i in range(people - 1):
        child = f.make_person(actor, case, role="child", first_name=f"Niño {i}")
        f.detain(actor, child, days_ago=44, kind="cbp")
        f.detain(actor, child, days_ago=42, kind="orr_shelter")
        services.sponsor_create(actor=actor, case=case, person=child, name=f"Sponsor {i}", category="2B")
    for kind in ("immigration_court", "family_court"):
        proceeding = services.proceeding_create(actor=actor, case=case, person=parent, kind=kind)
        for days in (5, 40):
            services.hearing_schedule(actor=actor, proceeding=proceeding, scheduled_at=now + dt.timedelta(days=days))
    services.note_create(actor=actor, case=case, body="Called the shelter.")
    services.consent_record(actor=actor, case=case, level="anonymous")
    return case


def seed(actor, org, facility, start: int, count: int) -> list[Case]:  # noqa: ANN001
    return [seed_family(actor, org, facility, n) for n in range(start, start + count)]


class Count(int):
    """A query count that shows its SQL when an assertion on it fails."""

    sql: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return f"{int(self)} queries:\n  " + "\n  ".join(q[:300] for q in self.sql)


def queries(client, url: str, params: dict | None = None, method: str = "get") -> Count:  # noqa: ANN001
    send = getattr(client, method)
    send(url, params)  # warm guardian's per-process content-type cache (see module doc)
    with CaptureQueriesContext(connection) as ctx:
        r = send(url, params)
    assert r.status_code == 200, r.content
    count = Count(len(ctx.captured_queries))
    count.sql = tuple(q["sql"] for q in ctx.captured_queries)
    return count


def page_size(client, url: str) -> int:  # noqa: ANN001
    return len(client.get(url, {"page_size": 200}).json()["results"])


@pytest.fixture
def bob_share_on(alice, bob):  # noqa: ANN001, ANN201
    return lambda case: services.share_create(actor=alice, case=case, access="view", user=bob)


def test_case_list_query_count_does_not_grow_with_cases(alice, olga, alpha, facility):
    alice_api, olga_api = client_for(alice), client_for(olga)
    seed(alice, alpha, facility, 0, 3)
    few = {who: queries(c, "/api/v1/cases/") for who, c in (("alice", alice_api), ("olga", olga_api))}
    filtered_few = queries(alice_api, "/api/v1/cases/", {"custodian_kind": "ice_detention", "detained_more_than": 30})

    seed(alice, alpha, facility, 3, 22)
    assert page_size(alice_api, "/api/v1/cases/") == 25
    many = {who: queries(c, "/api/v1/cases/") for who, c in (("alice", alice_api), ("olga", olga_api))}
    filtered_many = queries(alice_api, "/api/v1/cases/", {"custodian_kind": "ice_detention", "detained_more_than": 30})

    assert few == many == {"alice": CASE_LIST + LOG, "olga": CASE_LIST}
    assert filtered_few == filtered_many == CASE_LIST + LOG  # filters are EXISTS clauses in the page query


def test_case_detail_query_count_does_not_grow_with_the_family(alice, olga, alpha, facility):
    alice_api, olga_api = client_for(alice), client_for(olga)
    small = seed_family(alice, alpha, facility, 1, people=1)
    big = seed_family(alice, alpha, facility, 2, people=9)
    assert big.people.count() == 9 and Hearing.objects.filter(proceeding__case=big).count() == 4
    assert CustodyEpisode.objects.filter(person__case=big).count() == 18

    for client, expected in ((alice_api, CASE_DETAIL + LOG), (olga_api, CASE_DETAIL)):
        assert queries(client, f"/api/v1/cases/{small.pk}/") == expected
        assert queries(client, f"/api/v1/cases/{big.pk}/") == expected


def test_people_list_query_count_does_not_grow_with_people(alice, olga, alpha, facility):
    alice_api, olga_api = client_for(alice), client_for(olga)
    seed(alice, alpha, facility, 0, 3)
    few = (queries(alice_api, "/api/v1/people/"), queries(olga_api, "/api/v1/people/"))

    seed(alice, alpha, facility, 3, 22)
    assert page_size(alice_api, "/api/v1/people/") == Person.objects.count() == 75
    many = (queries(alice_api, "/api/v1/people/"), queries(olga_api, "/api/v1/people/"))

    assert few == many == (PEOPLE_LIST + LOG, PEOPLE_LIST)


def test_history_query_count_does_not_grow_with_entries(alice, alpha, facility):
    alice_api = client_for(alice)
    case = seed_family(alice, alpha, facility, 1)
    url = f"/api/v1/cases/{case.pk}/history/"
    few = queries(alice_api, url)
    for i in range(20):
        case.refresh_from_db()
        services.case_update(actor=alice, case=case, version=case.version, summary=f"Update {i}")
    many = queries(alice_api, url)
    assert few == many == HISTORY + LOG


def test_other_case_data_lists_do_not_grow_with_rows(alice, bob, alpha, facility, bob_share_on):
    alice_api = client_for(alice)
    for case in seed(alice, alpha, facility, 0, 3):
        bob_share_on(case)
    few = {url: queries(alice_api, url) for url in OTHER_LISTS}

    for case in seed(alice, alpha, facility, 3, 12):
        bob_share_on(case)
    assert page_size(alice_api, "/api/v1/hearings/") == 60
    many = {url: queries(alice_api, url) for url in OTHER_LISTS}

    assert few == many == {url: AUTH + n for url, n in OTHER_LISTS.items()}
