"""Opening a new family in the browser: the case, its people and their current custody on one page,
through the same services as every later change. Tried by the owner's staff (alice, adam), a
co-counsel advocate (bob, who opens families only in his own organisation), redacted readers
(olga, victor), outsiders (charlie, vera) and anonymous visitors."""
import re
from typing import Any

import pytest
from django.utils import timezone

from cases.models import Case, CaseEvent, CustodyEpisode, Person
from tests.cases.helpers import days_ago, row_counts
from tests.world import *  # noqa: F403  (the cast and the family, built once for the module)

from .test_case_pages import html

pytestmark = pytest.mark.django_db

URL = "/cases/new/"


def person(i: int, **fields: Any) -> dict[str, str]:
    return {f"people-{i}-{k}": str(v) for k, v in fields.items()}


def management(total: int) -> dict[str, str]:
    return {"people-TOTAL_FORMS": str(total), "people-INITIAL_FORMS": "0", "people-MIN_NUM_FORMS": "1",
            "people-MAX_NUM_FORMS": "1000"}


def family_of_three(facility, shelter, **extra: str) -> dict[str, str]:  # noqa: ANN001
    return {
        "reference": "ALP-NEW-1", "separated_on": days_ago(20).isoformat(),
        "separation_place": "Calexico-Mexicali port of entry", **management(3),
        **person(0, role="parent", first_name="Rosa", last_name="Ejemplo", date_of_birth="1991-04-02",
                 country_of_birth="Honduras", languages="Spanish", a_number="A-208-555-301",
                 custody_kind="ice_detention", facility=facility.pk, custody_since=days_ago(18).isoformat()),
        **person(1, role="child", first_name="Noa", last_name="Ejemplo", date_of_birth=days_ago(9 * 365).isoformat(),
                 custody_kind="orr_shelter", facility=shelter.pk, custody_since=days_ago(19).isoformat()),
        **person(2, role="child", first_name="Iker", last_name="Ejemplo",
                 date_of_birth=days_ago(4 * 365).isoformat(), custody_kind="orr_shelter",
                 custody_since=days_ago(19).isoformat()),
        **extra,
    }


@pytest.fixture
def shelter(db):  # noqa: ANN001, ANN201
    from tests import factories as f

    return f.FacilityFactory(name="Casa Ejemplo Children's Shelter", kind="orr_shelter", field_office=None)


def once(client) -> str:  # noqa: ANN001
    """The one-time token of a freshly rendered intake form."""
    return re.search(r'name="once" value="([0-9a-f-]+)"', html(client.get(URL))).group(1)


# --- Who may open a family ---------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["alice", "adam"])
def test_owner_staff_open_a_family_of_three_with_custody(family, page_for, facility, shelter, who):  # noqa: ANN001
    client = page_for(who)
    response = client.post(URL, {**family_of_three(facility, shelter), "once": once(client)})
    assert response.status_code == 302, html(response)[:3000]
    case = Case.objects.get(reference="ALP-NEW-1")
    assert response["Location"] == f"/cases/{case.pk}/"
    assert case.organization == family.case.organization
    assert case.separation_place == "Calexico-Mexicali port of entry"
    people = {p.first_name: p for p in Person.objects.filter(case=case)}
    assert set(people) == {"Rosa", "Noa", "Iker"}
    assert people["Rosa"].a_number == "208555301"
    now = {p: CustodyEpisode.objects.get(person=people[p], ended_on__isnull=True) for p in people}
    assert (now["Rosa"].kind, now["Rosa"].facility, now["Rosa"].started_on) == ("ice_detention", facility,
                                                                               days_ago(18))
    assert (now["Noa"].kind, now["Noa"].facility) == ("orr_shelter", shelter)
    assert (now["Iker"].kind, now["Iker"].facility) == ("orr_shelter", None)
    # The family's timeline starts complete: opened, three people added, three custodies.
    actions = sorted(CaseEvent.objects.filter(case=case).values_list("action", flat=True))
    assert actions == ["case.opened", "custody.transferred", "custody.transferred", "custody.transferred",
                       "person.added", "person.added", "person.added"]


def test_a_co_counsel_advocate_opens_families_in_his_own_organisation(family, page_for, facility, shelter):  # noqa: ANN001
    client = page_for("bob")
    response = client.post(URL, {**family_of_three(facility, shelter), "once": once(client)})
    assert response.status_code == 302
    assert Case.objects.get(reference="ALP-NEW-1").organization.name == "Beta Law"


@pytest.mark.parametrize("who", ["olga", "victor", "vera"])
def test_organizers_and_volunteers_may_not_open_a_family(family, page_for, facility, shelter, who):  # noqa: ANN001
    client = page_for(who)
    assert client.get(URL).status_code == 403
    before = row_counts()
    assert client.post(URL, family_of_three(facility, shelter)).status_code == 403
    assert row_counts() == before


def test_anonymous_is_sent_to_sign_in(family, page_for, facility, shelter):  # noqa: ANN001
    client = page_for("anonymous")
    assert client.get(URL).status_code == 302
    before = row_counts()
    assert client.post(URL, family_of_three(facility, shelter)).status_code == 302
    assert row_counts() == before


@pytest.mark.parametrize(("who", "shown"), [("alice", True), ("adam", True), ("bob", True), ("charlie", True),
                                            ("olga", False), ("victor", False), ("vera", False)])
def test_new_family_is_offered_on_the_list_and_the_dashboard_to_who_may_open_one(family, page_for, who, shown):  # noqa: ANN001
    client = page_for(who)
    for page in ("/", "/cases/"):
        assert (f'href="{URL}"' in html(client.get(page))) is shown, page


# --- The form ---------------------------------------------------------------------------------------
def test_the_reference_is_suggested_and_editable(family, page_for):  # noqa: ANN001
    body = html(page_for("alice").get(URL))
    # "Alpha Legal": its initials, this year, its first family of the year.
    expected = f"AL-{timezone.localdate().year}-001"
    assert re.search(rf'<input[^>]*name="reference"[^>]*value="{expected}"', body)


def test_bad_input_is_answered_beside_the_field_and_keeps_everything_typed(family, page_for, facility, shelter):  # noqa: ANN001
    client = page_for("alice")
    data = family_of_three(facility, shelter, **person(1, date_of_birth="31/02/2019"))
    before = row_counts()
    response = client.post(URL, data)
    assert response.status_code == 400
    body = html(response)
    assert re.search(r'id="id_people-1-date_of_birth_error"', body)
    for typed in ("ALP-NEW-1", "Rosa", "Noa", "Iker", "31/02/2019", "A-208-555-301", "Calexico-Mexicali"):
        assert typed in body, typed
    assert row_counts() == before


def test_a_rule_refused_by_the_service_lands_on_that_persons_field(family, page_for, facility, shelter):  # noqa: ANN001
    # An adult cannot be placed in ORR custody: the third person (a parent) is refused, nothing saved.
    client = page_for("alice")
    data = family_of_three(facility, shelter, **person(2, role="parent", date_of_birth="1985-01-01"))
    before = row_counts()
    response = client.post(URL, data)
    assert response.status_code == 400
    assert re.search(r'id="id_people-2-custody_kind_error"[^>]*>\s*<p>ORR custody is for children', html(response))
    assert row_counts() == before


def test_add_another_family_member_keeps_what_was_typed(family, page_for, facility, shelter):  # noqa: ANN001
    before = row_counts()
    response = page_for("alice").post(URL, {**family_of_three(facility, shelter), "add_person": "1"})
    body = html(response)
    assert response.status_code == 200
    assert 'name="people-3-first_name"' in body
    assert 'value="Rosa"' in body and 'value="Iker"' in body
    assert row_counts() == before


def test_an_empty_extra_member_is_ignored(family, page_for, facility, shelter):  # noqa: ANN001
    client = page_for("alice")
    data = {**family_of_three(facility, shelter), **management(4), **person(3, role="", first_name=""),
            "once": once(client)}
    assert client.post(URL, data).status_code == 302
    assert Person.objects.filter(case__reference="ALP-NEW-1").count() == 3


def test_a_family_needs_at_least_one_member(family, page_for):  # noqa: ANN001
    before = row_counts()
    response = page_for("alice").post(URL, {"reference": "ALP-EMPTY", **management(1),
                                            **person(0, role="", first_name="")})
    assert response.status_code == 400
    assert row_counts() == before


def test_a_reference_already_used_is_refused_beside_it(family, page_for, facility, shelter):  # noqa: ANN001
    before = row_counts()
    response = page_for("alice").post(URL, family_of_three(facility, shelter, reference="ALP-001"))
    assert response.status_code == 400
    assert re.search(r'id="id_reference_error"[^>]*>\s*<p>Your organisation already has a case', html(response))
    assert row_counts() == before


# --- A-numbers already in the organisation --------------------------------------------------------
def test_an_a_number_already_in_the_organisation_is_flagged_with_a_link_before_saving(family, page_for, facility,
                                                                                      shelter):  # noqa: ANN001
    client = page_for("alice")
    # Ana's A-number (on ALP-001), typed with other spacing.
    data = {**family_of_three(facility, shelter, **person(0, a_number="201 555 019")), "once": once(client)}
    before = row_counts()
    response = client.post(URL, data)
    assert response.status_code == 200
    body = html(response)
    warning = body.split('id="duplicates"')[1].split("</div>")[0]
    assert f'href="/cases/{family.case.pk}/"' in warning and "ALP-001" in warning
    assert "201 555 019" in body  # nothing typed is lost
    assert row_counts() == before
    # Ticked, it goes through.
    response = client.post(URL, {**data, "confirm_duplicates": "on"})
    assert response.status_code == 302
    assert Case.objects.filter(reference="ALP-NEW-1").exists()


def test_another_organisations_a_number_is_never_revealed(family, page_for, facility, shelter):  # noqa: ANN001
    client = page_for("charlie")
    data = {**family_of_three(facility, shelter, **person(0, a_number="201555019")), "once": once(client)}
    response = client.post(URL, data)
    assert response.status_code == 302  # no flag: Alpha's family is none of Gamma's business
    assert Case.objects.get(reference="ALP-NEW-1").organization.name == "Gamma Justice"


# --- Double submit --------------------------------------------------------------------------------
def test_the_same_intake_sent_twice_opens_one_family(family, page_for, facility, shelter):  # noqa: ANN001
    client = page_for("alice")
    data = {**family_of_three(facility, shelter), "once": once(client)}
    first = client.post(URL, data)
    again = client.post(URL, data)
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    assert Case.objects.filter(reference="ALP-NEW-1").count() == 1
    assert Person.objects.filter(case__reference="ALP-NEW-1").count() == 3


def test_the_page_reads_in_spanish(family, page_for, alice):  # noqa: ANN001
    client = page_for("alice")
    client.post("/accounts/language/", {"language": "es", "next": URL})
    body = html(client.get(URL))
    assert '<html lang="es"' in body
    assert "Nueva familia" in body and "Miembro de la familia 1" in body and "Abrir la familia" in body
