"""The staff pages issue as many queries for many rows as for a few: the dashboard, the case list
(with filters and search) and the case page of a large family. Counts are taken in the steady state
(see tests/cases/test_query_counts.py), each named query by query."""
import re

import pytest
from django.db import connection
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cases import services
from cases.models import CaseEvent, CustodyEpisode, Hearing
from tests import factories as f
from tests.cases.helpers import days_ago
from tests.cases.test_query_counts import AUTH, LOG, queries, seed, seed_family

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

# Every staff page's header: the reader's memberships (the organisation switcher, the one they work
# in, which sections their role has), read once per request and shared with the view.
CHROME = 1

DASHBOARD = AUTH + CHROME + 7
#   open custody episodes over 30 days: the first 25 ids with how many there are in all; then
#   those 25 joined to person, case, facility, field office                          2
#   (each other panel is one query: its rows, each carrying the panel's total)
#   hearings in the next 14 days, joined to proceeding and case, with their total
#   requested judge reviews whose deadline falls in the next 14 days, with their total
#   sponsors pending, joined to the case, with their total
#   recently changed cases
#   which of those cases the reader may see PII on (one query for all)

CASE_LIST = AUTH + CHROME + 5
#   the page of cases (filters and search are EXISTS/IN clauses in it)
#   organisations, people, open custody episodes (prefetches)
#   which of the page's cases the reader may see PII on

# A later page of the list in an order other than newest reads its cursor family's key first (the
# cursor in the URL is only a case id):
CURSOR = 1

# The case page of a family the reader may change (alice, the advocate):
CASE_PAGE_WRITER = AUTH + CHROME + 18
#   the case, joined to organisation and port of entry; its people, open custody episodes,
#   all custody episodes (the history, each correctable), credible-fear processes, sponsors,
#   proceedings, hearings (prefetches)                                             8
#   every right the reader holds on the case (PII, change, share: one query)        1
#   the latest 50 history entries, joined to the actor; the facilities they name    2
#   (whom each entry concerns is named from the prefetched rows: no query)
#   notes; active shares (may the reader create actions there: from the header's
#   memberships, no query)                                                         2
#   the family's documents (whom each is about: the prefetched people)             1
#   the choices of the transition forms: facilities, courts, the organisation's members
#   to assign (people, sponsors, processes and proceedings come from the prefetched
#   family)                                                                        3
#   who is assigned to the family (readers who may share it)                        1
# A redacted reader (olga, organizer) gets no forms, notes, shares or assignments:
CASE_PAGE_REDACTED = CASE_PAGE_WRITER - 3 - 2 - 1
# A read-only collaborator with PII rights (bob, co-counsel) gets notes and shares, no forms:
CASE_PAGE_COLLABORATOR = CASE_PAGE_REDACTED + 2


# The new-family page: every facility once for all the members' choices; the references the
# organisation already used this year, for the suggestion.
NEW_FAMILY = AUTH + CHROME + 2


def page(user) -> Client:  # noqa: ANN001
    client = Client()
    client.force_login(user)
    return client


def test_dashboard_and_case_list_do_not_grow_with_cases(alice, olga, alpha, facility):
    clients = {"alice": page(alice), "olga": page(olga)}
    lists = [None, {"custodian_kind": "ice_detention", "detained_more_than": 30}]
    searches = [{"text": "Q-00"}, {"text": "ana"}, {"text": "sponsor 1"}]  # a reference, a name, a sponsor's name
    seed(alice, alpha, facility, 0, 3)
    few = {(who, str(p)): queries(c, "/cases/", p) for who, c in clients.items() for p in lists}
    few_home = {who: queries(c, "/") for who, c in clients.items()}
    few_names = {str(p): queries(clients["alice"], "/cases/", p, "post") for p in searches}

    seed(alice, alpha, facility, 3, 27)
    body = clients["alice"].get("/cases/").content.decode()
    assert body.count('class="case-row"') == 25, "a full page of cases"
    assert clients["alice"].get("/").content.decode().count('href="/cases/') > 60, "every section is full"
    many = {(who, str(p)): queries(c, "/cases/", p) for who, c in clients.items() for p in lists}
    many_home = {who: queries(c, "/") for who, c in clients.items()}
    many_names = {str(p): queries(clients["alice"], "/cases/", p, "post") for p in searches}

    # alice reads names (PII): each page ends with its access-log entry; olga reads none.
    assert few == many == {key: CASE_LIST + (LOG if key[0] == "alice" else 0) for key in many}
    assert few_home == many_home == {"alice": DASHBOARD + LOG, "olga": DASHBOARD}
    assert few_names == many_names == {str(p): CASE_LIST + LOG for p in searches}


def test_every_order_of_the_case_list_costs_the_same_for_few_and_many(alice, alpha, facility):
    client = page(alice)

    def counts() -> dict[str, int]:
        out = {}
        for sort in ("newest", "detained", "hearing", "changed", "reference"):
            out[sort] = queries(client, "/cases/", {"sort": sort})
            body = client.get("/cases/", {"sort": sort}).content.decode()
            later = re.search(r'href="\?([^"]+)" rel="next"', body)
            if later:
                out[f"{sort} page 2"] = queries(client, "/cases/?" + later.group(1).replace("&amp;", "&"))
        return out

    seed(alice, alpha, facility, 0, 3)
    few = counts()
    seed(alice, alpha, facility, 3, 57)
    many = counts()
    assert few == {s: CASE_LIST + LOG for s in ("newest", "detained", "hearing", "changed", "reference")}
    assert many == {**few, "newest page 2": CASE_LIST + LOG,
                    **{f"{s} page 2": CASE_LIST + CURSOR + LOG for s in ("detained", "hearing", "changed", "reference")}}


def test_case_page_does_not_grow_with_the_family(alice, olga, bob, alpha, facility, document_store):  # noqa: ANN001
    small = seed_family(alice, alpha, facility, 1, people=2)
    big = seed_family(alice, alpha, facility, 2, people=9)
    for person in big.people.order_by("pk")[:4]:  # documents, each about a member
        services.document_add(actor=alice, case=big, person=person, kind="identity_document",
                              upload=SimpleUploadedFile("id.pdf", b"%PDF-1.4\n%%EOF\n"))
    for i in range(60):  # more history than the page shows
        big.refresh_from_db()
        services.case_update(actor=alice, case=big, version=big.version, summary=f"Update {i}")
    otay = f.FacilityFactory(name="Otay Mesa Detention Center")
    for case in (small, big):  # a transfer among the latest history entries: the timeline names facilities
        services.share_create(actor=alice, case=case, access="view", user=bob)
        services.custody_transfer(actor=alice, person=case.people.order_by("pk")[0], kind="ice_detention",
                                  facility=otay, on=days_ago(1))
    assert CustodyEpisode.objects.filter(person__case=big).count() == 19
    assert Hearing.objects.filter(proceeding__case=big).count() == 4
    assert CaseEvent.objects.filter(case=big).count() > 100

    expected = {"alice": CASE_PAGE_WRITER + LOG, "olga": CASE_PAGE_REDACTED, "bob": CASE_PAGE_COLLABORATOR + LOG}
    for who, user in (("alice", alice), ("olga", olga), ("bob", bob)):
        client = page(user)
        assert queries(client, f"/cases/{small.pk}/") == queries(client, f"/cases/{big.pk}/") == expected[who], who


def test_new_family_page_does_not_grow_with_cases_facilities_or_members(alice, alpha, facility):
    client = page(alice)
    few = queries(client, "/cases/new/")
    seed(alice, alpha, facility, 0, 5)
    for i in range(20):
        f.FacilityFactory(name=f"Shelter {i}", kind="orr_shelter")
    assert queries(client, "/cases/new/") == few == NEW_FAMILY
    # Five members typed in (add another member re-renders them all): still one facility query.
    data = {"reference": "Q-NEW", "people-TOTAL_FORMS": "5", "people-INITIAL_FORMS": "0", "add_person": "1",
            **{f"people-{i}-first_name": f"Niño {i}" for i in range(5)}}
    with CaptureQueriesContext(connection) as ctx:
        assert client.post("/cases/new/", data).status_code == 200
    assert len(ctx.captured_queries) == AUTH + CHROME + 1  # the facilities, once (no suggestion: it was typed)


# An edit page: the family's rights (one query), the family with its rows (the case page's
# prefetches, without the history: 7), the row itself, and its form's choices from the family
# (facilities for a custody correction: one query); it shows PII, so the access log's entry.
EDIT_PAGE = {"person": AUTH + CHROME + 1 + 7 + 1 + LOG, "custody": AUTH + CHROME + 1 + 7 + 1 + 1 + LOG}
# Adding a facility: may the user add one (their legal memberships), the field offices to choose.
FACILITY_PAGE = AUTH + CHROME + 2


def test_edit_pages_do_not_grow_with_the_family(alice, alpha, facility):
    small = seed_family(alice, alpha, facility, 1, people=2)
    big = seed_family(alice, alpha, facility, 2, people=9)
    client = page(alice)
    for kind, rows in (("person", lambda c: c.people.order_by("pk")[0]),
                       ("custody", lambda c: CustodyEpisode.objects.filter(person__case=c).order_by("pk")[0])):
        counts = {c.reference: queries(client, f"/cases/{c.pk}/edit/{kind}/{rows(c).pk}/") for c in (small, big)}
        assert set(counts.values()) == {EDIT_PAGE[kind]}, (kind, counts)


def test_facility_page_does_not_grow_with_facilities(alice, facility):
    client = page(alice)
    few = queries(client, "/facilities/new/")
    for i in range(20):
        f.FacilityFactory(name=f"More {i}", field_office=f.FieldOfficeFactory(code=f"Q{chr(65 + i)}Z", name=f"O {i}"))
    assert queries(client, "/facilities/new/") == few == FACILITY_PAGE
