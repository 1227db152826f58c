"""Facts derived from the records, never typed in: days detained, the 30-day flag, the family
summary, the credible-fear review deadline, and the case-list filters built on them."""
import datetime as dt

import pytest
from django.utils import timezone

from cases import services
from tests import factories as f

from .helpers import client_for, days_ago, iso, refs, today
from .world import *  # noqa: F403  (the cast and `case`, built once for the module)

pytestmark = pytest.mark.django_db


def person_json(client, person) -> dict:  # noqa: ANN001
    r = client.get(f"/api/v1/people/{person.pk}/")
    assert r.status_code == 200, r.content
    return r.json()


def transfer(actor, person, kind: str, ago: int, **kw):  # noqa: ANN001, ANN201
    return services.custody_transfer(actor=actor, person=person, kind=kind, on=days_ago(ago), **kw)


# --- days detained -----------------------------------------------------------------------------
def test_days_detained_counts_from_the_first_day_of_unbroken_detention_across_transfers(
        alice, alice_api, case, facility):
    father = f.make_person(alice, case, role="parent", first_name="Luis")
    transfer(alice, father, "cbp", 40)
    transfer(alice, father, "ice_detention", 35, facility=facility)

    custody = person_json(alice_api, father)["current_custody"]
    assert custody["kind"] == "ice_detention"
    assert custody["started_on"] == iso(days_ago(35))
    assert custody["detained_since"] == iso(days_ago(40))
    assert custody["days_detained"] == 40


def test_a_chain_of_three_custodians_counts_from_the_first(alice, alice_api, case, facility, other_facility):
    child = f.make_person(alice, case, role="child", first_name="Sofía")
    transfer(alice, child, "cbp", 50)
    transfer(alice, child, "orr_shelter", 47)
    transfer(alice, child, "orr_foster_care", 20)
    assert person_json(alice_api, child)["current_custody"]["days_detained"] == 50


def test_a_release_breaks_the_chain(alice, alice_api, case, facility):
    father = f.make_person(alice, case, role="parent", first_name="Luis")
    transfer(alice, father, "cbp", 40)
    transfer(alice, father, "released", 30, release_type="parole")
    transfer(alice, father, "ice_detention", 10, facility=facility)

    body = person_json(alice_api, father)
    assert body["current_custody"]["detained_since"] == iso(days_ago(10))
    assert body["current_custody"]["days_detained"] == 10
    assert body["detained_over_30_days"] is False


def test_released_person_has_no_days_detained(alice, alice_api, mother):
    transfer(alice, mother, "released", 2, release_type="bond")
    body = person_json(alice_api, mother)
    assert body["current_custody"]["kind"] == "released"
    assert body["current_custody"]["days_detained"] is None
    assert body["detained_over_30_days"] is False


def test_correcting_an_earlier_episode_recomputes_the_chain(alice, alice_api, case, facility):
    """Entering past CBP custody after the fact joins it to the ICE detention that followed."""
    father = f.make_person(alice, case, role="parent", first_name="Luis")
    transfer(alice, father, "ice_detention", 35, facility=facility)
    assert person_json(alice_api, father)["current_custody"]["days_detained"] == 35

    r = alice_api.post("/api/v1/custody-episodes/", {"person": father.pk, "kind": "cbp",
                                                     "started_on": iso(days_ago(38)), "ended_on": iso(days_ago(35))})
    assert r.status_code == 201, r.content
    assert person_json(alice_api, father)["current_custody"]["days_detained"] == 38


@pytest.mark.parametrize(("ago", "flagged"), [(29, False), (30, False), (31, True), (40, True)])
def test_detained_over_30_days_means_more_than_30(alice, alice_api, case, facility, ago, flagged):
    father = f.make_person(alice, case, role="parent", first_name="Luis")
    transfer(alice, father, "ice_detention", ago, facility=facility)
    assert person_json(alice_api, father)["detained_over_30_days"] is flagged


def test_family_summary_reports_detention(alice_api, case):
    family = alice_api.get(f"/api/v1/cases/{case.pk}/").json()["family"]
    assert family == {"members": 2, "detained": 2, "longest_detention_days": 40, "detained_over_30_days": True,
                      "removed": 0, "reunified": False}


def test_family_summary_counts_a_removal(alice, alice_api, case, mother):
    transfer(alice, mother, "removed", 1, removed_to="Mexico")
    family = alice_api.get(f"/api/v1/cases/{case.pk}/").json()["family"]
    assert family["removed"] == 1
    assert family["detained"] == 1
    assert family["longest_detention_days"] == 35


def test_family_is_reunified_after_mark_reunified(alice_api, case):
    r = alice_api.post(f"/api/v1/cases/{case.pk}/mark-reunified/", {"on": iso(today())})
    assert r.status_code == 200, r.content
    assert r.json()["family"]["reunified"] is True
    assert r.json()["family"]["detained"] == 0
    assert {m["custody"] for m in r.json()["members"]} == {"reunified"}

    listed = alice_api.get("/api/v1/cases/").json()["results"]
    assert listed[0]["family"]["reunified"] is True


def test_family_is_not_reunified_while_one_member_is_held(alice, alice_api, case, child):
    transfer(alice, child, "reunified", 0)
    assert alice_api.get(f"/api/v1/cases/{case.pk}/").json()["family"]["reunified"] is False


# --- credible-fear review deadline -------------------------------------------------------------
@pytest.fixture
def fear_process(alice, mother):  # noqa: ANN001, ANN201
    return lambda kind: services.fear_process_create(actor=alice, person=mother, kind=kind,
                                                     interview_on=days_ago(4))


def deadline(client, process) -> str | None:  # noqa: ANN001
    r = client.get(f"/api/v1/credible-fear/{process.pk}/")
    assert r.status_code == 200
    return r.json()["review_deadline"]


def test_credible_fear_review_deadline_is_7_days_from_the_negative_finding_once_requested(alice_api, fear_process):
    process = fear_process("credible")
    assert deadline(alice_api, process) is None  # pending
    decided = days_ago(3)
    r = alice_api.post(f"/api/v1/credible-fear/{process.pk}/record-outcome/",
                       {"outcome": "negative", "decided_on": iso(decided)})
    assert r.status_code == 200, r.content
    assert r.json()["review_deadline"] is None  # no request, no deadline

    r = alice_api.post(f"/api/v1/credible-fear/{process.pk}/request-review/", {"requested_on": iso(days_ago(2))})
    assert r.status_code == 200
    assert r.json()["review_deadline"] == iso(decided + dt.timedelta(days=7))  # 8 CFR 1003.42(e)


def test_reasonable_fear_review_deadline_is_10_days_from_the_referral(alice_api, fear_process):
    process = fear_process("reasonable")
    alice_api.post(f"/api/v1/credible-fear/{process.pk}/record-outcome/",
                   {"outcome": "negative", "decided_on": iso(days_ago(3))})
    r = alice_api.post(f"/api/v1/credible-fear/{process.pk}/request-review/", {"requested_on": iso(days_ago(2))})
    assert r.status_code == 400
    assert "referred_on" in r.json()
    r = alice_api.post(f"/api/v1/credible-fear/{process.pk}/request-review/",
                       {"requested_on": iso(days_ago(2)), "referred_on": iso(days_ago(1))})
    assert r.status_code == 200, r.content
    assert r.json()["review_deadline"] == iso(days_ago(1) + dt.timedelta(days=10))  # 8 CFR 208.31(g)


@pytest.mark.parametrize("result", ["affirmed", "vacated"])
def test_review_deadline_is_gone_once_the_judge_decides(alice, alice_api, fear_process, result):
    process = fear_process("credible")
    services.interview_outcome_record(actor=alice, process=process, outcome="negative", decided_on=days_ago(3))
    services.ij_review_request(actor=alice, process=process, requested_on=days_ago(2))
    r = alice_api.post(f"/api/v1/credible-fear/{process.pk}/record-review/",
                       {"result": result, "decided_on": iso(days_ago(1))})
    assert r.status_code == 200, r.content
    assert r.json()["review_deadline"] is None


def test_positive_finding_has_no_review_deadline(alice_api, fear_process):
    process = fear_process("credible")
    r = alice_api.post(f"/api/v1/credible-fear/{process.pk}/record-outcome/",
                       {"outcome": "positive", "decided_on": iso(days_ago(1))})
    assert r.status_code == 200
    assert r.json()["review_deadline"] is None


def test_case_detail_shows_the_review_deadline(alice, alice_api, case, fear_process):
    process = fear_process("reasonable")
    services.interview_outcome_record(actor=alice, process=process, outcome="negative", decided_on=days_ago(2))
    services.ij_review_request(actor=alice, process=process, requested_on=days_ago(1), referred_on=days_ago(1))
    detail = alice_api.get(f"/api/v1/cases/{case.pk}/").json()
    assert [p["review_deadline"] for p in detail["fear_processes"]] == [iso(days_ago(1) + dt.timedelta(days=10))]


# --- case-list filters -------------------------------------------------------------------------
@pytest.fixture
def landscape(alice, alpha, case, facility, other_facility, charlie, gamma):  # noqa: ANN001, ANN201
    """Four Alpha families and one Gamma family, each distinct on every filter:

    ALP-001 (`case`): mother in ICE at `facility` (SND) 40 days, child in an ORR shelter 35 days;
                      A-number 201555019.
    ALP-002: father at a CBP station (LOS) for 5 days; sponsor approved; credible fear positive;
             a hearing in 3 days.
    SPECIAL-9: mother released on parole (was in ICE at `facility`); sponsor denied; credible fear
               negative; a hearing in 60 days, and a cancelled one tomorrow.
    ALP-004: child in state foster care; a sponsor in home study; fear pending; a past hearing.
    GAM-001 (charlie's Gamma, invisible to alice): in ICE at `facility` 50 days, sponsor approved,
             and the same A-number as ALP-001's mother.
    """
    cbp_station = f.FacilityFactory(name="El Centro Station", kind="cbp_station", city="El Centro",
                                    field_office=other_facility.field_office)
    now = timezone.now()

    b = f.make_case(alice, alpha, reference="ALP-002")
    father = f.make_person(alice, b, role="parent", first_name="Luis")
    f.detain(alice, father, facility=cbp_station, days_ago=5, kind="cbp")
    services.sponsor_create(actor=alice, case=b, name="Marta", category="2A", status="approved")
    fp = services.fear_process_create(actor=alice, person=father)
    services.interview_outcome_record(actor=alice, process=fp, outcome="positive", decided_on=days_ago(1))
    pr = services.proceeding_create(actor=alice, case=b, kind="bond")
    services.hearing_schedule(actor=alice, proceeding=pr, scheduled_at=now + dt.timedelta(days=3))

    c = f.make_case(alice, alpha, reference="SPECIAL-9")
    mom = f.make_person(alice, c, role="parent", first_name="Elena")
    f.detain(alice, mom, facility=facility, days_ago=60)
    transfer(alice, mom, "released", 20, release_type="parole")
    services.sponsor_create(actor=alice, case=c, name="Jorge", category="3", status="denied")
    fp = services.fear_process_create(actor=alice, person=mom)
    services.interview_outcome_record(actor=alice, process=fp, outcome="negative", decided_on=days_ago(30))
    pr = services.proceeding_create(actor=alice, case=c, kind="immigration_court")
    services.hearing_schedule(actor=alice, proceeding=pr, scheduled_at=now + dt.timedelta(days=60))
    cancelled = services.hearing_schedule(actor=alice, proceeding=pr, scheduled_at=now + dt.timedelta(days=1))
    services.hearing_update(actor=alice, hearing=cancelled, version=cancelled.version, status="cancelled")

    d = f.make_case(alice, alpha, reference="ALP-004")
    kid = f.make_person(alice, d, role="child", first_name="Nico")
    f.detain(alice, kid, days_ago=90, kind="state_child_welfare")
    services.sponsor_create(actor=alice, case=d, name="Paz", category="2B", status="home_study")
    services.fear_process_create(actor=alice, person=kid)
    pr = services.proceeding_create(actor=alice, case=d, kind="family_court")
    services.hearing_schedule(actor=alice, proceeding=pr, scheduled_at=now - dt.timedelta(days=2))

    g = f.make_case(charlie, gamma, reference="GAM-001")
    gp = f.make_person(charlie, g, role="parent", first_name="Rita", a_number="201555019")
    f.detain(charlie, gp, facility=facility, days_ago=50)
    services.sponsor_create(actor=charlie, case=g, name="Tomás", category="1", status="approved")
    return {"cbp_station": cbp_station}


ALL_ALPHA = {"ALP-001", "ALP-002", "SPECIAL-9", "ALP-004"}


@pytest.mark.parametrize(("params", "expected"), [
    ({}, ALL_ALPHA),
    ({"custodian_kind": "ice_detention"}, {"ALP-001"}),  # SPECIAL-9's ICE episode is closed
    ({"custodian_kind": "cbp"}, {"ALP-002"}),
    ({"custodian_kind": "orr_shelter"}, {"ALP-001"}),
    ({"custodian_kind": "released"}, {"SPECIAL-9"}),
    ({"custodian_kind": "state_child_welfare"}, {"ALP-004"}),
    ({"custodian_kind": "removed"}, set()),
    ({"field_office": "SND"}, {"ALP-001"}),
    ({"field_office": "los"}, {"ALP-002"}),
    ({"field_office": "XXX"}, set()),
    ({"detained_more_than": 4}, {"ALP-001", "ALP-002"}),  # state foster care is not "detained"
    ({"detained_more_than": 5}, {"ALP-001"}),  # exactly 5 days is not more than 5
    ({"detained_more_than": 30}, {"ALP-001"}),
    ({"detained_more_than": 39}, {"ALP-001"}),
    ({"detained_more_than": 40}, set()),
    ({"sponsor_status": "approved"}, {"ALP-002"}),
    ({"sponsor_status": "denied"}, {"SPECIAL-9"}),
    ({"sponsor_status": "home_study"}, {"ALP-004"}),
    ({"sponsor_status": "released_to_sponsor"}, set()),
    ({"credible_fear_outcome": "positive"}, {"ALP-002"}),
    ({"credible_fear_outcome": "negative"}, {"SPECIAL-9"}),
    ({"credible_fear_outcome": "pending"}, {"ALP-004"}),
    ({"hearing_within": 7}, {"ALP-002"}),  # the cancelled hearing tomorrow does not count
    ({"hearing_within": 90}, {"ALP-002", "SPECIAL-9"}),  # nor does ALP-004's past one
    ({"hearing_within": 0}, set()),
    ({"reference": "special"}, {"SPECIAL-9"}),
    ({"reference": "ALP-00"}, {"ALP-001", "ALP-002", "ALP-004"}),
    ({"custodian_kind": "ice_detention", "detained_more_than": 30, "field_office": "SND"}, {"ALP-001"}),
    ({"custodian_kind": "cbp", "sponsor_status": "denied"}, set()),
])
def test_case_list_filter_returns_exactly_the_matching_families(alice_api, landscape, params, expected):
    assert refs(alice_api.get("/api/v1/cases/", params)) == expected


def test_a_number_search_returns_exactly_the_matching_family(alice_api, landscape):
    # GAM-001 has the same number but is not alice's
    assert refs(alice_api.post("/api/v1/cases/search/", {"a_number": "A201-555-019"})) == {"ALP-001"}


def test_search_takes_the_list_filters_too(alice_api, landscape):
    assert refs(alice_api.post("/api/v1/cases/search/", {"sponsor_status": "denied"})) == {"SPECIAL-9"}


def test_facility_filter_returns_families_currently_held_there(alice_api, facility, landscape):
    assert refs(alice_api.get("/api/v1/cases/", {"facility": facility.pk})) == {"ALP-001"}
    assert refs(alice_api.get("/api/v1/cases/", {"facility": landscape["cbp_station"].pk})) == {"ALP-002"}


def test_filters_list_each_family_once_however_many_members_match(alice, alice_api, case, facility):
    aunt = f.make_person(alice, case, role="other_relative", first_name="Tía")
    f.detain(alice, aunt, facility=facility, days_ago=45)
    r = alice_api.get("/api/v1/cases/", {"facility": facility.pk, "detained_more_than": 30})
    assert [c["reference"] for c in r.json()["results"]] == ["ALP-001"]


def test_filters_never_reach_another_organisations_families(charlie, landscape, facility):
    gamma_api = client_for(charlie)
    assert refs(gamma_api.get("/api/v1/cases/", {"facility": facility.pk})) == {"GAM-001"}
    assert refs(gamma_api.get("/api/v1/cases/", {"sponsor_status": "approved"})) == {"GAM-001"}
    assert refs(gamma_api.post("/api/v1/cases/search/", {"a_number": "201555019"})) == {"GAM-001"}


@pytest.mark.parametrize(("params", "field"), [
    ({"custodian_kind": "spaceship"}, "custodian_kind"),
    ({"sponsor_status": "maybe"}, "sponsor_status"),
    ({"credible_fear_outcome": "unsure"}, "credible_fear_outcome"),
    ({"detained_more_than": "a month"}, "detained_more_than"),
    ({"detained_more_than": -1}, "detained_more_than"),
    ({"hearing_within": "soon"}, "hearing_within"),
    ({"facility": "x"}, "facility"),
])
def test_malformed_filter_is_400_naming_it(alice_api, case, params, field):
    r = alice_api.get("/api/v1/cases/", params)
    assert r.status_code == 400, r.content
    assert field in r.json()


def test_custody_filters_describe_one_person_not_the_family_as_a_whole(alice, alpha, alice_api, facility):
    """A parent held at the facility for 5 days and a child in a shelter for 40 days is not
    'someone held at this facility for more than 30 days'."""
    family = f.make_case(alice, alpha, reference="MIX-001")
    parent = f.make_person(alice, family, role="parent", first_name="Rosa")
    f.detain(alice, parent, facility=facility, days_ago=5)
    child = f.make_person(alice, family, role="child", first_name="Iván")
    f.detain(alice, child, days_ago=40, kind="orr_shelter")
    for params in ({"facility": facility.pk, "detained_more_than": 30},
                   {"custodian_kind": "ice_detention", "detained_more_than": 30},
                   {"field_office": "SND", "detained_more_than": 30}):
        assert "MIX-001" not in refs(alice_api.get("/api/v1/cases/", params)), params
    # (`case`, ALP-001, is in the module's world: Ana 40 days in ICE detention, Lucía 35 in a shelter.)
    assert refs(alice_api.get("/api/v1/cases/", {"custodian_kind": "orr_shelter", "detained_more_than": 30})) == {
        "MIX-001", "ALP-001"}
