"""What organizers and assigned volunteers see: the case, without PII (listed in tests/api/matrix.py), and
without notes. Co-counsel with a share sees PII like the owners."""
import pytest

from accounts.roles import Role
from cases import services
from tests.world import *  # noqa: F403  (the cast and the family, built once for the module)

from .. import factories as f
from .matrix import FULL_READERS, PII, REDACTED_READERS, ids

pytestmark = pytest.mark.django_db

# Each endpoint whose rows carry PII, the family's row in it, and the PII subject.
PII_ENDPOINTS = [
    ("/api/v1/cases/", lambda fam: fam.case, "case"),
    ("/api/v1/people/", lambda fam: fam.mother, "person"),
    ("/api/v1/sponsors/", lambda fam: fam.sponsor, "sponsor"),
    ("/api/v1/proceedings/", lambda fam: fam.proceeding, "proceeding"),
]
PII_IDS = [e[2] for e in PII_ENDPOINTS]


@pytest.fixture
def other_alpha_case(alice, alpha):  # noqa: ANN001, ANN201
    """A second Alpha family nobody assigned victor to."""
    case = f.make_case(alice, alpha, reference="ALP-009", summary="Father deported to Honduras.")
    f.make_person(alice, case, role="parent", first_name="Mateo")
    return case


def rows(client, path: str, target) -> list[dict]:  # noqa: ANN001
    """The target's row in the list page and in its detail: both must obey the same rule."""
    listed = [r for r in client.get(path).json()["results"] if r["id"] == target.pk]
    detail = client.get(f"{path}{target.pk}/")
    assert detail.status_code == 200, detail.content
    assert len(listed) == 1
    return [listed[0], detail.json()]


@pytest.mark.parametrize(("path", "target", "subject"), PII_ENDPOINTS, ids=PII_IDS)
@pytest.mark.parametrize("who", REDACTED_READERS)
def test_organizer_and_volunteer_get_pii_fields_as_null_and_redacted_true(who, path, target, subject, family,
                                                                         client_for):  # noqa: ANN001
    for row in rows(client_for(who), path, target(family)):
        assert row["redacted"] is True
        for field in PII[subject] & row.keys():
            assert row[field] is None, field


@pytest.mark.parametrize(("path", "target", "subject"), PII_ENDPOINTS, ids=PII_IDS)
@pytest.mark.parametrize("who", FULL_READERS)
def test_owners_and_co_counsel_see_pii(who, path, target, subject, family, client_for):  # noqa: ANN001
    shown = rows(client_for(who), path, target(family))
    assert all(row["redacted"] is False for row in shown)
    # The family fixture fills in every PII field, so none may come back empty.
    detail = shown[-1]
    assert PII[subject] <= detail.keys()
    assert all(detail[field] not in (None, "") for field in PII[subject])


def test_owner_sees_the_mothers_a_number_and_name(family, client_for):  # noqa: ANN001
    body = client_for("alice").get(f"/api/v1/people/{family.mother.pk}/").json()
    assert body["first_name"] == "Ana"
    assert body["a_number"].replace("-", "").endswith("201555019")


@pytest.mark.parametrize("who", REDACTED_READERS)
def test_case_detail_redacts_everyone_nested_in_it(who, family, client_for):  # noqa: ANN001
    body = client_for(who).get(f"/api/v1/cases/{family.case.pk}/").json()
    assert body["summary"] is None
    for nested, subject in (("people", "person"), ("sponsors", "sponsor"), ("proceedings", "proceeding")):
        assert body[nested], nested
        for row in body[nested]:
            assert row["redacted"] is True
            assert all(row[field] is None for field in PII[subject] & row.keys())
    # Facts that are not PII stay: that is what organizers build advocacy on.
    assert body["family"]["detained"] == 2


@pytest.mark.parametrize("who", REDACTED_READERS)
def test_history_redacts_pii_in_before_and_after(who, family, client_for):  # noqa: ANN001
    events = client_for(who).get(f"/api/v1/cases/{family.case.pk}/history/").json()["results"]
    by_action = {e["action"]: e for e in events}
    assert by_action["person.added"]["after"]["first_name"] is None
    assert by_action["person.added"]["after"]["a_number"] is None
    assert by_action["note.added"]["after"]["body"] is None
    assert by_action["case.updated"]["after"]["summary"] is None
    assert "Ana" not in str(events) and "asthma" not in str(events)


def test_owner_history_keeps_pii(family, client_for):  # noqa: ANN001
    events = client_for("alice").get(f"/api/v1/cases/{family.case.pk}/history/").json()["results"]
    assert "asthma" in str(events)


def test_volunteer_sees_only_the_case_assigned_to_them(family, other_alpha_case, client_for):  # noqa: ANN001
    victor = client_for("victor")
    assert ids(victor.get("/api/v1/cases/")) == [family.case.pk]
    assert victor.get(f"/api/v1/cases/{other_alpha_case.pk}/").status_code == 404
    assert other_alpha_case.people.get().pk not in ids(victor.get("/api/v1/people/"))


def test_unassigned_volunteer_sees_an_empty_list_and_404(family, other_alpha_case, client_for):  # noqa: ANN001
    vera = client_for("vera")
    assert ids(vera.get("/api/v1/cases/")) == []
    assert ids(vera.get("/api/v1/people/")) == []
    assert vera.get(f"/api/v1/cases/{family.case.pk}/").status_code == 404


def test_organizer_sees_every_case_of_the_organisation_redacted(family, other_alpha_case, client_for):  # noqa: ANN001
    listed = client_for("olga").get("/api/v1/cases/").json()["results"]
    assert {r["id"] for r in listed} == {family.case.pk, other_alpha_case.pk}
    assert all(r["redacted"] is True for r in listed)


@pytest.mark.parametrize("who", REDACTED_READERS)
def test_notes_are_invisible_to_organizer_and_volunteer(who, family, client_for):  # noqa: ANN001
    client = client_for(who)
    assert ids(client.get("/api/v1/notes/")) == []
    assert client.get(f"/api/v1/notes/{family.note.pk}/").status_code == 404


def test_volunteer_of_a_co_counsel_organisation_does_not_get_a_case_shared_with_it(family, alice, gamma,
                                                                                  client_for):  # noqa: ANN001
    services.share_create(actor=alice, case=family.case, access="view", organization=gamma)
    gina = f.member(gamma, Role.VOLUNTEER, "gina@example.test")
    assert family.case.pk in ids(client_for("charlie").get("/api/v1/cases/"))
    client = client_for("anonymous")
    client.force_login(gina)
    assert ids(client.get("/api/v1/cases/")) == []


# --- searching by a PII value must not reveal it ------------------------------------------
A_NUMBER_SEARCHES = [("/api/v1/cases/search/", lambda fam: fam.case), ("/api/v1/people/search/", lambda fam: fam.mother)]


@pytest.mark.parametrize(("path", "target"), A_NUMBER_SEARCHES, ids=["cases", "people"])
@pytest.mark.parametrize("who", REDACTED_READERS)
def test_a_number_search_cannot_confirm_an_a_number_hidden_from_the_reader(who, path, target, family,
                                                                           client_for):  # noqa: ANN001
    """The A-number is null for them; an exact-match search would hand it back one guess at a time."""
    found = ids(client_for(who).post(path, {"a_number": "A-201-555-019"}))
    assert target(family).pk not in found


@pytest.mark.parametrize(("path", "target"), A_NUMBER_SEARCHES, ids=["cases", "people"])
def test_owner_finds_the_family_by_a_number(path, target, family, client_for):  # noqa: ANN001
    assert ids(client_for("alice").post(path, {"a_number": "A-201-555-019"})) == [target(family).pk]
