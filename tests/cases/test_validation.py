"""Invalid input is a 400 that names the field, and writes nothing: no row, no history entry.

Each test counts the rows of every case-domain table (and the history) before and after.
"""
import pytest

from cases import services
from tests import factories as f

from .helpers import days_ago, iso, row_counts
from .world import *  # noqa: F403  (the cast and `case`, built once for the module)

pytestmark = pytest.mark.django_db


def assert_refused(response, field: str, counts_before: dict[str, int]) -> None:  # noqa: ANN001
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert row_counts() == counts_before


# --- A-numbers ---------------------------------------------------------------------------------
@pytest.mark.parametrize("a_number", ["A12-34", "ABCDEFGHI", "1234567890", "A-201-555-01X", "A"])
def test_malformed_a_number_on_a_new_person_is_400_on_a_number(alice_api, case, a_number):
    before = row_counts()
    r = alice_api.post("/api/v1/people/", {"case": case.pk, "role": "parent", "first_name": "Juan",
                                           "a_number": a_number})
    assert_refused(r, "a_number", before)


@pytest.mark.parametrize("a_number", ["A12-34", "ABCDEFGHI", "1234567890"])
def test_malformed_a_number_on_an_update_is_400_and_keeps_the_old_number(alice_api, mother, a_number):
    before = row_counts()
    r = alice_api.patch(f"/api/v1/people/{mother.pk}/", {"version": mother.version, "a_number": a_number})
    assert_refused(r, "a_number", before)
    mother.refresh_from_db()
    assert mother.a_number == "201555019"
    assert mother.version == 1


# --- custody episodes --------------------------------------------------------------------------
def test_custody_episode_ending_before_it_starts_is_400_on_ended_on(alice_api, child, facility):
    # A past episode (ended) so that the open-episode rule is not what refuses it.
    before = row_counts()
    r = alice_api.post("/api/v1/custody-episodes/", {
        "person": child.pk, "kind": "cbp", "facility": facility.pk,
        "started_on": iso(days_ago(50)), "ended_on": iso(days_ago(55)),
    })
    assert_refused(r, "ended_on", before)


def test_second_open_custody_episode_for_a_person_is_400_on_ended_on(alice_api, mother, facility):
    before = row_counts()
    r = alice_api.post("/api/v1/custody-episodes/", {
        "person": mother.pk, "kind": "ice_detention", "facility": facility.pk, "started_on": iso(days_ago(2)),
    })
    assert_refused(r, "ended_on", before)
    assert mother.custody_episodes.filter(ended_on__isnull=True).count() == 1


def test_correcting_an_episode_to_end_before_it_starts_is_400(alice_api, mother):
    episode = mother.custody_episodes.get()
    before = row_counts()
    r = alice_api.patch(f"/api/v1/custody-episodes/{episode.pk}/",
                        {"version": episode.version, "reason": "Typo in the release date", "ended_on": iso(days_ago(41))})
    assert_refused(r, "ended_on", before)
    episode.refresh_from_db()
    assert episode.ended_on is None and episode.version == 1


def test_transfer_dated_before_the_current_custody_began_is_400_on_on(alice_api, mother, facility):
    before = row_counts()
    r = alice_api.post(f"/api/v1/people/{mother.pk}/transfer-custody/",
                       {"kind": "released", "release_type": "parole", "on": iso(days_ago(41))})
    assert_refused(r, "on", before)
    assert mother.custody_episodes.get().ended_on is None


def test_removal_without_a_country_is_400_on_removed_to(alice_api, mother):
    before = row_counts()
    r = alice_api.post(f"/api/v1/people/{mother.pk}/transfer-custody/",
                       {"kind": "removed", "on": iso(days_ago(1))})
    assert_refused(r, "removed_to", before)
    # The current custody was not ended by the refused transfer.
    assert mother.custody_episodes.get().ended_on is None


def test_recorded_removal_without_a_country_is_400_on_removed_to(alice_api, child):
    before = row_counts()
    r = alice_api.post("/api/v1/custody-episodes/", {
        "person": child.pk, "kind": "removed", "started_on": iso(days_ago(60)), "ended_on": iso(days_ago(50)),
    })
    assert_refused(r, "removed_to", before)


def test_release_type_on_something_other_than_a_release_is_400(alice_api, mother, facility):
    before = row_counts()
    r = alice_api.post(f"/api/v1/people/{mother.pk}/transfer-custody/",
                       {"kind": "ice_detention", "facility": facility.pk, "release_type": "bond",
                        "on": iso(days_ago(1))})
    assert_refused(r, "release_type", before)


# --- enumerations ------------------------------------------------------------------------------
@pytest.mark.parametrize(("url", "body", "field"), [
    ("/api/v1/people/{mother}/transfer-custody/", {"kind": "spaceship", "on": "{yesterday}"}, "kind"),
    ("/api/v1/custody-episodes/", {"person": "{child}", "kind": "spaceship", "started_on": "{long_ago}",
                                   "ended_on": "{yesterday}"}, "kind"),
    ("/api/v1/people/", {"case": "{case}", "role": "spaceship", "first_name": "Juan"}, "role"),
    ("/api/v1/sponsors/", {"case": "{case}", "name": "Rosa", "category": "9Z"}, "category"),
    ("/api/v1/sponsors/", {"case": "{case}", "name": "Rosa", "category": "2B", "status": "beamed_up"}, "status"),
    ("/api/v1/credible-fear/", {"person": "{mother}", "kind": "spaceship"}, "kind"),
    ("/api/v1/proceedings/", {"case": "{case}", "kind": "spaceship"}, "kind"),
    ("/api/v1/cases/{case}/consent/", {"level": "everything"}, "level"),
    ("/api/v1/people/{mother}/transfer-custody/",
     {"kind": "released", "release_type": "teleport", "on": "{yesterday}"}, "release_type"),
])
def test_unknown_enumeration_value_is_400_naming_the_field(alice_api, case, mother, child, url, body, field):
    values = {"case": case.pk, "mother": mother.pk, "child": child.pk,
              "yesterday": iso(days_ago(1)), "long_ago": iso(days_ago(90))}

    def fill(v):  # noqa: ANN001, ANN202
        if isinstance(v, str) and v.startswith("{") and v.endswith("}"):
            return values[v[1:-1]]
        return v

    before = row_counts()
    r = alice_api.post(url.format(**values), {k: fill(v) for k, v in body.items()})
    assert_refused(r, field, before)


def test_unknown_enumeration_value_in_an_update_is_400(alice_api, mother):
    episode = mother.custody_episodes.get()
    before = row_counts()
    r = alice_api.patch(f"/api/v1/custody-episodes/{episode.pk}/", {"version": episode.version, "kind": "spaceship",
                                                                    "reason": "Wrong custody"})
    assert_refused(r, "kind", before)


# --- wrong types -------------------------------------------------------------------------------
def test_date_in_words_is_400_on_that_date(alice_api, mother):
    before = row_counts()
    r = alice_api.post(f"/api/v1/people/{mother.pk}/transfer-custody/", {"kind": "released", "on": "yesterday"})
    assert_refused(r, "on", before)


def test_date_of_birth_in_words_is_400(alice_api, case):
    before = row_counts()
    r = alice_api.post("/api/v1/people/", {"case": case.pk, "role": "child", "first_name": "Mateo",
                                           "date_of_birth": "last spring"})
    assert_refused(r, "date_of_birth", before)


@pytest.mark.parametrize("version", ["abc", "", None, 0, -1, 1.5, [1]])
def test_version_that_is_not_a_positive_integer_is_400_on_version(alice_api, case, version):
    before = row_counts()
    r = alice_api.patch(f"/api/v1/cases/{case.pk}/", {"version": version, "summary": "changed"})
    assert_refused(r, "version", before)


def test_person_id_that_is_not_a_number_is_400_on_person(alice_api):
    before = row_counts()
    r = alice_api.post("/api/v1/custody-episodes/", {"person": "x", "kind": "cbp", "started_on": iso(days_ago(3)),
                                                     "ended_on": iso(days_ago(1))})
    assert_refused(r, "person", before)


def test_case_id_that_is_not_a_number_is_400_on_case(alice_api):
    before = row_counts()
    r = alice_api.post("/api/v1/people/", {"case": "x", "role": "child", "first_name": "Mateo"})
    assert_refused(r, "case", before)


def test_person_of_a_case_you_cannot_see_is_400_as_if_it_did_not_exist(as_user, charlie, mother):
    before = row_counts()
    r = as_user(charlie).post("/api/v1/custody-episodes/", {
        "person": mother.pk, "kind": "cbp", "started_on": iso(days_ago(3)), "ended_on": iso(days_ago(1)),
    })
    assert_refused(r, "person", before)
    assert "does not exist" in str(r.json()["person"])


def test_hearing_time_in_words_is_400_on_scheduled_at(alice, alice_api, case):
    proceeding = services.proceeding_create(actor=alice, case=case, kind="bond")
    before = row_counts()
    r = alice_api.post(f"/api/v1/proceedings/{proceeding.pk}/schedule-hearing/", {"scheduled_at": "next tuesday"})
    assert_refused(r, "scheduled_at", before)


# --- missing fields ----------------------------------------------------------------------------
@pytest.mark.parametrize(("url", "fields"), [
    ("/api/v1/people/", {"case", "role", "first_name"}),
    ("/api/v1/custody-episodes/", {"person", "kind", "started_on"}),
    ("/api/v1/people/{mother}/transfer-custody/", {"kind", "on"}),
    ("/api/v1/people/{mother}/release-to-sponsor/", {"sponsor", "on"}),
    ("/api/v1/sponsors/", {"case", "name", "category"}),
    ("/api/v1/credible-fear/", {"person"}),
    ("/api/v1/proceedings/", {"case", "kind"}),
    ("/api/v1/notes/", {"case", "body"}),
    ("/api/v1/cases/", {"organization", "reference"}),
    ("/api/v1/cases/{case}/mark-reunified/", {"on"}),
    ("/api/v1/cases/{case}/consent/", {"level"}),
])
def test_missing_required_fields_are_each_named(alice_api, case, mother, url, fields):
    before = row_counts()
    r = alice_api.post(url.format(case=case.pk, mother=mother.pk), {})
    assert r.status_code == 400, r.content
    assert set(r.json()) == fields
    assert row_counts() == before


def test_patch_with_nothing_to_change_is_400_and_keeps_the_version(alice_api, case):
    before = row_counts()
    r = alice_api.patch(f"/api/v1/cases/{case.pk}/", {"version": case.version})
    assert r.status_code == 400, r.content
    assert row_counts() == before
    case.refresh_from_db()
    assert case.version == 1


# --- state rules the services keep -------------------------------------------------------------
def test_ij_review_of_a_pending_finding_is_400(alice, alice_api, mother):
    process = services.fear_process_create(actor=alice, person=mother)
    before = row_counts()
    r = alice_api.post(f"/api/v1/credible-fear/{process.pk}/request-review/", {"requested_on": iso(days_ago(1))})
    assert_refused(r, "outcome", before)


def test_decision_before_the_interview_is_400_on_decided_on(alice, alice_api, mother):
    process = services.fear_process_create(actor=alice, person=mother, interview_on=days_ago(5))
    before = row_counts()
    r = alice_api.post(f"/api/v1/credible-fear/{process.pk}/record-outcome/",
                       {"outcome": "negative", "decided_on": iso(days_ago(6))})
    assert_refused(r, "decided_on", before)


def test_duplicate_case_reference_in_the_same_organisation_is_400_on_reference(alice_api, alpha, case):
    before = row_counts()
    r = alice_api.post("/api/v1/cases/", {"organization": alpha.pk, "reference": "ALP-001"})
    assert_refused(r, "reference", before)


def test_release_to_a_denied_sponsor_is_400_on_sponsor(alice, alice_api, case, child):
    sponsor = services.sponsor_create(actor=alice, case=case, person=child, name="Pedro", category="3",
                                      status="denied")
    before = row_counts()
    r = alice_api.post(f"/api/v1/people/{child.pk}/release-to-sponsor/", {"sponsor": sponsor.pk, "on": iso(days_ago(0))})
    assert_refused(r, "sponsor", before)


def test_reopening_a_past_episode_while_another_is_open_is_400_on_ended_on(alice, alice_api, mother, facility):
    other = f.FacilityFactory(name="Otay Mesa Detention Center")
    services.custody_transfer(actor=alice, person=mother, kind="ice_detention", facility=other, on=days_ago(10))
    past = mother.custody_episodes.get(ended_on__isnull=False)
    before = row_counts()
    r = alice_api.patch(f"/api/v1/custody-episodes/{past.pk}/", {"version": past.version, "ended_on": None,
                                                           "reason": "Still held there"})
    assert_refused(r, "ended_on", before)
    assert mother.custody_episodes.filter(ended_on__isnull=True).count() == 1


# --- dates that have not happened yet ----------------------------------------------------------
def test_custody_transfer_dated_in_the_future_is_400_on_on(alice_api, mother):
    """A custody change is a fact that happened; a future date would make days detained count from
    a day that has not come (the open episode would start next week)."""
    before = row_counts()
    r = alice_api.post(f"/api/v1/people/{mother.pk}/transfer-custody/",
                       {"kind": "released", "release_type": "parole", "on": iso(days_ago(-7))})
    assert_refused(r, "on", before)


def test_date_of_birth_in_the_future_is_400(alice_api, case):
    before = row_counts()
    r = alice_api.post("/api/v1/people/", {"case": case.pk, "role": "child", "first_name": "Mateo",
                                           "date_of_birth": iso(days_ago(-100))})
    assert_refused(r, "date_of_birth", before)


# --- links must stay inside one family ---------------------------------------------------------
@pytest.fixture
def other_family(alice, alpha):  # noqa: ANN001, ANN201
    other = f.make_case(alice, alpha, reference="ALP-009")
    stranger = f.make_person(alice, other, role="child", first_name="Nico")
    sponsor = services.sponsor_create(actor=alice, case=other, person=stranger, name="Paz", category="2B")
    return {"case": other, "person": stranger, "sponsor": sponsor}


def test_sponsor_for_a_child_of_another_family_is_400_on_person(alice_api, case, other_family):
    before = row_counts()
    r = alice_api.post("/api/v1/sponsors/", {"case": case.pk, "person": other_family["person"].pk,
                                             "name": "Rosa", "category": "2B"})
    assert_refused(r, "person", before)


def test_moving_a_sponsor_to_a_child_of_another_family_is_400_on_person(alice, alice_api, case, child, other_family):
    sponsor = services.sponsor_create(actor=alice, case=case, person=child, name="Rosa", category="2B")
    before = row_counts()
    r = alice_api.patch(f"/api/v1/sponsors/{sponsor.pk}/", {"version": sponsor.version,
                                                            "person": other_family["person"].pk})
    assert_refused(r, "person", before)
    sponsor.refresh_from_db()
    assert sponsor.person_id == child.pk


def test_custody_with_another_familys_sponsor_is_400_on_sponsor(alice_api, child, other_family):
    before = row_counts()
    r = alice_api.post("/api/v1/custody-episodes/", {
        "person": child.pk, "kind": "with_sponsor", "sponsor": other_family["sponsor"].pk,
        "started_on": iso(days_ago(100)), "ended_on": iso(days_ago(90)),
    })
    assert_refused(r, "sponsor", before)


def test_release_to_another_familys_sponsor_is_400_on_sponsor(alice_api, child, other_family):
    before = row_counts()
    r = alice_api.post(f"/api/v1/people/{child.pk}/release-to-sponsor/",
                       {"sponsor": other_family["sponsor"].pk, "on": iso(days_ago(0))})
    assert_refused(r, "sponsor", before)


def test_proceeding_for_a_person_of_another_family_is_400_on_person(alice_api, case, other_family):
    before = row_counts()
    r = alice_api.post("/api/v1/proceedings/", {"case": case.pk, "person": other_family["person"].pk,
                                                "kind": "family_court"})
    assert_refused(r, "person", before)


def test_the_same_custody_twice_is_400_on_kind(alice_api, mother):
    """A double submit (or a second advocate recording the same news) records one transfer."""
    body = {"kind": "released", "release_type": "parole", "on": iso(days_ago(1))}
    assert alice_api.post(f"/api/v1/people/{mother.pk}/transfer-custody/", body).status_code == 201
    before = row_counts()
    r = alice_api.post(f"/api/v1/people/{mother.pk}/transfer-custody/", body)
    assert_refused(r, "kind", before)
