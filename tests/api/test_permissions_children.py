"""Everything that belongs to a case (people, custody, sponsors, credible fear, proceedings,
hearings, notes): every read and write under /api/v1/, tried by every member of the cast."""
import datetime as dt

import pytest
from django.utils import timezone

from cases.models import CredibleFearProcess, CustodyEpisode, Hearing, Note, Person, Proceeding, Sponsor
from tests.world import *  # noqa: F403  (the cast and the family, built once for the module)

from .conftest import ANONYMOUS
from .matrix import (
    FULL_READERS, NON_READERS, REDACTED_READERS, SEE_BUT_NOT_WRITE, WRITERS, Endpoint, Write,
    assert_anonymous_refused, assert_reads, assert_write_hidden, assert_write_refused, assert_write_succeeds, ids,
)

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    Endpoint("/api/v1/people/", lambda fam: fam.mother),
    Endpoint("/api/v1/custody-episodes/", lambda fam: fam.episode),
    Endpoint("/api/v1/sponsors/", lambda fam: fam.sponsor),
    Endpoint("/api/v1/credible-fear/", lambda fam: fam.fear_pending),
    Endpoint("/api/v1/proceedings/", lambda fam: fam.proceeding),
    Endpoint("/api/v1/hearings/", lambda fam: fam.hearing),
    Endpoint("/api/v1/notes/", lambda fam: fam.note, pii_only=True),
]


def fresh(model, obj):  # noqa: ANN001, ANN201
    return model.objects.get(pk=obj.pk)


def days_ago(fam, n: int) -> str:  # noqa: ANN001
    return (fam.today - dt.timedelta(days=n)).isoformat()


def open_episode(person):  # noqa: ANN001, ANN201
    return CustodyEpisode.objects.filter(person=person, ended_on__isnull=True).values_list("kind", "facility_id").get()


WRITES = [
    # people
    Write("people create", "post", lambda fam: "/api/v1/people/",
          lambda fam: {"case": fam.case.pk, "role": "child", "first_name": "Sofía", "last_name": "Ejemplo"},
          lambda fam: Person.objects.filter(case=fam.case).count(), status=201, hidden_field="case"),
    Write("people PATCH", "patch", lambda fam: f"/api/v1/people/{fam.mother.pk}/",
          lambda fam: {"version": fresh(Person, fam.mother).version, "languages": "Spanish, Mam"},
          lambda fam: fresh(Person, fam.mother).languages),
    Write("people transfer-custody", "post", lambda fam: f"/api/v1/people/{fam.mother.pk}/transfer-custody/",
          lambda fam: {"kind": "ice_detention", "on": fam.today.isoformat(), "facility": fam.other_facility.pk},
          lambda fam: open_episode(fam.mother), status=201),
    Write("people release-to-sponsor", "post", lambda fam: f"/api/v1/people/{fam.child.pk}/release-to-sponsor/",
          lambda fam: {"sponsor": fam.sponsor.pk, "on": fam.today.isoformat()},
          lambda fam: open_episode(fam.child), status=201),
    # custody episodes
    Write("custody-episodes create", "post", lambda fam: "/api/v1/custody-episodes/",
          lambda fam: {"person": fam.mother.pk, "kind": "cbp", "started_on": days_ago(fam, 50),
                       "ended_on": days_ago(fam, 41)},
          lambda fam: CustodyEpisode.objects.filter(person=fam.mother).count(), status=201, hidden_field="person"),
    Write("custody-episodes PATCH", "patch", lambda fam: f"/api/v1/custody-episodes/{fam.episode.pk}/",
          lambda fam: {"version": fresh(CustodyEpisode, fam.episode).version, "facility": fam.other_facility.pk,
                       "reason": "She was taken to Otay Mesa, not Imperial"},
          lambda fam: fresh(CustodyEpisode, fam.episode).facility_id),
    # sponsors
    Write("sponsors create", "post", lambda fam: "/api/v1/sponsors/",
          lambda fam: {"case": fam.case.pk, "name": "Tomás Ejemplo", "relationship": "uncle", "category": "2B"},
          lambda fam: Sponsor.objects.filter(case=fam.case).count(), status=201, hidden_field="case"),
    Write("sponsors PATCH", "patch", lambda fam: f"/api/v1/sponsors/{fam.sponsor.pk}/",
          lambda fam: {"version": fresh(Sponsor, fam.sponsor).version, "status": "home_study"},
          lambda fam: fresh(Sponsor, fam.sponsor).status),
    # credible fear
    Write("credible-fear create", "post", lambda fam: "/api/v1/credible-fear/",
          lambda fam: {"person": fam.mother.pk, "kind": "reasonable"},
          lambda fam: CredibleFearProcess.objects.filter(person=fam.mother).count(), status=201,
          hidden_field="person"),
    Write("credible-fear PATCH", "patch", lambda fam: f"/api/v1/credible-fear/{fam.fear_pending.pk}/",
          lambda fam: {"version": fresh(CredibleFearProcess, fam.fear_pending).version,
                       "interview_on": days_ago(fam, 3)},
          lambda fam: fresh(CredibleFearProcess, fam.fear_pending).interview_on),
    Write("credible-fear record-outcome", "post",
          lambda fam: f"/api/v1/credible-fear/{fam.fear_pending.pk}/record-outcome/",
          lambda fam: {"outcome": "positive", "decided_on": fam.today.isoformat()},
          lambda fam: fresh(CredibleFearProcess, fam.fear_pending).outcome),
    Write("credible-fear request-review", "post",
          lambda fam: f"/api/v1/credible-fear/{fam.fear_negative.pk}/request-review/",
          lambda fam: {"requested_on": fam.today.isoformat()},
          lambda fam: fresh(CredibleFearProcess, fam.fear_negative).review),
    Write("credible-fear record-review", "post",
          lambda fam: f"/api/v1/credible-fear/{fam.fear_requested.pk}/record-review/",
          lambda fam: {"result": "vacated", "decided_on": fam.today.isoformat()},
          lambda fam: fresh(CredibleFearProcess, fam.fear_requested).review),
    # proceedings and hearings
    Write("proceedings create", "post", lambda fam: "/api/v1/proceedings/",
          lambda fam: {"case": fam.case.pk, "person": fam.mother.pk, "kind": "bond"},
          lambda fam: Proceeding.objects.filter(case=fam.case).count(), status=201, hidden_field="case"),
    Write("proceedings PATCH", "patch", lambda fam: f"/api/v1/proceedings/{fam.proceeding.pk}/",
          lambda fam: {"version": fresh(Proceeding, fam.proceeding).version, "agency_position": "reunification"},
          lambda fam: fresh(Proceeding, fam.proceeding).agency_position),
    Write("proceedings schedule-hearing", "post",
          lambda fam: f"/api/v1/proceedings/{fam.proceeding.pk}/schedule-hearing/",
          lambda fam: {"scheduled_at": (timezone.now() + dt.timedelta(days=30)).isoformat(), "purpose": "Bond"},
          lambda fam: Hearing.objects.filter(proceeding=fam.proceeding).count(), status=201),
    Write("hearings PATCH", "patch", lambda fam: f"/api/v1/hearings/{fam.hearing.pk}/",
          lambda fam: {"version": fresh(Hearing, fam.hearing).version, "location": "Otay Mesa Immigration Court"},
          lambda fam: fresh(Hearing, fam.hearing).location),
    # notes
    Write("notes create", "post", lambda fam: "/api/v1/notes/",
          lambda fam: {"case": fam.case.pk, "body": "Sponsor home study is booked."},
          lambda fam: Note.objects.filter(case=fam.case).count(), status=201, hidden_field="case"),
]


# --- reads ---------------------------------------------------------------------------------
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
@pytest.mark.parametrize("who", FULL_READERS + REDACTED_READERS + NON_READERS)
def test_list_and_detail_show_the_row_exactly_to_those_allowed(who, endpoint, family, gamma_case, client_for):  # noqa: ANN001
    assert_reads(client_for(who), who, endpoint, family)


# Each list's filter on its parent row, and that row in the family.
PARENT_FILTERS = [
    ("/api/v1/people/", "case", lambda fam: fam.case),
    ("/api/v1/custody-episodes/", "person", lambda fam: fam.mother),
    ("/api/v1/sponsors/", "case", lambda fam: fam.case),
    ("/api/v1/credible-fear/", "person", lambda fam: fam.mother),
    ("/api/v1/proceedings/", "case", lambda fam: fam.case),
    ("/api/v1/hearings/", "proceeding", lambda fam: fam.proceeding),
    ("/api/v1/notes/", "case", lambda fam: fam.case),
    ("/api/v1/shares/", "case", lambda fam: fam.case),
]


@pytest.mark.parametrize(("path", "param", "parent"), PARENT_FILTERS, ids=[f"{p[0][8:-1]}?{p[1]}" for p in PARENT_FILTERS])
@pytest.mark.parametrize("who", NON_READERS)
def test_filtering_by_a_hidden_parent_answers_exactly_like_an_unused_id(who, path, param, parent, family, client_for):  # noqa: ANN001
    """Otherwise the filter is an oracle: 200 for a family that exists, 400 for one that does not."""
    client = client_for(who)
    hidden = client.get(path, {param: parent(family).pk})
    unused = client.get(path, {param: parent(family).pk + 100_000})
    assert hidden.status_code == unused.status_code
    if hidden.status_code == 200:
        assert ids(hidden) == []


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_anonymous_cannot_list_or_read(endpoint, family, client_for):  # noqa: ANN001
    anonymous = client_for(ANONYMOUS)
    assert_anonymous_refused(anonymous.get(endpoint.path))
    assert_anonymous_refused(anonymous.get(endpoint.detail(family)))


# --- writes --------------------------------------------------------------------------------
@pytest.mark.parametrize("write", WRITES, ids=str)
@pytest.mark.parametrize("who", WRITERS)
def test_owning_organisation_advocate_and_admin_can_write(who, write, family, client_for):  # noqa: ANN001
    assert_write_succeeds(client_for(who), write, family)


@pytest.mark.parametrize("write", WRITES, ids=str)
@pytest.mark.parametrize("who", SEE_BUT_NOT_WRITE)
def test_readers_without_change_rights_get_403_and_nothing_changes(who, write, family, client_for):  # noqa: ANN001
    assert_write_refused(client_for(who), write, family, (403,))


@pytest.mark.parametrize("write", WRITES, ids=str)
@pytest.mark.parametrize("who", NON_READERS)
def test_non_readers_get_404_or_400_on_the_case_field_and_nothing_changes(who, write, family, client_for):  # noqa: ANN001
    assert_write_hidden(client_for(who), write, family)


@pytest.mark.parametrize("write", WRITES, ids=str)
def test_anonymous_cannot_write(write, family, client_for):  # noqa: ANN001
    assert_write_refused(client_for(ANONYMOUS), write, family, (401, 403))


def test_a_case_id_never_used_answers_like_a_hidden_one(family, client_for):  # noqa: ANN001
    """charlie's 400 for alice's case must be indistinguishable from the 400 for a free id."""
    charlie = client_for("charlie")
    hidden = charlie.post("/api/v1/notes/", {"case": family.case.pk, "body": "x"}, format="json")
    unused = charlie.post("/api/v1/notes/", {"case": family.case.pk + 10_000, "body": "x"}, format="json")
    assert hidden.status_code == unused.status_code == 400
    assert hidden.json()["case"][0].replace(str(family.case.pk), "N") == \
        unused.json()["case"][0].replace(str(family.case.pk + 10_000), "N")
