"""The families list in the order an advocate works in: longest detained first (the 30-day letters),
next hearing first (the week's court dates), recently changed, by reference, or newest (the default).
Families without the key (nobody detained now, no hearing ahead) come last; ties fall to the newest.
The expected orders below are counted by hand from the days and dates each test sets up."""
import datetime as dt
import re

import pytest
from django.utils import timezone

from cases import selectors, services
from cases.models import Case
from tests import factories as f

from .test_case_pages import html

pytestmark = pytest.mark.django_db


def references(body: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/cases/\d+/">([A-Z0-9-]+)</a>', body)


def walk(client, url: str) -> tuple[list[str], list[str]]:  # noqa: ANN001
    """Every reference the list shows from `url` on, in order, following the "more" link; and the
    links followed."""
    refs, links = [], []
    while url:
        response = client.get(url)
        assert response.status_code == 200, url
        body = html(response)
        refs += references(body)
        more = re.search(r'<a class="button secondary" href="(\?[^"]+)" rel="next">', body)
        url = f"/cases/{more.group(1).replace('&amp;', '&')}" if more else None
        if url:
            links.append(url)
    return refs, links


def pages(user, sort: str, size: int) -> list[list[str]]:  # noqa: ANN001
    """The list's pages of `size` in `sort` order, each starting after the last one's final family."""
    out, after = [], None
    while True:
        page, more = selectors.sorted_page(selectors.case_list_page(user=user), sort=sort, after=after, size=size)
        out.append([c.reference for c in page])
        if not more:
            return out
        after = page[-1].pk


@pytest.fixture
def detained_families(alice, alpha, facility):  # noqa: ANN001, ANN201
    """Seven families, created in this order (so the later is the newer):
    A  a parent in ICE detention for 12 days
    B  a parent held by CBP 61 days ago, moved to ICE 60 days ago: one detention of 61 days
    C  a parent in ICE for 10 days and another for 70: the family's longest is 70
    D  a parent detained 200 days ago and released on parole 5 days ago: nobody detained now
    E  nothing recorded
    F  a parent in ICE for 30 days
    G  a parent in ICE for 12 days (as A; G is newer)"""
    station = f.FacilityFactory(name="Chula Vista Station", kind="cbp_station")

    def family(ref: str) -> Case:
        return f.make_case(alice, alpha, reference=ref)

    f.detain(alice, f.make_person(alice, family("S-A")), facility=facility, days_ago=12)
    b = f.make_person(alice, family("S-B"))
    f.detain(alice, b, facility=station, days_ago=61, kind="cbp")
    f.detain(alice, b, facility=facility, days_ago=60)
    c = family("S-C")
    f.detain(alice, f.make_person(alice, c, first_name="Luis"), facility=facility, days_ago=10)
    f.detain(alice, f.make_person(alice, c, first_name="Rosa"), facility=facility, days_ago=70)
    d = f.make_person(alice, family("S-D"))
    f.detain(alice, d, facility=facility, days_ago=200)
    services.custody_transfer(actor=alice, person=d, kind="released", release_type="parole",
                              on=timezone.localdate() - dt.timedelta(days=5))
    family("S-E")
    f.detain(alice, f.make_person(alice, family("S-F")), facility=facility, days_ago=30)
    f.detain(alice, f.make_person(alice, family("S-G")), facility=facility, days_ago=12)


LONGEST_DETAINED = ["S-C", "S-B", "S-F", "S-G", "S-A", "S-E", "S-D"]


def test_longest_detained_first_counts_the_whole_detention_and_puts_the_undetained_last(
        detained_families, alice, page_for):  # noqa: ANN001
    body = html(page_for("alice").get("/cases/?sort=detained"))
    assert references(body) == LONGEST_DETAINED
    assert '<th scope="col" aria-sort="descending">' in body
    assert '<option value="detained" selected>' in body


def test_every_page_boundary_continues_where_the_last_page_ended(detained_families, alice):  # noqa: ANN001
    # Pages of two cross every kind of boundary: between two keys (B|F), inside a tie (G|A), from the
    # last detained family into those without (A|E), and inside those (E|D).
    assert pages(alice, "detained", 2) == [["S-C", "S-B"], ["S-F", "S-G"], ["S-A", "S-E"], ["S-D"]]
    for size in (1, 3, 7):
        assert sum(pages(alice, "detained", size), []) == LONGEST_DETAINED, size


def test_next_hearing_first_ignores_past_and_cancelled_hearings(alice, alpha):  # noqa: ANN001
    now = timezone.now()

    def with_hearings(ref: str, *days: int, cancel: bool = False) -> None:
        case = f.make_case(alice, alpha, reference=ref)
        proceeding = services.proceeding_create(actor=alice, case=case, kind="immigration_court", docket=f"D-{ref}")
        for d in days:
            hearing = services.hearing_schedule(actor=alice, proceeding=proceeding,
                                                scheduled_at=now + dt.timedelta(days=d))
            if cancel:
                services.hearing_update(actor=alice, hearing=hearing, version=hearing.version, status="cancelled")

    with_hearings("H-A", 20)
    with_hearings("H-B", -3, 9)          # the past hearing is not next: 9 days
    with_hearings("H-C", 2, cancel=True)  # cancelled: no hearing ahead
    with_hearings("H-D", 30, 4)           # the sooner of two: 4 days
    with_hearings("H-E")                  # a proceeding, no hearing yet
    with_hearings("H-F", -10)             # only a past hearing

    expected = ["H-D", "H-B", "H-A", "H-F", "H-E", "H-C"]  # 4, 9, 20 days; then none, newest first
    assert pages(alice, "hearing", 25) == [expected]
    assert sum(pages(alice, "hearing", 2), []) == expected


def test_reference_recently_changed_and_newest(alice, alpha):  # noqa: ANN001
    for ref in ("R-B", "R-C", "R-A"):
        f.make_case(alice, alpha, reference=ref)
    b = Case.objects.get(reference="R-B")
    services.case_update(actor=alice, case=b, version=b.version, summary="New custody news.")
    assert pages(alice, "reference", 2) == [["R-A", "R-B"], ["R-C"]]
    assert sum(pages(alice, "changed", 1), []) == ["R-B", "R-A", "R-C"]
    assert sum(pages(alice, "newest", 2), []) == ["R-A", "R-C", "R-B"]


def test_the_next_page_link_keeps_the_order_and_filters_and_carries_only_a_case_id(alice, alpha, facility, page_for):  # noqa: ANN001
    # 27 families detained 31..57 days (DET-00 the shortest) and 3 not detained: 30 in all.
    for n in range(27):
        case = f.make_case(alice, alpha, reference=f"DET-{n:02d}")
        f.detain(alice, f.make_person(alice, case, first_name=f"P{n}"), facility=facility, days_ago=31 + n)
    for n in range(3):
        f.make_case(alice, alpha, reference=f"FREE-{n}")
    client = page_for("alice")

    refs, links = walk(client, "/cases/?sort=detained")
    assert refs == [f"DET-{n:02d}" for n in range(26, -1, -1)] + ["FREE-2", "FREE-1", "FREE-0"]
    assert len(links) == 1
    assert re.fullmatch(r"/cases/\?sort=detained&before=\d+", links[0]), links[0]

    refs, links = walk(client, "/cases/?detained_more_than=30&sort=detained")
    assert refs == [f"DET-{n:02d}" for n in range(26, -1, -1)]
    assert re.fullmatch(r"/cases/\?detained_more_than=30&sort=detained&before=\d+", links[0]), links[0]
    assert "More families" in html(client.get("/cases/?sort=detained"))


def test_a_search_keeps_the_chosen_order(alice, alpha, facility, page_for):  # noqa: ANN001
    for ref, days in (("Q-1", 5), ("Q-2", 50), ("Q-3", 20)):
        f.detain(alice, f.make_person(alice, f.make_case(alice, alpha, reference=ref)), facility=facility, days_ago=days)
    body = html(page_for("alice").post("/cases/", {"text": "Q", "sort": "detained"}))
    assert references(body) == ["Q-2", "Q-3", "Q-1"]
    assert '<input type="hidden" name="sort" value="detained">' in body


def test_an_unknown_order_is_refused_plainly(alice, page_for):  # noqa: ANN001
    response = page_for("alice").get("/cases/?sort=name")
    assert response.status_code == 400
    assert "Unknown order" in response.content.decode()


def test_order_shows_each_reader_only_what_they_may_see(detained_families, alice, bob, vera, gamma_case, page_for):  # noqa: ANN001
    # Owner: alice, alpha's advocate. Read-only co-counsel: bob (beta), shared S-B and S-G.
    # Volunteer: vera, assigned to S-F only. Outsider: charlie (gamma), who has his own family.
    for ref in ("S-B", "S-G"):
        services.share_create(actor=alice, case=Case.objects.get(reference=ref), access="view", user=bob)
    services.assignment_create(actor=alice, case=Case.objects.get(reference="S-F"), user=vera)
    expected = {"alice": LONGEST_DETAINED, "bob": ["S-B", "S-G"], "vera": ["S-F"],
                "charlie": [gamma_case.reference]}
    for who, refs in expected.items():
        response = page_for(who).get("/cases/?sort=detained")
        assert response.status_code == 200, who
        assert references(html(response)) == refs, who
    response = page_for("anonymous").get("/cases/?sort=detained")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_cursor_on_a_family_the_reader_may_not_see_starts_from_the_top(detained_families, gamma_case, page_for):  # noqa: ANN001
    # charlie passes alpha's longest-detained family as the cursor: nothing of alpha's order leaks,
    # he sees his own list from the top.
    c = Case.objects.get(reference="S-C")
    body = html(page_for("charlie").get(f"/cases/?sort=detained&before={c.pk}"))
    assert references(body) == [gamma_case.reference]
