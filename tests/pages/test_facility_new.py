"""An advocate meets a facility the record does not know: she adds it from the browser and, when
its ICE field office is not listed, asks her organisation's admins for it (recorded, and emailed
to them). Only legal staff add facilities; nobody else's families change."""
import pytest
from django.core import mail

from cases.models import Facility, ReferenceChange

from .test_case_pages import html

pytestmark = pytest.mark.django_db

URL = "/facilities/new/"
NEW = {"name": "Otero County Processing Center", "kind": "ice_detention", "city": "Chaparral", "state": "NM"}


@pytest.mark.parametrize(("who", "status"), [("alice", 200), ("adam", 200), ("bob", 200), ("charlie", 200),
                                             ("olga", 403), ("victor", 403), ("vera", 403)])
def test_legal_staff_may_add_a_facility(family, page_for, who, status):  # noqa: ANN001
    client = page_for(who)
    assert client.get(URL).status_code == status
    before = Facility.objects.count()
    response = client.post(URL, NEW)
    assert response.status_code == (302 if status == 200 else 403)
    assert Facility.objects.count() == before + (1 if status == 200 else 0)


def test_anonymous_is_sent_to_sign_in(family, page_for):  # noqa: ANN001
    assert page_for("anonymous").get(URL).status_code == 302


def test_a_facility_under_a_listed_field_office_goes_back_to_the_family(family, page_for, facility):  # noqa: ANN001
    client = page_for("alice")
    back = f"/cases/{family.case.pk}/"
    response = client.post(f"{URL}?next={back}", {**NEW, "field_office": facility.field_office_id})
    assert response.status_code == 302 and response["Location"] == back
    added = Facility.objects.get(name=NEW["name"])
    assert added.field_office == facility.field_office
    change = ReferenceChange.objects.get(subject_type="facility", subject_id=added.pk)
    assert change.action == "created"
    assert mail.outbox == []


def test_a_missing_field_office_is_asked_of_the_admins(family, page_for, adam):  # noqa: ANN001
    client = page_for("alice")
    response = client.post(URL, {**NEW, "field_office_request": "El Paso Field Office (ELP)"})
    assert response.status_code == 302
    added = Facility.objects.get(name=NEW["name"])
    assert added.field_office is None
    asked = ReferenceChange.objects.get(subject_id=added.pk, action="office_requested")
    assert asked.after == {"field_office_request": "El Paso Field Office (ELP)"}
    assert [m.to for m in mail.outbox] == [[adam.email]]
    assert "Otero County Processing Center" in mail.outbox[0].body and "El Paso" in mail.outbox[0].body
    assert "Ana" not in mail.outbox[0].body  # nothing about any family


def test_an_outside_next_is_not_followed(family, page_for):  # noqa: ANN001
    response = page_for("alice").post(f"{URL}?next=https://evil.example/", NEW)
    assert response.status_code == 302 and not response["Location"].startswith("https://evil.example")


def test_the_same_facility_twice_is_refused_beside_the_name(family, page_for):  # noqa: ANN001
    client = page_for("alice")
    assert client.post(URL, NEW).status_code == 302
    again = client.post(URL, NEW)
    assert again.status_code == 400
    assert 'id="id_name_error"' in html(again) or "already" in html(again)
    assert Facility.objects.filter(name=NEW["name"]).count() == 1


def test_the_case_page_links_to_it(family, page_for):  # noqa: ANN001
    body = html(page_for("alice").get(f"/cases/{family.case.pk}/"))
    assert f'href="{URL}?next=/cases/{family.case.pk}/"' in body
