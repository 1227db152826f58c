"""Every change to a family's record leaves an immutable history entry: who, when, before, after.

Each transition is driven through the API, and the entry is read back through
GET /api/v1/cases/{id}/history/, the case timeline.
"""
import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from cases import services
from cases.models import CaseEvent, CaseShare

from ..api.matrix import PII_IN_HISTORY as PII
from .helpers import client_for, days_ago, history, iso, last_event_id, new_events, one_event, today
from .world import *  # noqa: F403  (the cast and `case`, built once for the module)

pytestmark = pytest.mark.django_db

ALICE = "alice@example.test"


# --- fixtures set up through the services ------------------------------------------------------
@pytest.fixture
def sponsor(alice, case, child):  # noqa: ANN001, ANN201
    return services.sponsor_create(actor=alice, case=case, person=child, name="Rosa Ejemplo",
                                   relationship="aunt", category="2B", status="approved",
                                   contact="rosa@example.test")


@pytest.fixture
def fear_process(alice, mother):  # noqa: ANN001, ANN201
    return services.fear_process_create(actor=alice, person=mother, kind="credible", interview_on=days_ago(6))


@pytest.fixture
def negative_finding(alice, fear_process):  # noqa: ANN001, ANN201
    return services.interview_outcome_record(actor=alice, process=fear_process, outcome="negative",
                                             decided_on=days_ago(5))


@pytest.fixture
def review_requested(alice, negative_finding):  # noqa: ANN001, ANN201
    return services.ij_review_request(actor=alice, process=negative_finding, requested_on=days_ago(4))


@pytest.fixture
def proceeding(alice, case, mother):  # noqa: ANN001, ANN201
    return services.proceeding_create(actor=alice, case=case, person=mother, kind="immigration_court",
                                      docket="A-DOCKET-77")


@pytest.fixture
def hearing(alice, proceeding):  # noqa: ANN001, ANN201
    return services.hearing_schedule(actor=alice, proceeding=proceeding,
                                     scheduled_at=timezone.now() + dt.timedelta(days=9), purpose="Master calendar")


# --- transitions -------------------------------------------------------------------------------
def test_transfer_custody_writes_history_with_actor_and_before_after(alice_api, case, mother, facility,
                                                                     other_facility):
    mark = last_event_id(case)
    r = alice_api.post(f"/api/v1/people/{mother.pk}/transfer-custody/",
                       {"kind": "ice_detention", "on": iso(days_ago(3)), "facility": other_facility.pk})
    assert r.status_code == 201, r.content

    event = one_event(alice_api, case, mark, "custody.transferred")
    assert event["actor"] == ALICE
    assert event["subject_type"] == "custodyepisode"
    assert event["subject_id"] == r.json()["id"]
    assert event["before"] == {"kind": "ice_detention", "facility": facility.pk, "started_on": iso(days_ago(40))}
    assert event["after"]["facility"] == other_facility.pk
    assert event["after"]["started_on"] == iso(days_ago(3))


def test_release_to_sponsor_records_the_custody_change_and_the_sponsor_status(alice_api, case, child, sponsor):
    mark = last_event_id(case)
    r = alice_api.post(f"/api/v1/people/{child.pk}/release-to-sponsor/",
                       {"sponsor": sponsor.pk, "on": iso(today())})
    assert r.status_code == 201, r.content

    events = new_events(alice_api, case, mark)
    assert [e["action"] for e in events] == ["custody.transferred", "sponsor.status_changed"]
    custody, status = events
    assert custody["actor"] == status["actor"] == ALICE
    assert custody["before"]["kind"] == "orr_shelter"
    assert custody["after"]["kind"] == "with_sponsor"
    assert custody["after"]["sponsor"] == sponsor.pk
    assert status["subject_id"] == sponsor.pk
    assert status["before"] == {"status": "approved"}
    assert status["after"] == {"status": "released_to_sponsor"}


def test_recording_the_interview_outcome_writes_history(alice_api, case, fear_process):
    mark = last_event_id(case)
    r = alice_api.post(f"/api/v1/credible-fear/{fear_process.pk}/record-outcome/",
                       {"outcome": "negative", "decided_on": iso(days_ago(2))})
    assert r.status_code == 200, r.content

    event = one_event(alice_api, case, mark, "credible_fear.decided")
    assert event["actor"] == ALICE
    assert event["subject_id"] == fear_process.pk
    assert event["before"] == {"outcome": "pending", "decided_on": None}
    assert event["after"] == {"outcome": "negative", "decided_on": iso(days_ago(2))}


def test_requesting_ij_review_writes_history(alice_api, case, negative_finding):
    mark = last_event_id(case)
    r = alice_api.post(f"/api/v1/credible-fear/{negative_finding.pk}/request-review/",
                       {"requested_on": iso(days_ago(1))})
    assert r.status_code == 200, r.content

    event = one_event(alice_api, case, mark, "credible_fear.review_requested")
    assert event["actor"] == ALICE
    assert event["before"] == {"review": "", "review_requested_on": None}
    assert event["after"] == {"review": "requested", "review_requested_on": iso(days_ago(1))}


def test_recording_the_ij_review_writes_history(alice_api, case, review_requested):
    mark = last_event_id(case)
    r = alice_api.post(f"/api/v1/credible-fear/{review_requested.pk}/record-review/",
                       {"result": "vacated", "decided_on": iso(today())})
    assert r.status_code == 200, r.content

    event = one_event(alice_api, case, mark, "credible_fear.reviewed")
    assert event["actor"] == ALICE
    assert event["before"] == {"review": "requested", "review_decided_on": None}
    assert event["after"] == {"review": "vacated", "review_decided_on": iso(today())}


def test_scheduling_a_hearing_writes_history(alice_api, case, proceeding):
    mark = last_event_id(case)
    next_year = today().year + 1  # never a fixed year: hearings lie at most 10 years out
    r = alice_api.post(f"/api/v1/proceedings/{proceeding.pk}/schedule-hearing/",
                       {"scheduled_at": f"{next_year}-03-04T09:30:00Z", "purpose": "Bond hearing", "location": "Courtroom 2"})
    assert r.status_code == 201, r.content

    event = one_event(alice_api, case, mark, "hearing.scheduled")
    assert event["actor"] == ALICE
    assert event["subject_type"] == "hearing"
    assert event["subject_id"] == r.json()["id"]
    assert event["before"] == {}
    assert event["after"]["purpose"] == "Bond hearing"
    assert event["after"]["location"] == "Courtroom 2"
    assert event["after"]["proceeding"] == proceeding.pk
    assert dt.datetime.fromisoformat(event["after"]["scheduled_at"]) == dt.datetime(next_year, 3, 4, 9, 30, tzinfo=dt.UTC)


def test_marking_the_family_reunified_writes_one_entry_per_member_and_one_for_the_case(
        alice_api, case, mother, child):
    mark = last_event_id(case)
    r = alice_api.post(f"/api/v1/cases/{case.pk}/mark-reunified/", {"on": iso(today())})
    assert r.status_code == 200, r.content

    events = new_events(alice_api, case, mark)
    assert [e["action"] for e in events] == ["custody.transferred", "custody.transferred", "case.reunified"]
    assert all(e["actor"] == ALICE for e in events)
    assert {e["before"]["kind"] for e in events[:2]} == {"ice_detention", "orr_shelter"}
    assert {e["after"]["kind"] for e in events[:2]} == {"reunified"}
    assert events[2]["after"] == {"on": iso(today())}


def test_consent_recorded_and_revoked_each_write_history(alice_api, case):
    mark = last_event_id(case)
    r = alice_api.post(f"/api/v1/cases/{case.pk}/consent/", {"level": "story"})
    assert r.status_code == 200, r.content
    recorded = one_event(alice_api, case, mark, "consent.recorded")
    assert recorded["actor"] == ALICE
    assert recorded["before"] == {"consent_level": "none"}
    assert recorded["after"] == {"consent_level": "story"}

    mark = last_event_id(case)
    r = alice_api.post(f"/api/v1/cases/{case.pk}/consent/", {"level": "none"})
    assert r.status_code == 200, r.content
    revoked = one_event(alice_api, case, mark, "consent.revoked")
    assert revoked["actor"] == ALICE
    assert revoked["before"] == {"consent_level": "story"}
    assert revoked["after"] == {"consent_level": "none"}


def test_sharing_and_revoking_a_share_each_write_history(alice_api, case, bob):
    mark = last_event_id(case)
    r = alice_api.post(f"/api/v1/cases/{case.pk}/share/", {"access": "view", "user": bob.email})
    assert r.status_code == 201, r.content
    share_id = r.json()["id"]
    shared = one_event(alice_api, case, mark, "case.shared")
    assert shared["actor"] == ALICE
    assert shared["subject_id"] == share_id
    assert shared["before"] == {}
    assert shared["after"] == {"access": "view", "user": bob.pk, "organization": None}

    mark = last_event_id(case)
    r = alice_api.post(f"/api/v1/shares/{share_id}/revoke/")
    assert r.status_code == 200, r.content
    revoked = one_event(alice_api, case, mark, "case.share_revoked")
    assert revoked["actor"] == ALICE
    assert revoked["before"] == {"access": "view"}
    assert revoked["after"] == {}
    assert CaseShare.objects.get(pk=share_id).revoked_at is not None


def test_assigning_a_volunteer_writes_history(alice_api, case, vera):
    mark = last_event_id(case)
    r = alice_api.post(f"/api/v1/cases/{case.pk}/assign/", {"user": vera.email})
    assert r.status_code == 201, r.content

    event = one_event(alice_api, case, mark, "case.assigned")
    assert event["actor"] == ALICE
    assert event["after"] == {"user": vera.pk}


def test_adding_a_note_writes_history(alice_api, case):
    mark = last_event_id(case)
    r = alice_api.post("/api/v1/notes/", {"case": case.pk, "body": "Spoke with the shelter case manager."})
    assert r.status_code == 201, r.content

    event = one_event(alice_api, case, mark, "note.added")
    assert event["actor"] == ALICE
    assert event["subject_id"] == r.json()["id"]
    assert event["after"]["body"] == "Spoke with the shelter case manager."


def test_opening_a_case_and_adding_a_person_write_history(alice_api, alpha):
    r = alice_api.post("/api/v1/cases/", {"organization": alpha.pk, "reference": "ALP-002",
                                          "separation_place": "Calexico-Mexicali"})
    assert r.status_code == 201, r.content
    case_id = r.json()["id"]
    r = alice_api.post("/api/v1/people/", {"case": case_id, "role": "child", "first_name": "Mateo"})
    assert r.status_code == 201, r.content

    events = alice_api.get(f"/api/v1/cases/{case_id}/history/").json()["results"]
    assert [e["action"] for e in events] == ["person.added", "case.opened"]
    added, opened = events
    assert opened["actor"] == added["actor"] == ALICE
    assert opened["after"]["separation_place"] == "Calexico-Mexicali"
    assert added["after"]["first_name"] == "Mateo"
    assert added["after"]["role"] == "child"


# --- updates (PATCH with version) --------------------------------------------------------------
UPDATES = {
    # name: (url of the object, action written, field changed, old value, new value)
    "case": ("cases", "case.updated", "separation_place", "", "San Ysidro"),
    "person": ("people", "person.updated", "languages", "", "Spanish, Mam"),
    "sponsor": ("sponsors", "sponsor.updated", "relationship", "aunt", "maternal aunt"),
    "proceeding": ("proceedings", "proceeding.updated", "agency_position", "", "reunification"),
    "hearing": ("hearings", "hearing.updated", "location", "", "Otay Mesa courtroom 3"),
    "episode": ("custody-episodes", "custody.corrected", "started_on", None, None),
}


@pytest.fixture
def update_target(request, case, mother, sponsor, proceeding, hearing):  # noqa: ANN001, ANN201
    return {
        "case": case, "person": mother, "sponsor": sponsor, "proceeding": proceeding, "hearing": hearing,
        "episode": mother.custody_episodes.get(ended_on__isnull=True),
    }[request.param]


@pytest.mark.parametrize("update_target", list(UPDATES), indirect=True)
def test_every_update_writes_history_with_before_and_after(alice_api, case, update_target, request):
    name = request.node.callspec.params["update_target"]
    url, action, field, old, new = UPDATES[name]
    if name == "episode":  # correct the start of the current custody by two days
        old, new = iso(update_target.started_on), iso(update_target.started_on - dt.timedelta(days=2))
    mark = last_event_id(case)

    reason = {"reason": "Mistyped start"} if name == "episode" else {}
    r = alice_api.patch(f"/api/v1/{url}/{update_target.pk}/", {"version": update_target.version, field: new, **reason})
    assert r.status_code == 200, r.content
    assert r.json()["version"] == update_target.version + 1

    event = one_event(alice_api, case, mark, action)
    assert event["actor"] == ALICE
    assert event["subject_id"] == update_target.pk
    # A custody correction also says whose custody it is, and why it was corrected.
    whose = {"person": update_target.person_id, "reason": "Mistyped start"} if name == "episode" else {}
    assert event["before"] == {**whose, field: old}
    assert event["after"] == {**whose, field: new}


def test_sponsor_status_change_is_its_own_history_action(alice_api, case, sponsor):
    mark = last_event_id(case)
    r = alice_api.patch(f"/api/v1/sponsors/{sponsor.pk}/", {"version": sponsor.version, "status": "home_study"})
    assert r.status_code == 200, r.content

    event = one_event(alice_api, case, mark, "sponsor.status_changed")
    assert event["before"] == {"status": "approved"}
    assert event["after"] == {"status": "home_study"}


def test_an_update_that_changes_nothing_writes_no_history(alice_api, case):
    mark = last_event_id(case)
    r = alice_api.patch(f"/api/v1/cases/{case.pk}/", {"version": case.version, "reference": case.reference})
    assert r.status_code == 200, r.content
    assert new_events(alice_api, case, mark) == []


# --- append-only -------------------------------------------------------------------------------
def test_saving_an_existing_history_entry_is_refused(case):
    event = CaseEvent.objects.filter(case=case).earliest("id")
    event.action = "tampered"
    event.after = {"first_name": "Someone else"}
    with pytest.raises(ValidationError):
        event.save()
    event.refresh_from_db()
    assert event.action == "case.opened"


def test_deleting_a_history_entry_is_refused(case):
    event = CaseEvent.objects.filter(case=case).earliest("id")
    with pytest.raises(ValidationError):
        event.delete()
    assert CaseEvent.objects.filter(pk=event.pk).exists()


postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="The append-only trigger (migration cases 0002) exists only on PostgreSQL; on SQLite only "
           "CaseEvent.save()/delete() guard the history, and a bulk queryset write bypasses them.",
)


@postgres_only
def test_postgres_refuses_a_queryset_update_of_history(case):
    before = list(CaseEvent.objects.filter(case=case).values_list("id", "action"))
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        CaseEvent.objects.filter(case=case).update(action="tampered")
    assert list(CaseEvent.objects.filter(case=case).values_list("id", "action")) == before


@postgres_only
def test_postgres_refuses_a_queryset_delete_of_history(case):
    count = CaseEvent.objects.filter(case=case).count()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        CaseEvent.objects.filter(case=case).delete()
    assert CaseEvent.objects.filter(case=case).count() == count


# --- what history never shows ------------------------------------------------------------------
def test_a_numbers_never_enter_history_only_that_one_was_set(alice_api, case, mother):
    r = alice_api.patch(f"/api/v1/people/{mother.pk}/", {"version": mother.version, "a_number": "A 208 555 311"})
    assert r.status_code == 200, r.content
    r = alice_api.post("/api/v1/people/", {"case": case.pk, "role": "parent", "first_name": "Juan",
                                           "a_number": "209555422"})
    assert r.status_code == 201, r.content

    events = history(alice_api, case)
    changed = next(e for e in events if e["action"] == "person.updated")
    assert changed["before"] == {"a_number": "[set]"}
    assert changed["after"] == {"a_number": "[set]"}
    added = {e["subject_id"]: e for e in events if e["action"] == "person.added"}
    assert added[mother.pk]["after"]["a_number"] == "[set]"
    assert added[r.json()["id"]]["after"]["a_number"] == "[set]"
    assert all("a_number_index" not in e["after"] for e in added.values())

    shown = json.dumps(events)
    stored = json.dumps(list(CaseEvent.objects.filter(case=case).values("before", "after")))
    for number in ("201555019", "201-555-019", "208555311", "208 555 311", "209555422"):
        assert number not in shown
        assert number not in stored


def test_organizer_sees_history_with_pii_values_nulled(alice, olga_api, alice_api, case, mother, sponsor):
    services.note_create(actor=alice, case=case, body="Mother's cousin lives in Fresno.")
    services.case_update(actor=alice, case=case, version=case.version, summary="Separated at Calexico.")
    mother.refresh_from_db()
    services.person_update(actor=alice, person=mother, version=mother.version, last_name="Nueva",
                           languages="Spanish")

    redacted = {(e["action"], e["subject_id"]): e for e in history(olga_api, case)}
    full = {(e["action"], e["subject_id"]): e for e in history(alice_api, case)}
    assert redacted.keys() == full.keys()

    added = redacted[("person.added", mother.pk)]
    assert added["actor"] == ALICE
    assert added["after"]["first_name"] is None
    assert added["after"]["last_name"] is None
    assert added["after"]["a_number"] is None
    assert added["after"]["role"] == "parent"  # not PII: still shown
    assert full[("person.added", mother.pk)]["after"]["first_name"] == "Ana"

    updated = redacted[("person.updated", mother.pk)]
    assert updated["before"] == {"last_name": None, "languages": ""}
    assert updated["after"] == {"last_name": None, "languages": "Spanish"}

    assert redacted[("case.updated", case.pk)]["after"] == {"summary": None}
    assert full[("case.updated", case.pk)]["after"] == {"summary": "Separated at Calexico."}

    note = next(e for e in redacted.values() if e["action"] == "note.added")
    assert note["after"]["body"] is None

    sponsor_added = redacted[("sponsor.added", sponsor.pk)]
    assert sponsor_added["after"]["name"] is None
    assert sponsor_added["after"]["contact"] is None
    assert sponsor_added["after"]["relationship"] == "aunt"


@pytest.mark.parametrize("reader", ["olga", "victor"])
def test_every_history_entry_is_redacted_for_readers_without_pii_rights(request, alice, case, mother, reader):
    services.note_create(actor=alice, case=case, body="Hearing notes.")
    services.person_update(actor=alice, person=mother, version=mother.version, first_name="Ana Lucía")
    events = history(client_for(request.getfixturevalue(reader)), case)
    assert {e["action"] for e in events} >= {"case.opened", "person.added", "person.updated", "note.added"}
    for event in events:
        for name in PII.get(event["subject_type"], ()):
            assert event["before"].get(name) is None
            assert event["after"].get(name) is None


def test_read_only_cocounsel_sees_history_with_pii(as_user, bob, shared_with_bob, case, mother):
    added = next(e for e in history(as_user(bob), case)
                 if e["action"] == "person.added" and e["subject_id"] == mother.pk)
    assert added["after"]["first_name"] == "Ana"
    assert added["after"]["a_number"] == "[set]"


def test_outsider_gets_404_on_history(as_user, charlie, case):
    assert as_user(charlie).get(f"/api/v1/cases/{case.pk}/history/").status_code == 404


def test_history_models_are_untouched_by_reads(alice_api, case):
    count = CaseEvent.objects.count()
    history(alice_api, case)
    alice_api.get(f"/api/v1/cases/{case.pk}/")
    assert CaseEvent.objects.count() == count

