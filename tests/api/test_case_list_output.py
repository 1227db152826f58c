"""The case list's light row serializer says exactly what the DRF serializer said.

GET /api/v1/cases/ builds each row as a plain dict (CaseListRowSerializer) instead of through DRF's
field machinery, to cut the list's Python time at a million families (issue 14). Its answer must
not change: for every kind of reader and a spread of families (detained at a facility with and
without a field office, in ORR care, removed, reunified, released, no custody yet, no members,
closed, no separation date), the bytes the API renders equal the bytes the former serializer
(CaseListSerializer, kept as the schema's declaration) renders for the same rows, key order included.
"""
import datetime as dt

import pytest
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from accounts.roles import Role
from cases import selectors, services
from cases.api.serializers import CaseListRowSerializer, CaseListSerializer
from tests import factories as f

pytestmark = pytest.mark.django_db


def days_ago(n: int) -> dt.date:
    return dt.date.today() - dt.timedelta(days=n)


@pytest.fixture
def families(alice, alpha, case, facility, victor, shared_with_bob):  # noqa: ANN001, ANN201
    """`case` (a detained mother at a facility with a field office, a child in ORR care), and more."""
    no_office = f.FacilityFactory(name="Casa Ejemplo", kind="orr_shelter", field_office=None)
    removed = f.make_case(alice, alpha, reference="ALP-002", separation_place="Nogales")
    p = f.make_person(alice, removed, role="parent")
    f.detain(alice, p, facility=facility, days_ago=90)
    services.custody_transfer(actor=alice, person=p, kind="removed", removed_to="Honduras", on=days_ago(10))
    child = f.make_person(alice, removed, role="child", first_name="Mateo")
    f.detain(alice, child, facility=no_office, days_ago=12, kind="orr_shelter")
    f.make_person(alice, removed, role="other_relative", first_name="Rosa")  # no custody yet

    together = f.make_case(alice, alpha, reference="ALP-003", separated_on=days_ago(400))
    for role in ("parent", "child"):
        member = f.make_person(alice, together, role=role)
        f.detain(alice, member, days_ago=300, kind="cbp")
        services.custody_transfer(actor=alice, person=member, kind="reunified", on=days_ago(5))
    services.consent_record(actor=alice, case=together, level="story")

    released = f.make_case(alice, alpha, reference="ALP-004", separated_on=None)
    member = f.make_person(alice, released, role="parent")
    f.detain(alice, member, facility=facility, days_ago=20)
    services.custody_transfer(actor=alice, person=member, kind="released", release_type="bond", on=days_ago(2))
    services.assignment_create(actor=alice, case=released, user=victor)

    empty = f.make_case(alice, alpha, reference="ALP-005")
    services.case_close(actor=alice, case=empty, reason="Opened in error.")
    services.assignment_create(actor=alice, case=empty, user=victor)
    return [case, removed, together, released, empty]


def rendered_both_ways(client, user) -> tuple[bytes, bytes, list[int]]:  # noqa: ANN001
    """The API's answer for the user, and the former serializer's rendering of the same rows."""
    client.force_login(user)
    response = client.get("/api/v1/cases/")
    assert response.status_code == 200
    results = response.json()["results"]
    ids = [row["id"] for row in results]
    rows = {c.pk: c for c in selectors.case_list(user=user).filter(pk__in=ids)}
    request = Request(APIRequestFactory().get("/api/v1/cases/"))
    request.user = user
    before = CaseListSerializer([rows[i] for i in ids], many=True, context={"request": request}).data
    return JSONRenderer().render(response.data["results"]), JSONRenderer().render(before), ids


@pytest.mark.parametrize("who", ["alice", "adam", "olga", "victor", "bob", "charlie"])
def test_the_api_renders_what_the_former_serializer_rendered(request, client, families, who):  # noqa: ANN001
    user = request.getfixturevalue(who)
    if who == "adam":
        assert user.memberships.get().role == Role.ADMIN
    after, before, ids = rendered_both_ways(client, user)
    assert after == before
    # Each reader saw what they should, so the comparison covered redacted and full rows alike.
    expected = {"alice": 5, "adam": 5, "olga": 5, "victor": 3, "bob": 1, "charlie": 0}[who]
    assert len(ids) == expected


def test_the_rows_cover_every_shape(client, alice, families):  # noqa: ANN001
    """The comparison above means something only if the rows differ in the ways that matter."""
    client.force_login(alice)
    rows = {r["reference"]: r for r in client.get("/api/v1/cases/").json()["results"]}
    assert {m["custody"] for r in rows.values() for m in r["members"]} == {
        "ice_detention", "orr_shelter", "removed", "reunified", "released", None}
    offices = {m["field_office"] for r in rows.values() for m in r["members"] if m["facility"]}
    assert None in offices and len(offices) >= 2
    assert rows["ALP-005"]["members"] == [] and rows["ALP-005"]["status"] == "closed"
    assert rows["ALP-004"]["separated_on"] is None
    assert rows["ALP-003"]["family"]["reunified"] is True
    assert rows["ALP-001"]["family"]["detained_over_30_days"] is True


def test_the_light_serializer_is_what_the_list_and_search_use(client, alice, families):  # noqa: ANN001
    from cases.api.views import CaseViewSet

    view = CaseViewSet()
    view.action = "list"
    assert view.get_serializer_class() is CaseListRowSerializer
    client.force_login(alice)
    found = client.post("/api/v1/cases/search/", {"reference": "ALP-00"}, content_type="application/json")
    assert found.status_code == 200
    listed = {r["reference"]: r for r in client.get("/api/v1/cases/").json()["results"]}
    for row in found.json()["results"]:
        assert row == listed[row["reference"]]
