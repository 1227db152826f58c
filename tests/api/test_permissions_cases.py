"""Cases and shares under /api/v1/: every read and write, tried by every member of the cast."""
from collections.abc import Callable
from types import SimpleNamespace

import pytest

from cases.models import Assignment, Case, CaseShare, CustodyEpisode
from tests.world import *  # noqa: F403  (the cast and the family, built once for the module)

from .conftest import ANONYMOUS
from .matrix import (
    FULL_READERS, NON_READERS, REDACTED_READERS, SEE_BUT_NOT_WRITE, WRITERS, Endpoint, Write,
    assert_anonymous_refused, assert_reads, assert_write_hidden, assert_write_refused, assert_write_succeeds, ids,
)

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    Endpoint("/api/v1/cases/", lambda fam: fam.case),
    # Who represents a family is PII-level: organizers and volunteers do not see shares.
    Endpoint("/api/v1/shares/", lambda fam: fam.share, pii_only=True),
]


def case_url(action: str = "") -> Callable[[SimpleNamespace], str]:
    return lambda fam: f"/api/v1/cases/{fam.case.pk}/{action}"


def open_kinds(fam) -> set[str]:  # noqa: ANN001
    return set(CustodyEpisode.objects.filter(person__case=fam.case, ended_on__isnull=True)
               .values_list("kind", flat=True))


WRITES = [
    Write("case PATCH", "patch", case_url(),
          lambda fam: {"version": Case.objects.get(pk=fam.case.pk).version, "summary": "Daughter located in Texas."},
          lambda fam: Case.objects.get(pk=fam.case.pk).summary),
    Write("consent", "post", case_url("consent/"), lambda fam: {"level": "story"},
          lambda fam: Case.objects.get(pk=fam.case.pk).consent_level),
    Write("mark-reunified", "post", case_url("mark-reunified/"), lambda fam: {"on": fam.today.isoformat()},
          open_kinds),
    Write("share", "post", case_url("share/"), lambda fam: {"access": "view", "organization": "gamma-justice"},
          lambda fam: CaseShare.objects.filter(case=fam.case, revoked_at__isnull=True).count(), status=201),
    Write("assign", "post", case_url("assign/"), lambda fam: {"user": "vera@example.test"},
          lambda fam: Assignment.objects.filter(case=fam.case, user__email="vera@example.test").exists(),
          status=201),
    Write("shares revoke", "post", lambda fam: f"/api/v1/shares/{fam.share.pk}/revoke/", lambda fam: {},
          lambda fam: CaseShare.objects.get(pk=fam.share.pk).revoked_at),
]


# --- reads ---------------------------------------------------------------------------------
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
@pytest.mark.parametrize("who", FULL_READERS + REDACTED_READERS + NON_READERS)
def test_list_and_detail_show_the_case_exactly_to_those_allowed(who, endpoint, family, gamma_case, client_for):  # noqa: ANN001
    assert_reads(client_for(who), who, endpoint, family)


@pytest.mark.parametrize("who", FULL_READERS + REDACTED_READERS)
def test_readers_never_see_another_organisations_case(who, family, gamma_case, client_for):  # noqa: ANN001
    assert ids(client_for(who).get("/api/v1/cases/")) == [family.case.pk]


@pytest.mark.parametrize("who", FULL_READERS + REDACTED_READERS)
def test_readers_get_the_case_history(who, family, client_for):  # noqa: ANN001
    response = client_for(who).get(f"/api/v1/cases/{family.case.pk}/history/")
    assert response.status_code == 200, response.content
    assert "case.opened" in {e["action"] for e in response.json()["results"]}


@pytest.mark.parametrize("who", NON_READERS)
def test_non_readers_get_404_on_case_history(who, family, client_for):  # noqa: ANN001
    assert client_for(who).get(f"/api/v1/cases/{family.case.pk}/history/").status_code == 404


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_anonymous_cannot_list_or_read(endpoint, family, client_for):  # noqa: ANN001
    anonymous = client_for(ANONYMOUS)
    assert_anonymous_refused(anonymous.get(endpoint.path))
    assert_anonymous_refused(anonymous.get(endpoint.detail(family)))
    assert_anonymous_refused(anonymous.get(f"/api/v1/cases/{family.case.pk}/history/"))


# --- writes --------------------------------------------------------------------------------
@pytest.mark.parametrize("write", WRITES, ids=str)
@pytest.mark.parametrize("who", WRITERS)
def test_owning_organisation_advocate_and_admin_can_write(who, write, family, client_for):  # noqa: ANN001
    assert_write_succeeds(client_for(who), write, family)


@pytest.mark.parametrize("write", WRITES, ids=str)
@pytest.mark.parametrize("who", SEE_BUT_NOT_WRITE)
def test_readers_without_change_rights_get_403_and_nothing_changes(who, write, family, client_for):  # noqa: ANN001
    # Shares are hidden from redacted readers altogether, so revoking one is a 404 for them.
    hidden = write.name == "shares revoke" and who in REDACTED_READERS
    assert_write_refused(client_for(who), write, family, (404,) if hidden else (403,))


@pytest.mark.parametrize("write", WRITES, ids=str)
@pytest.mark.parametrize("who", NON_READERS)
def test_non_readers_get_404_and_nothing_changes(who, write, family, client_for):  # noqa: ANN001
    assert_write_hidden(client_for(who), write, family)


@pytest.mark.parametrize("write", WRITES, ids=str)
def test_anonymous_cannot_write(write, family, client_for):  # noqa: ANN001
    assert_write_refused(client_for(ANONYMOUS), write, family, (401, 403))


# --- opening a case ------------------------------------------------------------------------
def new_case(org_pk: int) -> dict:
    return {"organization": org_pk, "reference": "ALP-002", "separation_place": "Calexico"}


@pytest.mark.parametrize("who", WRITERS)
def test_advocate_and_admin_open_a_case_in_their_organisation(who, family, alpha, client_for):  # noqa: ANN001
    response = client_for(who).post("/api/v1/cases/", new_case(alpha.pk), format="json")
    assert response.status_code == 201, response.content
    created = Case.objects.get(organization=alpha, reference="ALP-002")
    assert response.json()["id"] == created.pk
    assert created.pk in ids(client_for(who).get("/api/v1/cases/"))


@pytest.mark.parametrize("who", ["bob", "charlie", "olga", "victor", "vera"])
def test_nobody_else_opens_a_case_in_alpha(who, family, alpha, client_for):  # noqa: ANN001
    response = client_for(who).post("/api/v1/cases/", new_case(alpha.pk), format="json")
    assert response.status_code == 400, response.content
    assert "organization" in response.json()
    assert not Case.objects.filter(reference="ALP-002").exists()


def test_anonymous_cannot_open_a_case(family, alpha, client_for):  # noqa: ANN001
    assert_anonymous_refused(client_for(ANONYMOUS).post("/api/v1/cases/", new_case(alpha.pk), format="json"))
    assert not Case.objects.filter(reference="ALP-002").exists()
