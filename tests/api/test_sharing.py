"""Sharing with co-counsel through the API: a share or a revocation takes effect on the
grantee's very next request; 'change' lets them write; nobody can share onwards."""
import pytest

from accounts.roles import Role
from cases import services
from cases.models import Assignment, Case, CaseShare, Note
from tests.world import *  # noqa: F403  (the cast and the family, built once for the module)

from .. import factories as f
from .matrix import ids

pytestmark = pytest.mark.django_db


def share(client, case, **grantee) -> dict:  # noqa: ANN001, ANN003
    response = client.post(f"/api/v1/cases/{case.pk}/share/", {"access": "view", **grantee}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def sees(client, case) -> bool:  # noqa: ANN001
    """Detail and list agree on whether the case is visible."""
    status = client.get(f"/api/v1/cases/{case.pk}/").status_code
    listed = case.pk in ids(client.get("/api/v1/cases/"))
    assert (status, listed) in ((200, True), (404, False))
    return listed


def patch_summary(client, case, text: str):  # noqa: ANN001, ANN201
    version = Case.objects.get(pk=case.pk).version
    return client.patch(f"/api/v1/cases/{case.pk}/", {"version": version, "summary": text}, format="json")


GRANTEES = {"user": {"user": "charlie@example.test"}, "organisation": {"organization": "gamma-justice"}}


@pytest.mark.parametrize("grantee", GRANTEES, ids=str)
def test_a_share_lets_the_grantee_read_on_the_next_request(grantee, family, client_for):  # noqa: ANN001
    charlie = client_for("charlie")
    assert not sees(charlie, family.case)

    share(client_for("alice"), family.case, **GRANTEES[grantee])

    assert sees(charlie, family.case)
    assert family.mother.pk in ids(charlie.get("/api/v1/people/"))
    detail = charlie.get(f"/api/v1/people/{family.mother.pk}/").json()
    assert detail["redacted"] is False, "co-counsel represents the family: a share carries PII"
    assert family.note.pk in ids(charlie.get("/api/v1/notes/"))


@pytest.mark.parametrize("grantee", GRANTEES, ids=str)
def test_revoking_a_share_hides_the_case_on_the_next_request(grantee, family, client_for):  # noqa: ANN001
    alice, charlie = client_for("alice"), client_for("charlie")
    created = share(alice, family.case, **GRANTEES[grantee])
    assert sees(charlie, family.case)

    response = alice.post(f"/api/v1/shares/{created['id']}/revoke/")

    assert response.status_code == 200, response.content
    assert response.json()["revoked_at"] is not None
    assert CaseShare.objects.get(pk=created["id"]).revoked_at is not None
    assert not sees(charlie, family.case)
    assert charlie.get(f"/api/v1/people/{family.mother.pk}/").status_code == 404
    assert family.note.pk not in ids(charlie.get("/api/v1/notes/"))


def test_revoking_the_read_only_collaborators_share_hides_the_case_from_bob(family, client_for):  # noqa: ANN001
    bob = client_for("bob")
    assert sees(bob, family.case)
    assert client_for("alice").post(f"/api/v1/shares/{family.share.pk}/revoke/").status_code == 200
    assert not sees(bob, family.case)


def test_a_view_share_does_not_let_the_grantee_write(family, client_for):  # noqa: ANN001
    share(client_for("alice"), family.case, user="charlie@example.test")
    response = patch_summary(client_for("charlie"), family.case, "Changed by co-counsel.")
    assert response.status_code == 403
    assert Case.objects.get(pk=family.case.pk).summary == family.case.summary


@pytest.mark.parametrize("grantee", GRANTEES, ids=str)
def test_a_change_share_lets_the_grantee_write(grantee, family, client_for):  # noqa: ANN001
    alice, charlie = client_for("alice"), client_for("charlie")
    granted = alice.post(f"/api/v1/cases/{family.case.pk}/share/", {"access": "change", **GRANTEES[grantee]},
                         format="json")
    assert granted.status_code == 201, granted.content

    assert patch_summary(charlie, family.case, "Co-counsel filed the bond motion.").status_code == 200
    assert Case.objects.get(pk=family.case.pk).summary == "Co-counsel filed the bond motion."
    note = charlie.post("/api/v1/notes/", {"case": family.case.pk, "body": "Bond set at $1,500."}, format="json")
    assert note.status_code == 201, note.content
    assert Note.objects.filter(case=family.case, body="Bond set at $1,500.").exists()


def test_resharing_with_less_access_takes_the_write_right_away(family, client_for):  # noqa: ANN001
    alice, charlie = client_for("alice"), client_for("charlie")
    alice.post(f"/api/v1/cases/{family.case.pk}/share/", {"access": "change", "user": "charlie@example.test"},
               format="json")
    assert patch_summary(charlie, family.case, "First edit.").status_code == 200
    share(alice, family.case, user="charlie@example.test")  # access: view
    assert patch_summary(charlie, family.case, "Second edit.").status_code == 403
    assert CaseShare.objects.filter(case=family.case, user__email="charlie@example.test",
                                    revoked_at__isnull=True).count() == 1


def test_an_advocate_joining_the_co_counsel_organisation_later_sees_the_shared_case(family, gamma, client_for):  # noqa: ANN001
    share(client_for("alice"), family.case, organization="gamma-justice")
    gabe = f.member(gamma, Role.ADVOCATE, "gabe@example.test")
    client = client_for("anonymous")
    client.force_login(gabe)
    assert sees(client, family.case)


# --- a share never lets the grantee share onwards -------------------------------------------
@pytest.fixture
def charlie_can_change(family, alice, charlie):  # noqa: ANN001, ANN201
    return services.share_create(actor=alice, case=family.case, access="change", user=charlie)


ONWARD = [
    ("share with a user", lambda fam: (f"/api/v1/cases/{fam.case.pk}/share/",
                                       {"access": "view", "user": "vera@example.test"})),
    ("share with an organisation", lambda fam: (f"/api/v1/cases/{fam.case.pk}/share/",
                                                {"access": "change", "organization": "gamma-justice"})),
    ("assign", lambda fam: (f"/api/v1/cases/{fam.case.pk}/assign/", {"user": "vera@example.test"})),
    ("revoke another share", lambda fam: (f"/api/v1/shares/{fam.share.pk}/revoke/", {})),
]


@pytest.mark.parametrize(("name", "request_for"), ONWARD, ids=[o[0] for o in ONWARD])
@pytest.mark.parametrize("who", ["bob", "charlie"], ids=["view share", "change share"])
def test_a_share_never_lets_the_grantee_share_onwards(who, name, request_for, family, charlie_can_change,
                                                      client_for):  # noqa: ANN001
    shares_before = list(CaseShare.objects.filter(case=family.case).values_list("id", "access", "revoked_at"))
    url, body = request_for(family)

    response = client_for(who).post(url, body, format="json")

    assert response.status_code == 403, response.content
    assert list(CaseShare.objects.filter(case=family.case).values_list("id", "access", "revoked_at")) == shares_before
    assert not Assignment.objects.filter(case=family.case, user__email="vera@example.test").exists()
    assert not sees(client_for("vera"), family.case)


def test_a_case_cannot_be_shared_with_its_own_organisation(family, client_for):  # noqa: ANN001
    response = client_for("alice").post(f"/api/v1/cases/{family.case.pk}/share/",
                                        {"access": "view", "organization": "alpha-legal"}, format="json")
    assert response.status_code == 400
    assert not CaseShare.objects.filter(case=family.case, organization__slug="alpha-legal").exists()
