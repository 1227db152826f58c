"""Facilities and ICE field offices: public places shared by every organisation. Any signed-in
member reads them; legal staff (admins and advocates) add a facility; only organisation admins
change one or add a field office, naming the version they read; every change is recorded with who
and when; a facility other organisations' families are held at keeps its field office."""
import pytest
from django.db import DatabaseError, connection, transaction

from accounts.roles import Role
from cases import services
from cases.models import Facility, FieldOffice, ReferenceChange
from tests.world import *  # noqa: F403  (the cast and the family, built once for the module)

from .. import factories as f
from .conftest import ANONYMOUS

pytestmark = pytest.mark.django_db

MEMBERS = ["alice", "adam", "olga", "victor", "vera", "bob", "charlie"]
ADDERS = {"facilities": ["alice", "adam", "bob", "charlie"], "field-offices": ["adam", "bea"]}
EDITORS = ["adam", "bea"]
NOT_EDITORS = ["alice", "bob", "charlie", "olga", "victor", "vera"]


@pytest.fixture
def bea(beta):  # noqa: ANN001, ANN201
    """The admin of Beta Law (co-counsel)."""
    return f.member(beta, Role.ADMIN, "bea@example.test")


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


@pytest.mark.parametrize(("kind", "who"), [(k, w) for k in KINDS for w in ADDERS[k]])
def test_legal_staff_add_facilities_and_admins_field_offices(who, kind, places, client_for, request):  # noqa: ANN001
    before = count(kind)
    response = client_for(who).post(url(kind), NEW[kind](places), format="json")
    assert response.status_code == 201, response.content
    assert count(kind) == before + 1
    created = MODELS[kind].objects.get(pk=response.json()["id"])
    assert created.name == NEW[kind](places)["name"]
    entry = ReferenceChange.objects.get(subject_id=created.pk, subject_type=MODELS[kind]._meta.model_name)
    assert (entry.actor, entry.action, entry.after["name"]) == (request.getfixturevalue(who), "created",
                                                                created.name)


@pytest.mark.parametrize("who", ["alice", "bob", "charlie", "olga", "victor", "vera"])
def test_only_admins_add_a_field_office(who, places, client_for):  # noqa: ANN001
    before = count("field-offices")
    assert client_for(who).post(url("field-offices"), NEW["field-offices"](places), format="json").status_code == 403
    assert count("field-offices") == before
    assert not ReferenceChange.objects.exists()


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("who", EDITORS)
def test_admins_edit_reference_data_naming_the_version_and_it_is_recorded(who, kind, places, client_for,
                                                                         request):  # noqa: ANN001
    obj = places[kind]
    response = client_for(who).patch(url(kind, obj), {"version": obj.version, **CHANGE[kind]}, format="json")
    assert response.status_code == 200, response.content
    fresh = MODELS[kind].objects.get(pk=obj.pk)
    (field, value), = CHANGE[kind].items()
    assert getattr(fresh, field) == value
    assert fresh.version == obj.version + 1 == response.json()["version"]
    entry = ReferenceChange.objects.get(subject_id=obj.pk, subject_type=MODELS[kind]._meta.model_name)
    assert (entry.actor, entry.action) == (request.getfixturevalue(who), "updated")
    assert entry.before == {field: getattr(obj, field)}
    assert entry.after == {field: value}
    assert entry.at is not None


def test_an_admin_cannot_move_a_facility_other_organisations_hold_families_at(family, bea, client_for):  # noqa: ANN001
    # Alpha's mother is held at `facility` (SND); Beta's admin may not re-point it to LOS.
    facility = family.episode.facility
    los = f.FieldOfficeFactory(code="LOS", name="Los Angeles Field Office")
    response = client_for("bea").patch(url("facilities", facility), {"version": facility.version,
                                                                     "field_office": los.pk}, format="json")
    assert response.status_code == 400
    assert "field_office" in response.json()
    fresh = Facility.objects.get(pk=facility.pk)
    assert (fresh.field_office_id, fresh.version) == (facility.field_office_id, facility.version)
    assert not ReferenceChange.objects.filter(subject_id=facility.pk).exists()


def test_an_admin_may_move_a_facility_only_their_organisations_families_are_held_at(family, client_for):  # noqa: ANN001
    facility = family.episode.facility
    los = f.FieldOfficeFactory(code="LOS", name="Los Angeles Field Office")
    response = client_for("adam").patch(url("facilities", facility), {"version": facility.version,
                                                                      "field_office": los.pk}, format="json")
    assert response.status_code == 200, response.content
    assert Facility.objects.get(pk=facility.pk).field_office == los


def test_a_facility_with_custody_recorded_cannot_change_to_a_kind_that_custody_does_not_fit(family, client_for):  # noqa: ANN001
    facility = family.episode.facility  # ICE detention of Alpha's mother
    response = client_for("adam").patch(url("facilities", facility), {"version": facility.version, "kind": "court"},
                                        format="json")
    assert response.status_code == 400
    assert "kind" in response.json()
    assert Facility.objects.get(pk=facility.pk).kind == "ice_detention"


def test_the_reference_history_is_append_only(family, adam):  # noqa: ANN001
    from django.core.exceptions import ValidationError

    services.reference_update(actor=adam, obj=family.other_facility, version=family.other_facility.version,
                              address="1 Test Rd")
    entry = ReferenceChange.objects.get()
    with pytest.raises(ValidationError):
        entry.save()
    with pytest.raises(ValidationError):
        entry.delete()


@pytest.mark.parametrize("kind", KINDS)
def test_an_edit_without_a_version_is_refused(kind, places, client_for):  # noqa: ANN001
    obj = places[kind]
    response = client_for("adam").patch(url(kind, obj), CHANGE[kind], format="json")
    assert response.status_code == 400
    assert "version" in response.json()
    assert MODELS[kind].objects.get(pk=obj.pk).version == obj.version


@pytest.mark.parametrize("kind", KINDS)
def test_an_edit_based_on_a_stale_version_is_a_409_and_changes_nothing(kind, places, client_for):  # noqa: ANN001
    obj = places[kind]
    adam = client_for("adam")
    assert adam.patch(url(kind, obj), {"version": obj.version, **CHANGE[kind]}, format="json").status_code == 200
    (field, _), = CHANGE[kind].items()
    stale = adam.patch(url(kind, obj), {"version": obj.version, field: "Somewhere else"}, format="json")
    assert stale.status_code == 409
    assert getattr(MODELS[kind].objects.get(pk=obj.pk), field) == CHANGE[kind][field]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("who", NOT_EDITORS)
def test_everyone_but_an_admin_gets_403_on_a_change(who, kind, places, client_for):  # noqa: ANN001
    client, obj = client_for(who), places[kind]
    assert client.patch(url(kind, obj), {"version": obj.version, **CHANGE[kind]}, format="json").status_code == 403
    fresh = MODELS[kind].objects.get(pk=obj.pk)
    (field, _), = CHANGE[kind].items()
    assert (fresh.version, getattr(fresh, field)) == (obj.version, getattr(obj, field))
    assert not ReferenceChange.objects.exists()


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("who", ["olga", "victor", "vera"])
def test_organizers_and_volunteers_get_403_on_adding(who, kind, places, client_for):  # noqa: ANN001
    before = count(kind)
    assert client_for(who).post(url(kind), NEW[kind](places), format="json").status_code == 403
    assert count(kind) == before


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
    response = client_for("adam").post(url("field-offices"), {"code": "L0S", "name": "Typo"}, format="json")
    assert response.status_code == 400
    assert not FieldOffice.objects.filter(name="Typo").exists()


def test_the_same_facility_cannot_be_entered_twice(family, client_for):  # noqa: ANN001
    existing = f.FacilityFactory(name="Adelanto ICE Processing Center", city="Adelanto", state="CA")
    response = client_for("alice").post(url("facilities"), {"name": existing.name, "kind": "ice_detention",
                                                            "city": "Adelanto", "state": "CA"}, format="json")
    assert response.status_code == 400
    assert Facility.objects.filter(name=existing.name).count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the append-only trigger exists on PostgreSQL only")
def test_postgres_refuses_rewriting_the_reference_history(family, adam):  # noqa: ANN001
    services.reference_update(actor=adam, obj=family.other_facility, version=family.other_facility.version,
                              address="1 Test Rd")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        ReferenceChange.objects.update(action="tampered")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        ReferenceChange.objects.all().delete()
    assert list(ReferenceChange.objects.values_list("action", flat=True)) == ["updated"]
