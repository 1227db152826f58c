"""Each dashboard panel shows its first 25 rows, how many there are in all, and a link to the case
list filtered to the same question - which then lists every one of those families."""
import re

import pytest

from cases import services
from tests import factories as f
from tests.cases.helpers import days_ago

from .test_case_pages import html

pytestmark = pytest.mark.django_db


def panel(body: str, name: str) -> str:
    return body.split(f'id="h-{name}"')[1].split("</section>")[0]


def see_all(panel_html: str) -> str:
    return re.search(r'<a href="(/cases/\?[^"]+)">See all their families</a>', panel_html).group(1).replace("&amp;", "&")


def listed_references(client, url: str) -> set[str]:  # noqa: ANN001
    """Every reference the list shows at `url`, following "Older families" to the end."""
    refs: set[str] = set()
    while url:
        body = html(client.get(url))
        refs |= set(re.findall(r'<a href="/cases/\d+/">([A-Z0-9-]+)</a>', body))
        more = re.search(r'<a class="button secondary" href="(\?[^"]+)" rel="next">', body)
        url = f"/cases/{more.group(1).replace('&amp;', '&')}" if more else None
    return refs


def test_27_people_detained_over_30_days_show_25_the_total_and_a_link_to_all(alice, alpha, facility, page_for):  # noqa: ANN001
    for n in range(27):
        case = f.make_case(alice, alpha, reference=f"DET-{n:02d}")
        f.detain(alice, f.make_person(alice, case, first_name=f"P{n}"), facility=facility, days_ago=31 + n)
    client = page_for("alice")
    detained = panel(html(client.get("/")), "detained")
    assert detained.count("<li>") == 25
    assert "27 in all" in detained
    url = see_all(detained)
    assert url == "/cases/?detained_more_than=30&status=open"
    assert listed_references(client, url) == {f"DET-{n:02d}" for n in range(27)}


def test_a_review_due_in_9_days_is_on_the_dashboard_and_behind_its_link(alice, case, page_for):  # noqa: ANN001
    mother = case.people.get(role="parent")
    p = services.fear_process_create(actor=alice, person=mother, kind="reasonable", interview_on=days_ago(3))
    p = services.interview_outcome_record(actor=alice, process=p, outcome="negative", decided_on=days_ago(2))
    services.ij_review_request(actor=alice, process=p, requested_on=days_ago(1), referred_on=days_ago(1))
    client = page_for("alice")
    deadlines = panel(html(client.get("/")), "deadlines")
    assert "ALP-001" in deadlines and "1 in all" in deadlines
    url = see_all(deadlines)
    assert url == "/cases/?review_due_within=14&status=open"
    assert listed_references(client, url) == {"ALP-001"}
    # 9 days out is not within 8.
    assert listed_references(client, "/cases/?review_due_within=8") == set()


def test_sponsors_in_vetting_link_to_their_families(alice, alpha, case, page_for):  # noqa: ANN001
    other = f.make_case(alice, alpha, reference="ALP-APPROVED")
    services.sponsor_create(actor=alice, case=case, name="Marta Ejemplo", category="2B", status="home_study")
    services.sponsor_create(actor=alice, case=other, name="Rita Ejemplo", category="3", status="approved")
    client = page_for("alice")
    sponsors = panel(html(client.get("/")), "sponsors")
    assert "1 in all" in sponsors
    assert listed_references(client, see_all(sponsors)) == {"ALP-001"}


def test_an_empty_panel_has_no_total_or_link(alice, case, page_for):  # noqa: ANN001
    hearings = panel(html(page_for("alice").get("/")), "hearings")
    assert "None scheduled." in hearings and "in all" not in hearings
