"""The families list says, per family, where each member is held and for how long, whether a
sponsor is secured (ORR approved, or the child released to them) or still in vetting, where fear
screening stands, and the next hearing - at the cost of the list alone (query counts:
tests/pages/test_query_counts.py)."""
import re

import pytest
from django.utils import timezone

from cases import services
from tests import factories as f

from .test_case_pages import html

pytestmark = pytest.mark.django_db


def row(body: str, reference: str) -> list[str]:
    """The cells of one family's row, as text at a desk (the labels only a phone shows left out)."""
    tr = re.search(rf'<tr class="case-row">\s*<th scope="row"><a href="/cases/\d+/">{reference}</a>.*?</tr>', body,
                   re.S).group(0)
    tr = re.sub(r'<span class="cell-label">.*?</span>', "", tr)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell)).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, re.S)]


def test_each_family_shows_sponsor_fear_screening_and_next_hearing(family, alice, alpha, page_for):  # noqa: ANN001
    # ALP-001 (the family fixture): an approved sponsor, two negative findings and one pending,
    # a hearing in 10 days. ALP-020: a sponsor in home study, a positive finding, no hearing.
    # ALP-021: nothing recorded yet.
    other = f.make_case(alice, alpha, reference="ALP-020")
    dad = f.make_person(alice, other, role="parent", first_name="Edwin")
    services.sponsor_create(actor=alice, case=other, name="Sara Ejemplo", category="2B", status="home_study")
    p = services.fear_process_create(actor=alice, person=dad, kind="credible")
    services.interview_outcome_record(actor=alice, process=p, outcome="positive", decided_on=family.today)
    f.make_case(alice, alpha, reference="ALP-021")
    body = html(page_for("alice").get("/cases/"))

    ref, members, now, sponsor, fear, hearing = row(body, "ALP-001")
    assert "Ana Ejemplo" in members and "ICE detention" in now and "40 days" in now
    assert sponsor == "Secured"
    assert fear == "Negative"
    assert hearing == f"{timezone.localtime(family.hearing.scheduled_at):%-d %b %Y}"
    assert row(body, "ALP-020")[3:] == ["In vetting", "Positive", "—"]
    assert row(body, "ALP-021")[3:] == ["—", "—", "—"]
