"""The record refuses states that cannot happen (docs/domain-rules.md). Letters to officials quote
these records, so each rule is written here from its source - the regulation, the domain brief -
not from the product's tables. Every refusal names the field and changes nothing; where
PostgreSQL can hold the rule itself, a direct insert that skips the services is refused too.
These tests run on SQLite and on PostgreSQL (.ci/run runs this file on both).
"""
import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from cases import services
from cases.facts import advocacy_facts, facts_fingerprint
from cases.models import CredibleFearProcess, CustodyEpisode, Facility, Hearing, Person, Sponsor
from tests import factories as f

from .helpers import client_for, days_ago, last_event_id, row_counts, today
from .world import *  # noqa: F403  (the cast and `case`, built once for the module)

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql",
                                   reason="the database-level rule exists on PostgreSQL only")


def refused(call: Callable[[], Any], field: str, case: Any) -> ValidationError:
    """`call` raises a ValidationError on `field`, and no row or history entry changed."""
    counts, last = row_counts(), last_event_id(case)
    episodes = list(CustodyEpisode.objects.order_by("pk").values())
    sponsors = list(Sponsor.objects.order_by("pk").values())
    processes = list(CredibleFearProcess.objects.order_by("pk").values())
    with pytest.raises(ValidationError) as exc:
        call()
    assert field in exc.value.message_dict, exc.value.message_dict
    assert row_counts() == counts
    assert last_event_id(case) == last
    assert list(CustodyEpisode.objects.order_by("pk").values()) == episodes
    assert list(Sponsor.objects.order_by("pk").values()) == sponsors
    assert list(CredibleFearProcess.objects.order_by("pk").values()) == processes
    return exc.value


def db_refuses(**episode: Any) -> None:
    """A direct insert, past every service, is refused by the database itself."""
    before = CustodyEpisode.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        CustodyEpisode.objects.create(**episode)
    assert CustodyEpisode.objects.count() == before


def years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


@pytest.fixture
def port(db):  # noqa: ANN001, ANN201
    return f.FacilityFactory(name="Calexico West Port of Entry", kind=Facility.Kind.PORT_OF_ENTRY)


@pytest.fixture
def place(db):  # noqa: ANN001, ANN201
    """One facility of each kind."""
    return {kind: f.FacilityFactory(name=f"A {kind} place", kind=kind) for kind in Facility.Kind.values}


@pytest.fixture
def pedro(alice, case):  # noqa: ANN001, ANN201
    """An adult with no custody recorded yet."""
    return f.make_person(alice, case, role="parent", first_name="Pedro", date_of_birth=dt.date(1988, 5, 1))


# --- One person, one custody at a time -----------------------------------------------------------
def test_a_back_dated_episode_overlapping_the_current_one_is_refused_and_names_it(alice, case, mother, port,
                                                                                 facility):
    # Ana has been in ICE detention at `facility` since 40 days ago; CBP until 38 days ago overlaps.
    err = refused(lambda: services.custody_episode_create(
        actor=alice, person=mother, kind="cbp", facility=port, started_on=days_ago(45), ended_on=days_ago(38),
    ), "ended_on", case)
    message = " ".join(err.message_dict["ended_on"])
    assert "ICE detention" in message
    assert facility.name in message
    assert days_ago(40).isoformat() in message


def test_a_back_dated_episode_inside_a_past_one_is_refused_on_its_start(alice, case, pedro, port, place):
    services.custody_episode_create(actor=alice, person=pedro, kind="cbp", facility=port,
                                    started_on=days_ago(60), ended_on=days_ago(50))
    refused(lambda: services.custody_episode_create(
        actor=alice, person=pedro, kind="ice_detention", facility=place["ice_detention"],
        started_on=days_ago(55), ended_on=days_ago(45),
    ), "started_on", case)


def test_episodes_that_only_touch_are_accepted(alice, mother, port):
    # CBP ends the day ICE detention starts (the transfer day): [45, 40) and [40, open) do not overlap.
    services.custody_episode_create(actor=alice, person=mother, kind="cbp", facility=port,
                                    started_on=days_ago(45), ended_on=days_ago(40))
    assert mother.custody_episodes.count() == 2


def test_a_correction_stretching_an_episode_into_the_next_is_refused(alice, case, pedro, port, place):
    # A day at liberty between CBP and ICE: the episodes do not touch, so the correction moves no
    # neighbour, and stretching CBP past the start of ICE is an overlap.
    cbp = services.custody_episode_create(actor=alice, person=pedro, kind="cbp", facility=port,
                                          started_on=days_ago(20), ended_on=days_ago(16))
    services.custody_episode_create(actor=alice, person=pedro, kind="ice_detention", facility=place["ice_detention"],
                                    started_on=days_ago(15))
    refused(lambda: services.custody_episode_update(actor=alice, episode=cbp, version=cbp.version,
                                                    reason="Typo", ended_on=days_ago(10)), "ended_on", case)


def test_a_correction_needs_a_reason(alice, case, mother):
    episode = mother.custody_episodes.get()
    refused(lambda: services.custody_episode_update(actor=alice, episode=episode, version=episode.version,
                                                    reason="  ", started_on=days_ago(41)), "reason", case)


@pytest.mark.parametrize(("moved_to", "detained"), [(12, 20), (18, 20)])
def test_correcting_a_transfer_day_moves_it_for_both_episodes(alice, case, pedro, port, place, moved_to, detained):
    # CBP from 20 days ago, transferred to ICE 15 days ago; the transfer was really on day 12 (or 18).
    services.custody_transfer(actor=alice, person=pedro, kind="cbp", facility=port, on=days_ago(20))
    ice = services.custody_transfer(actor=alice, person=pedro, kind="ice_detention", facility=place["ice_detention"],
                                    on=days_ago(15))
    corrected = services.custody_episode_update(actor=alice, episode=ice, version=ice.version,
                                                reason="The booking sheet says another day", started_on=days_ago(moved_to))
    cbp = pedro.custody_episodes.get(kind="cbp")
    assert (cbp.started_on, cbp.ended_on) == (days_ago(20), days_ago(moved_to))
    assert (corrected.started_on, corrected.ended_on) == (days_ago(moved_to), None)
    assert corrected.days_detained == detained  # one unbroken detention since CBP, either way
    # Two corrections, each with the reason and whose custody it was; nothing earlier rewritten.
    from cases.models import CaseEvent

    corrections = CaseEvent.objects.filter(case=case, action="custody.corrected")
    assert corrections.count() == 2
    assert {e.after["reason"] for e in corrections} == {"The booking sheet says another day"}
    assert {e.after["person"] for e in corrections} == {pedro.pk}
    transfers = CaseEvent.objects.filter(case=case, action="custody.transferred")
    assert [e.after["started_on"] for e in transfers if e.after.get("person") == pedro.pk] == [
        days_ago(15).isoformat(), days_ago(20).isoformat()]  # as first recorded, newest first


@postgres_only
def test_postgres_refuses_an_overlapping_insert(mother, port):
    db_refuses(person=mother, kind="cbp", facility=port, started_on=days_ago(45), ended_on=days_ago(38))


@postgres_only
def test_postgres_refuses_two_overlapping_closed_episodes(pedro, port):
    CustodyEpisode.objects.create(person=pedro, kind="cbp", facility=port, started_on=days_ago(60),
                                  ended_on=days_ago(50))
    db_refuses(person=pedro, kind="cbp", facility=port, started_on=days_ago(51), ended_on=days_ago(49))


# --- Days detained: one unbroken run of government detention ------------------------------------
@pytest.mark.parametrize(("ice_from", "detained_days"), [
    (6, 10),  # ICE books him the day CBP releases him: one detention since CBP, 10 days
    (5, 10),  # a one-day gap between the records is still one detention
    (4, 4),   # two days at liberty: a new detention starts with ICE
])
def test_cbp_then_ice_counts_as_one_detention_across_at_most_a_one_day_gap(alice, pedro, port, place, ice_from,
                                                                          detained_days):
    services.custody_episode_create(actor=alice, person=pedro, kind="cbp", facility=port,
                                    started_on=days_ago(10), ended_on=days_ago(6))
    services.custody_episode_create(actor=alice, person=pedro, kind="ice_detention",
                                    facility=place["ice_detention"], started_on=days_ago(ice_from))
    r = client_for(alice).get(f"/api/v1/people/{pedro.pk}/")
    assert r.json()["current_custody"]["days_detained"] == detained_days


def test_orr_foster_care_counts_as_detention_and_state_foster_care_does_not(alice, alpha, case, child):
    # Lucía: ORR shelter 35 days ago, ORR foster care 33 days ago: still federal custody, 35 days.
    services.custody_transfer(actor=alice, person=child, kind="orr_foster_care", on=days_ago(33))
    api = client_for(alice)
    assert api.get(f"/api/v1/people/{child.pk}/").json()["current_custody"]["days_detained"] == 35
    other = f.make_case(alice, alpha, reference="ALP-STATE")
    boy = f.make_person(alice, other, role="child", first_name="Iker")
    services.custody_transfer(actor=alice, person=boy, kind="state_child_welfare", on=days_ago(35))
    assert api.get(f"/api/v1/people/{boy.pk}/").json()["current_custody"]["days_detained"] is None

    # The same rule in the list filter and on the dashboard.
    listed = {c["reference"] for c in api.get("/api/v1/cases/", {"detained_more_than": 30}).json()["results"]}
    assert "ALP-001" in listed
    assert "ALP-STATE" not in listed
    panel = client_for(alice).get("/").content.decode().split('id="h-detained"')[1].split("</section>")[0]
    assert "ALP-001" in panel
    assert "ALP-STATE" not in panel


# --- Custody fits the facility ----------------------------------------------------------------------
ACCEPTED = {  # from the domain brief: where each custody is held
    "cbp": {"cbp_station", "port_of_entry"},
    "ice_detention": {"ice_detention"},
    "orr_shelter": {"orr_shelter"},
    "orr_foster_care": {"orr_shelter"},
    "state_child_welfare": {"other"},
}
FACILITY_KINDS = ["ice_detention", "cbp_station", "orr_shelter", "port_of_entry", "court", "other"]


CHILDRENS = {"orr_shelter", "orr_foster_care", "state_child_welfare"}


@pytest.mark.parametrize("custody", list(ACCEPTED))
@pytest.mark.parametrize("facility_kind", FACILITY_KINDS)
def test_custody_is_held_only_at_a_fitting_facility(alice, case, pedro, child, place, custody, facility_kind):
    who = child if custody in CHILDRENS else pedro

    def record() -> CustodyEpisode:
        return services.custody_transfer(actor=alice, person=who, kind=custody, on=days_ago(3),
                                         facility=place[facility_kind])

    if facility_kind in ACCEPTED[custody]:
        assert record().facility.kind == facility_kind
    else:
        refused(record, "facility", case)


@pytest.mark.parametrize("custody", ["released", "removed", "reunified", "unknown"])
def test_custody_outside_government_facilities_names_no_facility(alice, case, mother, place, custody):
    extra = {"released": {"release_type": "parole"}, "removed": {"removed_to": "Honduras"}}.get(custody, {})
    refused(lambda: services.custody_transfer(actor=alice, person=mother, kind=custody, on=days_ago(1),
                                              facility=place["ice_detention"], **extra), "facility", case)


@postgres_only
@pytest.mark.parametrize(("custody", "facility_kind"), [("ice_detention", "court"), ("ice_detention", "cbp_station"),
                                                        ("cbp", "ice_detention"), ("released", "ice_detention")])
def test_postgres_refuses_custody_at_a_facility_that_does_not_fit(pedro, place, custody, facility_kind):
    extra = {"release_type": "parole"} if custody == "released" else {}
    db_refuses(person=pedro, kind=custody, facility=place[facility_kind], started_on=days_ago(3), **extra)


# --- ORR custody is for children ----------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["orr_shelter", "orr_foster_care"])
def test_an_adult_is_never_placed_in_orr_custody(alice, case, pedro, kind):
    refused(lambda: services.custody_transfer(actor=alice, person=pedro, kind=kind, on=days_ago(1)), "kind", case)


def test_orr_custody_is_refused_from_the_eighteenth_birthday(alice, case):
    start = days_ago(2)
    turned_18 = f.make_person(alice, case, role="child", first_name="Yeimi", date_of_birth=years_before(start, 18))
    refused(lambda: services.custody_transfer(actor=alice, person=turned_18, kind="orr_shelter", on=start),
            "kind", case)
    still_17 = f.make_person(alice, case, role="child", first_name="Dilan",
                             date_of_birth=years_before(start, 18) + dt.timedelta(days=1))
    assert services.custody_transfer(actor=alice, person=still_17, kind="orr_shelter", on=start).kind == "orr_shelter"


def test_orr_custody_without_a_date_of_birth_needs_the_child_role(alice, case):
    cousin = f.make_person(alice, case, role="other_relative", first_name="Keyla")
    refused(lambda: services.custody_transfer(actor=alice, person=cousin, kind="orr_shelter", on=days_ago(1)),
            "kind", case)


def test_custody_cannot_begin_before_the_person_was_born(alice, case):
    baby = f.make_person(alice, case, role="child", first_name="Noa", date_of_birth=days_ago(100))
    refused(lambda: services.custody_transfer(actor=alice, person=baby, kind="orr_shelter", on=days_ago(101)),
            "on", case)
    assert services.custody_transfer(actor=alice, person=baby, kind="orr_shelter", on=days_ago(100)).kind == "orr_shelter"


@postgres_only
def test_postgres_refuses_an_adult_in_orr_custody(pedro):
    db_refuses(person=pedro, kind="orr_shelter", started_on=days_ago(1))


# --- A child goes only to an approved sponsor --------------------------------------------------------
def sponsor(alice, case, status: str, person: Person | None = None) -> Sponsor:  # noqa: ANN001
    return services.sponsor_create(actor=alice, case=case, person=person, name="Marta Ejemplo",
                                   relationship="aunt", category="2B", status=status)


@pytest.mark.parametrize("status", ["identified", "application_submitted", "home_study", "denied"])
def test_release_to_a_sponsor_whose_vetting_is_not_approved_is_refused(alice, case, child, status):
    s = sponsor(alice, case, status)
    refused(lambda: services.release_to_sponsor(actor=alice, person=child, sponsor=s, on=days_ago(1)),
            "sponsor", case)
    s.refresh_from_db()
    assert s.status == status  # not silently marked released


def test_release_to_an_approved_sponsor_marks_the_sponsor_released(alice, case, child):
    s = sponsor(alice, case, "approved", person=child)
    episode = services.release_to_sponsor(actor=alice, person=child, sponsor=s, on=days_ago(1))
    assert (episode.kind, episode.sponsor_id) == ("with_sponsor", s.pk)
    s.refresh_from_db()
    assert s.status == "released_to_sponsor"


def test_release_to_another_childs_sponsor_is_refused(alice, case, child):
    brother = f.make_person(alice, case, role="child", first_name="Kevin")
    s = sponsor(alice, case, "approved", person=brother)
    refused(lambda: services.release_to_sponsor(actor=alice, person=child, sponsor=s, on=days_ago(1)),
            "sponsor", case)


def test_release_to_another_familys_sponsor_is_refused(alice, alpha, case, child):
    other = f.make_case(alice, alpha, reference="ALP-OTHER")
    s = sponsor(alice, other, "approved")
    refused(lambda: services.release_to_sponsor(actor=alice, person=child, sponsor=s, on=days_ago(1)),
            "sponsor", case)


def test_with_sponsor_without_naming_one_is_refused(alice, case, child):
    refused(lambda: services.custody_transfer(actor=alice, person=child, kind="with_sponsor", on=days_ago(1)),
            "sponsor", case)


def test_the_database_refuses_with_sponsor_naming_no_sponsor(child):
    # A check constraint: SQLite and PostgreSQL alike.
    db_refuses(person=child, kind="with_sponsor", started_on=days_ago(1), ended_on=days_ago(1))


@postgres_only
def test_postgres_refuses_with_sponsor_to_an_unapproved_sponsor(alice, case, child):
    s = sponsor(alice, case, "home_study")
    db_refuses(person=child, kind="with_sponsor", sponsor=s, started_on=days_ago(40), ended_on=days_ago(39))


# --- "Secured a sponsor" means approved or released to the sponsor ---------------------------------
@pytest.mark.parametrize(("status", "secured"), [
    ("identified", False), ("application_submitted", False), ("home_study", False), ("denied", False),
    ("approved", True), ("released_to_sponsor", True),
])
def test_letters_count_a_sponsor_as_secured_only_once_approved(alice, case, status, secured):
    services.consent_record(actor=alice, case=case, level="anonymous")
    sponsor(alice, case, status)
    values = advocacy_facts(case_ids=[case.pk]).values
    assert values["families.with_secured_sponsor"] == int(secured)
    assert values["detained.with_secured_sponsor"] == int(secured)  # Ana is in ICE detention


# --- Fear screening: the judge's review deadline -------------------------------------------------------
@pytest.fixture
def negative(alice, mother):  # noqa: ANN001, ANN201
    """A negative finding five days ago, of the given kind."""
    def make(kind: str) -> CredibleFearProcess:
        p = services.fear_process_create(actor=alice, person=mother, kind=kind, interview_on=days_ago(6))
        return services.interview_outcome_record(actor=alice, process=p, outcome="negative", decided_on=days_ago(5))
    return make


def test_no_request_no_review_deadline(negative):
    for kind in ("credible", "reasonable"):
        assert negative(kind).review_deadline is None


def test_credible_fear_review_is_due_7_days_after_the_negative_determination(alice, negative):
    # 8 CFR 1003.42(e): concluded within 7 days of the determination (5 days ago -> in 2 days).
    p = services.ij_review_request(actor=alice, process=negative("credible"), requested_on=days_ago(4))
    assert p.review_deadline == today() + dt.timedelta(days=2)


def test_reasonable_fear_review_is_due_10_days_after_the_referral_not_the_decision(alice, negative):
    # 8 CFR 208.31(g): within 10 days of the referral (2 days ago -> in 8 days; not in 5).
    p = services.ij_review_request(actor=alice, process=negative("reasonable"), requested_on=days_ago(3),
                                   referred_on=days_ago(2))
    assert p.review_deadline == today() + dt.timedelta(days=8)


def test_a_reasonable_fear_review_needs_the_referral_date(alice, case, negative):
    p = negative("reasonable")
    refused(lambda: services.ij_review_request(actor=alice, process=p, requested_on=days_ago(3)), "referred_on", case)


def test_a_declined_review_has_no_deadline_and_cannot_be_requested_after(alice, case, negative):
    p = services.ij_review_decline(actor=alice, process=negative("credible"))
    assert p.review_deadline is None
    refused(lambda: services.ij_review_request(actor=alice, process=p, requested_on=days_ago(1)), "review", case)


def test_the_api_declines_a_review(alice, negative):
    p = negative("credible")
    r = client_for(alice).post(f"/api/v1/credible-fear/{p.pk}/decline-review/")
    assert r.status_code == 200, r.content
    assert (r.json()["review"], r.json()["review_deadline"]) == ("declined", None)


@pytest.mark.parametrize(("referred_days_ago", "due_in"), [(0, 10), (1, 9), (2, 8)])
def test_dashboard_shows_reviews_due_8_to_10_days_out(alice, case, negative, referred_days_ago, due_in):
    services.ij_review_request(actor=alice, process=negative("reasonable"), requested_on=days_ago(referred_days_ago),
                               referred_on=days_ago(referred_days_ago))
    due = today() + dt.timedelta(days=due_in)
    panel = client_for(alice).get("/").content.decode().split('id="h-deadlines"')[1].split("</section>")[0]
    assert "ALP-001" in panel
    assert f"{due:%a} {due.day} {due:%b}" in panel


def test_dashboard_shows_no_deadline_without_a_request(alice, negative):
    negative("credible")
    panel = client_for(alice).get("/").content.decode().split('id="h-deadlines"')[1].split("</section>")[0]
    assert "ALP-001" not in panel


# --- What happened is never dated in the future -------------------------------------------------------
TOMORROW = 1


def test_an_interview_in_the_future_is_refused(alice, case, mother):
    refused(lambda: services.fear_process_create(actor=alice, person=mother, kind="credible",
                                                 interview_on=today() + dt.timedelta(days=TOMORROW)),
            "interview_on", case)


def test_a_decision_in_the_future_is_refused(alice, case, mother):
    p = services.fear_process_create(actor=alice, person=mother, kind="credible", interview_on=days_ago(1))
    refused(lambda: services.interview_outcome_record(actor=alice, process=p, outcome="positive",
                                                      decided_on=today() + dt.timedelta(days=TOMORROW)),
            "decided_on", case)


def test_review_dates_in_the_future_are_refused(alice, case, negative):
    p = negative("reasonable")
    tomorrow = today() + dt.timedelta(days=TOMORROW)
    refused(lambda: services.ij_review_request(actor=alice, process=p, requested_on=tomorrow,
                                               referred_on=days_ago(1)), "requested_on", case)
    refused(lambda: services.ij_review_request(actor=alice, process=p, requested_on=days_ago(1),
                                               referred_on=tomorrow), "referred_on", case)
    p = services.ij_review_request(actor=alice, process=p, requested_on=days_ago(1), referred_on=days_ago(1))
    refused(lambda: services.ij_review_record(actor=alice, process=p, result="affirmed", decided_on=tomorrow),
            "decided_on", case)


def test_a_release_in_the_future_is_refused(alice, case, mother):
    refused(lambda: services.custody_transfer(actor=alice, person=mother, kind="released", release_type="parole",
                                              on=today() + dt.timedelta(days=TOMORROW)), "on", case)


# --- Hearings are real date-times ---------------------------------------------------------------------
@pytest.fixture
def proceeding(alice, case, mother):  # noqa: ANN001, ANN201
    return services.proceeding_create(actor=alice, case=case, person=mother, kind="immigration_court")


def _at(year: int) -> dt.datetime:
    return dt.datetime(year, 3, 4, 9, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize("when", [
    lambda: _at(177), lambda: _at(1901), lambda: timezone.now() + dt.timedelta(days=366 * 11),
])
def test_a_hearing_outside_sane_years_is_refused(alice, case, proceeding, when):
    refused(lambda: services.hearing_schedule(actor=alice, proceeding=proceeding, scheduled_at=when()),
            "scheduled_at", case)


def test_a_hearing_two_years_out_is_accepted(alice, proceeding):
    when = timezone.now() + dt.timedelta(days=730)
    assert services.hearing_schedule(actor=alice, proceeding=proceeding, scheduled_at=when).scheduled_at == when


def test_the_api_answers_a_hearing_in_the_year_177_with_400(alice, case, proceeding):
    before = row_counts()
    r = client_for(alice).post(f"/api/v1/proceedings/{proceeding.pk}/schedule-hearing/",
                               {"scheduled_at": "0177-03-04T09:00:00Z"}, format="json")
    assert r.status_code == 400, r.content
    assert "scheduled_at" in r.json()
    assert row_counts() == before


def test_the_database_refuses_a_hearing_in_the_year_1901(proceeding):
    # A check constraint: SQLite and PostgreSQL alike.
    with pytest.raises(IntegrityError), transaction.atomic():
        Hearing.objects.create(proceeding=proceeding, scheduled_at=_at(1901))
    assert not Hearing.objects.filter(proceeding=proceeding).exists()


# --- The letter facts' cache key covers the facilities they read ----------------------------------
def test_renaming_the_port_of_entry_changes_the_facts_key(adam, alice, case, port):
    services.case_update(actor=alice, case=case, version=case.version, port_of_entry=port)
    before = facts_fingerprint(case_ids=[case.pk])
    services.reference_update(actor=adam, obj=port, version=port.version, name="Calexico West (renamed)")
    assert facts_fingerprint(case_ids=[case.pk]) != before


def test_editing_the_facility_a_member_is_held_at_changes_the_facts_key(adam, case, facility, other_facility):
    before = facts_fingerprint(case_ids=[case.pk])
    services.reference_update(actor=adam, obj=facility, version=facility.version,
                              field_office=other_facility.field_office)
    assert facts_fingerprint(case_ids=[case.pk]) != before


def test_the_api_refuses_a_correction_without_a_reason(alice, case, mother):
    episode = mother.custody_episodes.get()
    before = row_counts()
    r = client_for(alice).patch(f"/api/v1/custody-episodes/{episode.pk}/",
                                {"version": episode.version, "started_on": days_ago(41).isoformat()})
    assert r.status_code == 400
    assert "reason" in r.json()
    assert row_counts() == before
