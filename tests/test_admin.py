"""The admin under the same object permissions as the API: staff see only the families their
memberships and shares open to them (a superuser flag opens nothing), PII only with
view_case_pii, and every change goes through the services and lands in the history."""
import datetime as dt

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Membership, Organization, OrganizationGroup, User
from accounts.roles import Role
from cases import services
from cases.models import (
    Assignment, Case, CaseEvent, CaseShare, CredibleFearProcess, CustodyEpisode, Facility, FieldOffice, Hearing,
    Note, Person, Proceeding, ReferenceChange, Sponsor,
)

from . import factories as f

CASE_URL = "/admin/cases/case/"
SUMMARY = "Mother held at Imperial; daughter at a shelter in San Diego."


def _staff(user: User, superuser: bool = False) -> Client:
    user.is_staff = True
    user.is_superuser = superuser
    user.save(update_fields=["is_staff", "is_superuser"])
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def full_case(alice, case, facility):  # noqa: ANN001, ANN201
    """`case` with a summary, a sponsor, a credible-fear process, a proceeding, a hearing, a note."""
    case = services.case_update(actor=alice, case=case, version=case.version, summary=SUMMARY)
    mother = case.people.get(role="parent")
    services.sponsor_create(actor=alice, case=case, name="Rosa Ejemplo", relationship="sister", category="2B",
                            status="approved", contact="(619) 555-0100")
    services.fear_process_create(actor=alice, person=mother, kind="credible", interview_on=dt.date(2019, 3, 12))
    proceeding = services.proceeding_create(actor=alice, case=case, person=mother, kind="immigration_court",
                                            court=facility, docket="DOCKET-PII-77")
    services.hearing_schedule(actor=alice, proceeding=proceeding,
                              scheduled_at=timezone.now() + dt.timedelta(days=400), purpose="Bond hearing")
    services.note_create(actor=alice, case=case, body="Private note about the family.")
    return case


def _case_form(case: Case, **overrides: object) -> dict:
    data = {
        "reference": case.reference,
        "separated_on": case.separated_on.isoformat() if case.separated_on else "",
        "separation_place": case.separation_place,
        "port_of_entry": case.port_of_entry_id or "",
        "summary": case.summary,
        "consent_level": case.consent_level,
        "based_on_version": case.version,
    }
    data.update(overrides)
    return data


def test_every_model_is_registered():
    expected = {User, Organization, Membership, Facility, FieldOffice, Case, Person, CustodyEpisode, Sponsor,
                CredibleFearProcess, Proceeding, Hearing, Note, CaseEvent, CaseShare, Assignment}
    assert expected <= set(admin.site._registry)


def test_staff_advocate_of_owning_org_sees_the_case_and_opens_it(alice, full_case):  # noqa: ANN001
    client = _staff(alice)
    r = client.get(CASE_URL)
    assert r.status_code == 200
    assert "ALP-001" in r.content.decode()
    r = client.get(f"{CASE_URL}{full_case.pk}/change/")
    assert r.status_code == 200
    assert SUMMARY in r.content.decode()


def test_staff_superuser_outsider_does_not_see_the_case_and_is_redirected(charlie, full_case):  # noqa: ANN001
    client = _staff(charlie, superuser=True)
    r = client.get(CASE_URL)
    assert r.status_code == 200
    assert "ALP-001" not in r.content.decode()
    r = client.get(f"{CASE_URL}{full_case.pk}/change/")
    assert r.status_code in (302, 404)
    # Same answer as for an id that does not exist: nothing confirms the family is there.
    missing = client.get(f"{CASE_URL}{full_case.pk + 1000}/change/")
    assert (r.status_code, r.get("Location")) == (missing.status_code, missing.get("Location"))


@pytest.mark.parametrize("path", [
    "cases/person/", "cases/custodyepisode/", "cases/sponsor/", "cases/crediblefearprocess/",
    "cases/proceeding/", "cases/hearing/", "cases/note/", "cases/caseevent/", "cases/caseshare/",
    "cases/assignment/",
])
def test_superuser_outsider_sees_nothing_of_the_family_in_any_case_list(charlie, full_case, victor,  # noqa: ANN001
                                                                        shared_with_bob, path):  # noqa: ANN001
    client = _staff(charlie, superuser=True)
    r = client.get(f"/admin/{path}")
    assert r.status_code == 200
    model = {m._meta.model_name: m for m in admin.site._registry}[path.split("/")[1]]
    assert f"0 {model._meta.verbose_name_plural}" in r.content.decode()
    obj = model.objects.first()
    assert obj is not None
    assert client.get(f"/admin/{path}{obj.pk}/change/").status_code in (302, 404)


def test_superuser_outsider_cannot_post_a_change(charlie, full_case):  # noqa: ANN001
    client = _staff(charlie, superuser=True)
    r = client.post(f"{CASE_URL}{full_case.pk}/change/", _case_form(full_case, summary="overwritten"))
    assert r.status_code in (302, 403, 404)
    full_case.refresh_from_db()
    assert full_case.summary == SUMMARY


def test_change_saved_in_admin_goes_through_the_service_and_writes_history(alice, full_case):  # noqa: ANN001
    client = _staff(alice)
    r = client.post(f"{CASE_URL}{full_case.pk}/change/",
                    _case_form(full_case, separation_place="Calexico-Mexicali port of entry"))
    assert r.status_code == 302, r.content.decode()[:2000]
    full_case.refresh_from_db()
    assert full_case.separation_place == "Calexico-Mexicali port of entry"
    assert full_case.version == 3
    event = CaseEvent.objects.filter(case=full_case).order_by("-id").first()
    assert (event.action, event.actor) == ("case.updated", alice)
    assert event.after == {"separation_place": "Calexico-Mexicali port of entry"}


def test_consent_changed_in_admin_is_recorded_with_who_and_when(alice, full_case):  # noqa: ANN001
    client = _staff(alice)
    r = client.post(f"{CASE_URL}{full_case.pk}/change/", _case_form(full_case, consent_level="anonymous"))
    assert r.status_code == 302
    full_case.refresh_from_db()
    assert (full_case.consent_level, full_case.consent_recorded_by) == ("anonymous", alice)
    assert CaseEvent.objects.filter(case=full_case, action="consent.recorded").exists()


def test_stale_admin_save_changes_nothing_and_says_why(alice, full_case):  # noqa: ANN001
    client = _staff(alice)
    stale = _case_form(full_case, summary="from an old tab")
    services.case_update(actor=alice, case=full_case, version=full_case.version, separation_place="Calexico")
    r = client.post(f"{CASE_URL}{full_case.pk}/change/", stale)
    assert r.status_code == 200
    assert "changed this record after you opened it" in r.content.decode()
    full_case.refresh_from_db()
    assert full_case.summary == SUMMARY


def test_service_rule_shows_as_form_error(alice, full_case):  # noqa: ANN001
    client = _staff(alice)
    open_episode = CustodyEpisode.objects.get(person__case=full_case, person__role="parent", ended_on__isnull=True)
    r = client.post(f"/admin/cases/custodyepisode/{open_episode.pk}/change/", {
        "kind": "removed", "facility": "", "release_type": "", "removed_to": "", "sponsor": "",
        "started_on": open_episode.started_on.isoformat(), "ended_on": "",
        "based_on_version": open_episode.version, "reason": "She was removed",
    })
    assert r.status_code == 200
    assert "Say which country" in r.content.decode()
    open_episode.refresh_from_db()
    assert open_episode.kind == "ice_detention"


def test_person_change_in_admin_writes_history_and_a_number_stays_out_of_the_list(alice, full_case):  # noqa: ANN001
    client = _staff(alice)
    mother = full_case.people.get(role="parent")
    r = client.get("/admin/cases/person/")
    body = r.content.decode()
    assert "Ana" in body
    assert "201555019" not in body and "201-555-019" not in body
    r = client.post(f"/admin/cases/person/{mother.pk}/change/", {
        "role": "parent", "first_name": "Ana", "last_name": "Ejemplo", "date_of_birth": "",
        "country_of_birth": "Honduras", "languages": "", "address": "", "a_number": mother.a_number,
        "based_on_version": mother.version,
    })
    assert r.status_code == 302, r.content.decode()[:2000]
    event = CaseEvent.objects.filter(case=full_case, action="person.updated").get()
    assert event.after == {"country_of_birth": "Honduras"}


def test_organizer_reads_the_case_without_pii_and_cannot_change_it(olga, full_case):  # noqa: ANN001
    client = _staff(olga)
    r = client.get(f"{CASE_URL}{full_case.pk}/change/")
    assert r.status_code == 200
    assert SUMMARY not in r.content.decode()
    r = client.post(f"{CASE_URL}{full_case.pk}/change/", _case_form(full_case, summary="x"))
    assert r.status_code == 403
    people = client.get("/admin/cases/person/").content.decode()
    assert "Ana" not in people and "(redacted)" in people
    mother = full_case.people.get(role="parent")
    page = client.get(f"/admin/cases/person/{mother.pk}/change/").content.decode()
    assert "Ana" not in page and "Ejemplo" not in page
    proceeding = full_case.proceedings.get()
    assert "DOCKET-PII-77" not in client.get(f"/admin/cases/proceeding/{proceeding.pk}/change/").content.decode()
    assert "0 notes" in client.get("/admin/cases/note/").content.decode()


def test_history_redacts_pii_for_a_reader_without_pii(olga, alice, full_case):  # noqa: ANN001
    event = CaseEvent.objects.get(case=full_case, action="person.added", after__first_name="Ana")
    assert "Ana" not in _staff(olga).get(f"/admin/cases/caseevent/{event.pk}/change/").content.decode()
    assert "Ana" in _staff(alice).get(f"/admin/cases/caseevent/{event.pk}/change/").content.decode()


def test_volunteer_sees_only_the_assigned_case(victor, vera, full_case):  # noqa: ANN001
    assert "ALP-001" in _staff(victor).get(CASE_URL).content.decode()
    assert "ALP-001" not in _staff(vera).get(CASE_URL).content.decode()


def test_read_only_co_counsel_views_but_cannot_change(bob, shared_with_bob, full_case):  # noqa: ANN001
    client = _staff(bob)
    assert client.get(f"{CASE_URL}{full_case.pk}/change/").status_code == 200
    r = client.post(f"{CASE_URL}{full_case.pk}/change/", _case_form(full_case, summary="x"))
    assert r.status_code == 403


def test_nothing_is_added_or_deleted_in_the_case_admin(alice, full_case):  # noqa: ANN001
    client = _staff(alice, superuser=True)
    assert client.get(f"{CASE_URL}add/").status_code == 403
    assert client.post(f"{CASE_URL}{full_case.pk}/delete/", {"post": "yes"}).status_code == 403
    event = CaseEvent.objects.filter(case=full_case).first()
    assert client.post(f"/admin/cases/caseevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.post(f"/admin/cases/caseevent/{event.pk}/change/", {}).status_code == 403
    assert Case.objects.filter(pk=full_case.pk).exists()


@pytest.mark.parametrize("model", [Case, Person, CustodyEpisode, Sponsor, CredibleFearProcess, Proceeding, Hearing,
                                   Note, CaseEvent, CaseShare, Assignment, Facility, FieldOffice])
def test_owner_opens_every_list_and_detail_page(alice, full_case, victor, shared_with_bob, model):  # noqa: ANN001
    client = _staff(alice)
    base = f"/admin/cases/{model._meta.model_name}/"
    assert client.get(base).status_code == 200
    obj = model.objects.first()
    assert client.get(f"{base}{obj.pk}/change/").status_code == 200


def test_legal_staff_add_a_facility_and_only_an_admin_changes_it(alice, adam, olga):  # noqa: ANN001
    office = f.FieldOfficeFactory()
    data = {"name": "Calexico West Port of Entry", "kind": "port_of_entry", "address": "", "city": "Calexico",
            "state": "CA", "field_office": office.pk}
    assert _staff(olga).post("/admin/cases/facility/add/", data).status_code == 403
    r = _staff(alice).post("/admin/cases/facility/add/", data)
    assert r.status_code == 302, r.content.decode()[:2000]
    facility = Facility.objects.get(name="Calexico West Port of Entry")
    change = {**data, "address": "1699 E Carr Rd", "based_on_version": facility.version}
    assert _staff(alice).post(f"/admin/cases/facility/{facility.pk}/change/", change).status_code == 403
    facility.refresh_from_db()
    assert (facility.address, facility.version) == ("", 1)
    r = _staff(adam).post(f"/admin/cases/facility/{facility.pk}/change/", change)
    assert r.status_code == 302
    facility.refresh_from_db()
    assert (facility.address, facility.version) == ("1699 E Carr Rd", 2)
    assert [(c.actor, c.action) for c in ReferenceChange.objects.filter(subject_id=facility.pk)] == [
        (adam, "updated"), (alice, "created")]


# --- accounts ---------------------------------------------------------------------------------------

def test_superuser_creates_an_email_user(db):  # noqa: ANN001
    root = f.UserFactory(email="root@example.test")
    client = _staff(root, superuser=True)
    r = client.post("/admin/accounts/user/add/", {
        "email": "New.Person@Example.test", "usable_password": "true",
        "password1": "a long demo passphrase 42", "password2": "a long demo passphrase 42",
    })
    assert r.status_code == 302, r.content.decode()[:2000]
    r = Client().post("/accounts/login/", {"username": "new.person@example.test",
                                           "password": "a long demo passphrase 42"})
    assert r.status_code == 302


def test_organisation_and_membership_added_in_admin_go_through_services(alice, full_case):  # noqa: ANN001
    root = f.UserFactory(email="root@example.test")
    client = _staff(root, superuser=True)
    r = client.post("/admin/accounts/organization/add/", {"name": "Delta Defenders", "kind": "legal",
                                                           "slug": "delta-defenders"})
    assert r.status_code == 302, r.content.decode()[:2000]
    delta = Organization.objects.get(name="Delta Defenders")
    assert OrganizationGroup.objects.filter(organization=delta).count() == len(Role.values)

    # A new advocate of Alpha gets Alpha's cases at once: the membership service put them in the group.
    newcomer = f.UserFactory(email="newcomer@example.test")
    r = client.post("/admin/accounts/membership/add/", {"user": newcomer.pk, "organization": full_case.organization_id,
                                                         "role": "advocate", "is_active": "on"})
    assert r.status_code == 302, r.content.decode()[:2000]
    assert "ALP-001" in _staff(newcomer).get(CASE_URL).content.decode()

    # Deactivating (the checkbox left unticked) takes the access away again.
    membership = Membership.objects.get(user=newcomer)
    r = client.post(f"/admin/accounts/membership/{membership.pk}/change/", {"role": "advocate"})
    assert r.status_code == 302
    assert "ALP-001" not in _staff(newcomer).get(CASE_URL).content.decode()


def test_global_permissions_open_no_case(charlie, full_case):  # noqa: ANN001
    charlie.user_permissions.add(*Permission.objects.filter(content_type__app_label="cases"))
    client = _staff(charlie)
    assert "ALP-001" not in client.get(CASE_URL).content.decode()
    assert client.get(f"{CASE_URL}{full_case.pk}/change/").status_code in (302, 404)


@pytest.mark.parametrize("path", ["cases/case/", "cases/person/", "cases/custodyepisode/", "cases/sponsor/",
                                  "cases/caseevent/", "cases/hearing/"])
def test_admin_lists_cost_the_same_number_of_queries_for_more_rows(alice, alpha, full_case, facility, path):  # noqa: ANN001
    client = _staff(alice)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/admin/{path}").status_code == 200
        return len(ctx)

    queries()  # warm the content-type cache
    before = queries()
    for n in range(3):
        extra = f.make_case(alice, alpha, reference=f"ALP-10{n}")
        person = f.make_person(alice, extra, first_name=f"Extra{n}")
        f.detain(alice, person, facility=facility)
        services.sponsor_create(actor=alice, case=extra, name="Sponsor", category="3")
        proceeding = services.proceeding_create(actor=alice, case=extra, kind="bond")
        services.hearing_schedule(actor=alice, proceeding=proceeding,
                                  scheduled_at=timezone.now() + dt.timedelta(days=430))
    # Session, user, the caller's rights (cached per request), the count and the page: no query per row.
    assert queries() == before


def test_superuser_opens_the_accounts_pages(alice, alpha):  # noqa: ANN001
    client = _staff(f.UserFactory(email="root@example.test"), superuser=True)
    membership = Membership.objects.get(user=alice)
    group = OrganizationGroup.objects.filter(organization=alpha).first()
    for url in ("/admin/accounts/user/", f"/admin/accounts/user/{alice.pk}/change/", "/admin/accounts/user/add/",
                "/admin/accounts/organization/", f"/admin/accounts/organization/{alpha.pk}/change/",
                "/admin/accounts/organization/add/", "/admin/accounts/membership/",
                f"/admin/accounts/membership/{membership.pk}/change/", "/admin/accounts/organizationgroup/",
                f"/admin/accounts/organizationgroup/{group.pk}/change/"):
        assert client.get(url).status_code == 200, url
    assert client.post(f"/admin/accounts/user/{alice.pk}/delete/", {"post": "yes"}).status_code == 403
