"""What the case page's new forms do, beyond who may use them (tests/pages/test_case_pages.py):
adding a member, a sponsor, a proceeding; assigning a volunteer (their only way in) and ending it;
closing a file with a reason and reopening it."""
import re

import pytest

from cases.models import Assignment, Case, CaseEvent, Person, Proceeding, Sponsor
from tests.cases.helpers import row_counts

from .test_case_pages import html

pytestmark = pytest.mark.django_db


def do(client, family, name: str, data: dict):  # noqa: ANN001, ANN201
    return client.post(f"/cases/{family.case.pk}/do/{name}/", data)


def test_a_member_sponsor_and_proceeding_are_added(family, page_for, facility):  # noqa: ANN001
    client = page_for("alice")
    assert do(client, family, "person_add", {"role": "child", "first_name": "Iker", "last_name": "Ejemplo",
                                             "a_number": "A-208-555-402"}).status_code == 302
    iker = Person.objects.get(case=family.case, first_name="Iker")
    assert iker.a_number == "208555402"
    assert do(client, family, "sponsor_add", {"person": iker.pk, "name": "Rita Ejemplo", "relationship": "cousin",
                                              "category": "3", "status": "identified"}).status_code == 302
    assert Sponsor.objects.get(case=family.case, name="Rita Ejemplo").person == iker
    assert do(client, family, "proceeding_open", {"kind": "family_court", "person": iker.pk, "docket": "JV-1",
                                                  "agency_position": "reunification"}).status_code == 302
    proceeding = Proceeding.objects.get(case=family.case, kind="family_court")
    assert (proceeding.person, proceeding.agency_position) == (iker, "reunification")
    assert {"person.added", "sponsor.added", "proceeding.opened"} <= set(
        CaseEvent.objects.filter(case=family.case).values_list("action", flat=True))


def test_a_malformed_a_number_is_refused_beside_it(family, page_for):  # noqa: ANN001
    before = row_counts()
    response = do(page_for("alice"), family, "person_add", {"role": "child", "first_name": "Iker", "a_number": "A12"})
    assert response.status_code == 400
    assert 'id="id_person_add_a_number_error"' in html(response)
    assert row_counts() == before


def test_a_volunteer_assigned_sees_the_family_redacted_until_the_assignment_ends(family, page_for, vera):  # noqa: ANN001
    url = f"/cases/{family.case.pk}/"
    volunteer = page_for("vera")
    assert volunteer.get(url).status_code == 404
    admin = page_for("adam")
    assert do(admin, family, "assign", {"user": vera.pk}).status_code == 302
    page = volunteer.get(url)
    assert page.status_code == 200 and "Ana" not in html(page)
    assignment = Assignment.objects.get(case=family.case, user=vera)
    assert "vera@example.test" in html(admin.get(url))  # listed under "Assigned to this family"
    assert do(admin, family, "unassign", {"assignment": assignment.pk}).status_code == 302
    assert volunteer.get(url).status_code == 404


def test_a_member_of_another_organisation_cannot_be_assigned(family, page_for, charlie):  # noqa: ANN001
    before = row_counts()
    response = do(page_for("adam"), family, "assign", {"user": charlie.pk})
    assert response.status_code == 400
    assert row_counts() == before


def test_a_file_is_closed_with_a_reason_and_reopened(family, page_for):  # noqa: ANN001
    client = page_for("alice")
    assert "ALP-001" in html(client.get("/")).split('id="h-detained"')[1].split("</section>")[0]
    assert do(client, family, "close", {"reason": "Reunified in Chula Vista", "on": family.today.isoformat()}
              ).status_code == 302
    case = Case.objects.get(pk=family.case.pk)
    assert (case.status, case.closed_on, case.closed_reason) == ("closed", family.today, "Reunified in Chula Vista")
    page = html(client.get(f"/cases/{case.pk}/"))
    assert "File closed on" in page and "Reunified in Chula Vista" in page
    assert f"/cases/{case.pk}/do/reopen/" in page and f"/cases/{case.pk}/do/close/" not in page
    # A closed file needs no attention: off the dashboard, still in the list with a badge.
    assert "ALP-001" not in html(client.get("/")).split('id="h-detained"')[1].split("</section>")[0]
    assert re.search(r'ALP-001</a> <span class="badge">Closed</span>', html(client.get("/cases/")))
    assert do(client, family, "reopen", {"reason": "The father's appeal reopened the case"}).status_code == 302
    case.refresh_from_db()
    assert (case.status, case.closed_on, case.closed_reason) == ("open", None, "")
    actions = list(CaseEvent.objects.filter(case=case, action__in=["case.closed", "case.reopened"])
                   .order_by("id").values_list("action", flat=True))
    assert actions == ["case.closed", "case.reopened"]


def test_closing_needs_a_reason_and_a_date_not_in_the_future(family, page_for):  # noqa: ANN001
    import datetime as dt

    client = page_for("alice")
    before = row_counts()
    assert do(client, family, "close", {"reason": " ", "on": family.today.isoformat()}).status_code == 400
    tomorrow = (family.today + dt.timedelta(days=1)).isoformat()
    assert do(client, family, "close", {"reason": "Moved away", "on": tomorrow}).status_code == 400
    assert row_counts() == before
    assert Case.objects.get(pk=family.case.pk).status == "open"


def test_a_redacted_reader_never_sees_why_a_file_was_closed(family, page_for, alice):  # noqa: ANN001
    from cases import services

    services.case_close(actor=alice, case=family.case, reason="Mother deported to Honduras")
    for who in ("olga", "victor"):
        page = html(page_for(who).get(f"/cases/{family.case.pk}/"))
        assert "File closed on" in page and "Honduras" not in page
