"""Editing a family's recorded rows in the browser - a person, a sponsor, a proceeding, a hearing
(reschedule, cancel, record the outcome) - and correcting a custody entry with a reason. Every page
is tried by the owner's staff, a read-only co-counsel, redacted readers and outsiders: a family you
may not see is a 404, one you may not change a 403, and a refused request changes nothing."""
import datetime as dt
import re

import pytest
from django.utils import timezone

from cases.models import CaseEvent, CustodyEpisode, Hearing, Person, Proceeding, Sponsor
from tests.api.matrix import NON_READERS, SEE_BUT_NOT_WRITE, WRITERS
from tests.cases.helpers import row_counts
from tests.world import *  # noqa: F403  (the cast and the family, built once for the module)

from .test_case_pages import html

pytestmark = pytest.mark.django_db

ROWS = {
    "person": lambda fam: fam.mother,
    "sponsor": lambda fam: fam.sponsor,
    "proceeding": lambda fam: fam.proceeding,
    "hearing": lambda fam: fam.hearing,
    "custody": lambda fam: fam.episode,
}


def url(fam, kind: str, row=None) -> str:  # noqa: ANN001
    return f"/cases/{fam.case.pk}/edit/{kind}/{(row or ROWS[kind](fam)).pk}/"


def form_data(body: str) -> dict[str, str]:
    """What the browser would send back unchanged: every input's value and each select's choice."""
    data = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', body))
    for name, select in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', body, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', select)
        data[name] = chosen.group(1) if chosen else ""
    data.pop("csrfmiddlewaretoken", None)
    return data


@pytest.mark.parametrize("kind", list(ROWS))
@pytest.mark.parametrize("who", WRITERS + SEE_BUT_NOT_WRITE + NON_READERS)
def test_every_edit_page_answers_each_role(family, page_for, kind, who):  # noqa: ANN001
    client = page_for(who)
    response = client.get(url(family, kind))
    expected = 200 if who in WRITERS else 403 if who in SEE_BUT_NOT_WRITE else 404
    assert response.status_code == expected
    if who not in WRITERS:
        before = row_counts()
        assert client.post(url(family, kind), {"version": 1, "reason": "x"}).status_code == expected
        assert row_counts() == before


def test_anonymous_is_sent_to_sign_in(family, page_for):  # noqa: ANN001
    assert page_for("anonymous").get(url(family, "person")).status_code == 302


def test_a_row_of_another_family_is_a_404(family, gamma_case, page_for):  # noqa: ANN001
    stranger = gamma_case.people.get()
    assert page_for("alice").get(url(family, "person", stranger)).status_code == 404


def test_an_unchanged_form_saves_nothing(family, page_for):  # noqa: ANN001
    client = page_for("alice")
    data = form_data(html(client.get(url(family, "person"))))
    before = CaseEvent.objects.count()
    assert client.post(url(family, "person"), data).status_code == 302
    assert CaseEvent.objects.count() == before


def test_a_person_is_corrected_and_the_timeline_says_so(family, page_for):  # noqa: ANN001
    client = page_for("alice")
    data = form_data(html(client.get(url(family, "person"))))
    assert data["first_name"] == "Ana" and data["a_number"] == "201555019"
    client.post(url(family, "person"), {**data, "date_of_birth": "1990-03-15", "languages": "Spanish, Mixteco"})
    mother = Person.objects.get(pk=family.mother.pk)
    assert (mother.date_of_birth, mother.languages) == (dt.date(1990, 3, 15), "Spanish, Mixteco")
    event = CaseEvent.objects.filter(case=family.case, action="person.updated").latest("id")
    assert set(event.after) == {"date_of_birth", "languages"}  # only what changed


def test_a_sponsors_approval_is_recorded(family, alice, page_for):  # noqa: ANN001
    from cases import services

    cousin = services.sponsor_create(actor=alice, case=family.case, person=family.child, name="Rita Ejemplo",
                                     category="3", status="home_study")
    client = page_for("alice")
    data = form_data(html(client.get(url(family, "sponsor", cousin))))
    assert data["person"] == str(family.child.pk)
    assert client.post(url(family, "sponsor", cousin), {**data, "status": "approved"}).status_code == 302
    assert Sponsor.objects.get(pk=cousin.pk).status == "approved"


def test_a_hearing_is_rescheduled_then_its_outcome_recorded(family, page_for):  # noqa: ANN001
    client = page_for("alice")
    data = form_data(html(client.get(url(family, "hearing"))))
    later = timezone.localtime() + dt.timedelta(days=30)
    assert client.post(url(family, "hearing"), {**data, "scheduled_at": later.strftime("%Y-%m-%dT%H:%M")}).status_code == 302
    hearing = Hearing.objects.get(pk=family.hearing.pk)
    assert timezone.localtime(hearing.scheduled_at).strftime("%Y-%m-%d %H:%M") == later.strftime("%Y-%m-%d %H:%M")
    data = form_data(html(client.get(url(family, "hearing"))))
    client.post(url(family, "hearing"), {**data, "status": "held", "outcome": "Continued to March"})
    hearing.refresh_from_db()
    assert (hearing.status, hearing.outcome) == ("held", "Continued to March")


def test_a_hearing_is_cancelled(family, page_for):  # noqa: ANN001
    client = page_for("alice")
    data = form_data(html(client.get(url(family, "hearing"))))
    assert client.post(url(family, "hearing"), {**data, "status": "cancelled"}).status_code == 302
    assert Hearing.objects.get(pk=family.hearing.pk).status == "cancelled"


def test_a_proceeding_records_the_agencys_position(family, page_for):  # noqa: ANN001
    client = page_for("alice")
    data = form_data(html(client.get(url(family, "proceeding"))))
    client.post(url(family, "proceeding"), {**data, "agency_position": "reunification"})
    assert Proceeding.objects.get(pk=family.proceeding.pk).agency_position == "reunification"


def test_a_custody_date_is_corrected_with_a_reason_shown_in_the_timeline(family, page_for, alice):  # noqa: ANN001
    alice.first_name, alice.last_name = "Alice", "Abogada"
    alice.save(update_fields=["first_name", "last_name"])
    client = page_for("alice")
    data = form_data(html(client.get(url(family, "custody"))))
    corrected = family.episode.started_on - dt.timedelta(days=2)
    response = client.post(url(family, "custody"), {**data, "started_on": corrected.isoformat(),
                                                    "reason": "The booking sheet says 2 days earlier"})
    assert response.status_code == 302
    assert CustodyEpisode.objects.get(pk=family.episode.pk).started_on == corrected
    page = html(client.get(f"/cases/{family.case.pk}/"))
    entry = next(li for li in re.findall(r"<li>(.*?)</li>", page.split('<ol class="timeline">')[1], re.S)
                 if "Correction of custody" in li)
    assert "Ana Ejemplo" in entry and "The booking sheet says 2 days earlier" in entry and "by Alice Abogada" in entry


def test_a_correction_without_a_reason_is_refused_beside_it(family, page_for):  # noqa: ANN001
    client = page_for("alice")
    data = form_data(html(client.get(url(family, "custody"))))
    before = row_counts()
    response = client.post(url(family, "custody"), {**data, "started_on": "2020-01-01", "reason": ""})
    assert response.status_code == 400
    assert 'id="id_reason_error"' in html(response)
    assert 'value="2020-01-01"' in html(response)  # what was typed stays
    assert row_counts() == before


def test_a_correction_that_breaks_a_rule_is_refused_beside_the_field(family, page_for, facility):  # noqa: ANN001
    from tests import factories as f

    court = f.FacilityFactory(name="Imperial Immigration Court", kind="court")
    client = page_for("alice")
    data = form_data(html(client.get(url(family, "custody"))))
    before = row_counts()
    response = client.post(url(family, "custody"), {**data, "facility": court.pk, "reason": "Wrong place"})
    assert response.status_code == 400
    assert 'id="id_facility_error"' in html(response)
    assert row_counts() == before


def test_an_edit_based_on_an_old_version_is_refused(family, page_for):  # noqa: ANN001
    client = page_for("alice")
    data = form_data(html(client.get(url(family, "person"))))
    assert client.post(url(family, "person"), {**data, "languages": "Spanish"}).status_code == 302
    stale = client.post(url(family, "person"), {**data, "languages": "K'iche'", "once": ""})
    assert stale.status_code == 400
    assert "Someone changed this record" in html(stale)
    assert Person.objects.get(pk=family.mother.pk).languages == "Spanish"


def test_the_same_edit_sent_twice_saves_once(family, page_for):  # noqa: ANN001
    client = page_for("alice")
    data = form_data(html(client.get(url(family, "person"))))
    updates = CaseEvent.objects.filter(case=family.case, action="person.updated")
    before = updates.count()
    client.post(url(family, "person"), {**data, "languages": "Spanish"})
    again = client.post(url(family, "person"), {**data, "languages": "Spanish"}, follow=True)
    assert "That was already saved." in html(again)
    assert updates.count() == before + 1


def test_writers_see_the_edit_links_and_readers_do_not(family, page_for):  # noqa: ANN001
    for who in WRITERS + SEE_BUT_NOT_WRITE:
        body = html(page_for(who).get(f"/cases/{family.case.pk}/"))
        for kind in ROWS:
            assert (url(family, kind) in body) is (who in WRITERS), (who, kind)
