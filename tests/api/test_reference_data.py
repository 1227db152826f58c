"""Facilities and ICE field offices: public places. Any signed-in member reads them; legal staff
(admins and advocates of any organisation) create and edit them, naming the version they read."""
import pytest

from cases.models import Facility, FieldOffice

from .. import factories as f
from .conftest import ANONYMOUS

pytestmark = pytest.mark.django_db

MEMBERS = ["alice", "adam", "olga", "victor", "vera", "bob", "charlie"]
EDITORS = ["alice", "adam", "bob", "charlie"]
NOT_EDITORS = ["olga", "victor", "vera"]


@pytest.fixture
def places(family):  # noqa: ANN001, ANN201
    """The family fixture's facility (under the SND field office) and everyone in the cast."""
    return {"facilities": family.other_facility, "field-offices": family.other_facility.field_office}


NEW = {
    "facilities": lambda places: {"name": "Adelanto ICE Processing Center", "kind": "ice_detention",
                                  "city": "Adelanto", "state": "CA", "field_office": places["field-offices"].pk},
    "field-offices": lambda places: {"code": "LOS", "name": "Los Angeles Field Office", "city": "Los Angeles",
                                     "state": "CA"},
}
CHANGE = {"facilities": {"address": "7488 Calzada de la Fuente"}, "field-offices": {"city": "Chula Vista"}}
MODELS = {"facilities": Facility, "field-offices": FieldOffice}
KINDS = list(NEW)


def url(kind: str, obj=None) -> str:  # noqa: ANN001
    return f"/api/v1/{kind}/" + (f"{obj.pk}/" if obj else "")


def count(kind: str) -> int:
    return MODELS[kind].objects.count()


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("who", MEMBERS)
def test_every_signed_in_member_reads_reference_data(who, kind, places, client_for):  # noqa: ANN001
    client = client_for(who)
    listed = client.get(url(kind))
    assert listed.status_code == 200, listed.content
    assert places[kind].pk in [row["id"] for row in listed.json()["results"]]
    assert client.get(url(kind, places[kind])).json()["id"] == places[kind].pk


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("who", EDITORS)
def test_legal_staff_create_reference_data(who, kind, places, client_for):  # noqa: ANN001
    before = count(kind)
    response = client_for(who).post(url(kind), NEW[kind](places), format="json")
    assert response.status_code == 201, response.content
    assert count(kind) == before + 1
    created = MODELS[kind].objects.get(pk=response.json()["id"])
    assert created.name == NEW[kind](places)["name"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("who", EDITORS)
def test_legal_staff_edit_reference_data_naming_the_version(who, kind, places, client_for):  # noqa: ANN001
    obj = places[kind]
    response = client_for(who).patch(url(kind, obj), {"version": obj.version, **CHANGE[kind]}, format="json")
    assert response.status_code == 200, response.content
    fresh = MODELS[kind].objects.get(pk=obj.pk)
    (field, value), = CHANGE[kind].items()
    assert getattr(fresh, field) == value
    assert fresh.version == obj.version + 1 == response.json()["version"]


@pytest.mark.parametrize("kind", KINDS)
def test_an_edit_without_a_version_is_refused(kind, places, client_for):  # noqa: ANN001
    obj = places[kind]
    response = client_for("alice").patch(url(kind, obj), CHANGE[kind], format="json")
    assert response.status_code == 400
    assert "version" in response.json()
    assert MODELS[kind].objects.get(pk=obj.pk).version == obj.version


@pytest.mark.parametrize("kind", KINDS)
def test_an_edit_based_on_a_stale_version_is_a_409_and_changes_nothing(kind, places, client_for):  # noqa: ANN001
    obj = places[kind]
    alice = client_for("alice")
    assert alice.patch(url(kind, obj), {"version": obj.version, **CHANGE[kind]}, format="json").status_code == 200
    (field, _), = CHANGE[kind].items()
    stale = alice.patch(url(kind, obj), {"version": obj.version, field: "Somewhere else"}, format="json")
    assert stale.status_code == 409
    assert getattr(MODELS[kind].objects.get(pk=obj.pk), field) == CHANGE[kind][field]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("who", NOT_EDITORS)
def test_organizers_and_volunteers_get_403_on_writes(who, kind, places, client_for):  # noqa: ANN001
    client, obj, before = client_for(who), places[kind], count(kind)
    assert client.post(url(kind), NEW[kind](places), format="json").status_code == 403
    assert client.patch(url(kind, obj), {"version": obj.version, **CHANGE[kind]}, format="json").status_code == 403
    assert count(kind) == before
    assert MODELS[kind].objects.get(pk=obj.pk).version == obj.version


@pytest.mark.parametrize("kind", KINDS)
def test_anonymous_gets_401_or_403_on_everything(kind, places, client_for):  # noqa: ANN001
    client, obj, before = client_for(ANONYMOUS), places[kind], count(kind)
    for response in (
        client.get(url(kind)),
        client.get(url(kind, obj)),
        client.post(url(kind), NEW[kind](places), format="json"),
        client.patch(url(kind, obj), {"version": obj.version, **CHANGE[kind]}, format="json"),
    ):
        assert response.status_code in (401, 403), (response.status_code, response.content)
    assert count(kind) == before
    assert MODELS[kind].objects.get(pk=obj.pk).version == obj.version


def test_a_field_office_code_must_be_three_capital_letters(family, client_for):  # noqa: ANN001
    response = client_for("alice").post(url("field-offices"), {"code": "L0S", "name": "Typo"}, format="json")
    assert response.status_code == 400
    assert not FieldOffice.objects.filter(name="Typo").exists()


def test_the_same_facility_cannot_be_entered_twice(family, client_for):  # noqa: ANN001
    existing = f.FacilityFactory(name="Adelanto ICE Processing Center", city="Adelanto", state="CA")
    response = client_for("alice").post(url("facilities"), {"name": existing.name, "kind": "ice_detention",
                                                            "city": "Adelanto", "state": "CA"}, format="json")
    assert response.status_code == 400
    assert Facility.objects.filter(name=existing.name).count() == 1
