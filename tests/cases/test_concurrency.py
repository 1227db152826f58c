"""Optimistic concurrency: every PATCH names the version it read. A stale version is a 409 that
changes nothing: no field, no version bump, no history entry."""
import datetime as dt
import threading

import pytest
from django.db import close_old_connections, connection
from django.utils import timezone

from cases import services
from cases.models import Case, CaseEvent
from cases.services import StaleVersion

from .helpers import client_for, days_ago, iso, row_counts

pytestmark = pytest.mark.django_db


@pytest.fixture
def sponsor(alice, case, child):  # noqa: ANN001, ANN201
    return services.sponsor_create(actor=alice, case=case, person=child, name="Rosa Ejemplo", category="2B")


@pytest.fixture
def proceeding(alice, case):  # noqa: ANN001, ANN201
    return services.proceeding_create(actor=alice, case=case, kind="family_court")


@pytest.fixture
def hearing(alice, proceeding):  # noqa: ANN001, ANN201
    return services.hearing_schedule(actor=alice, proceeding=proceeding,
                                     scheduled_at=timezone.now() + dt.timedelta(days=12))


@pytest.fixture
def fear_process(alice, mother):  # noqa: ANN001, ANN201
    return services.fear_process_create(actor=alice, person=mother)


# object fixture -> (url, first change, second change based on the same version)
TARGETS = {
    "case": ("cases", {"summary": "First writer"}, {"summary": "Second writer"}),
    "mother": ("people", {"languages": "Spanish"}, {"languages": "K'iche'"}),
    "sponsor": ("sponsors", {"status": "home_study"}, {"status": "denied"}),
    "proceeding": ("proceedings", {"agency_position": "reunification"}, {"agency_position": "termination"}),
    "hearing": ("hearings", {"location": "Courtroom 1"}, {"location": "Courtroom 9"}),
    "fear_process": ("credible-fear", {"kind": "reasonable"}, {"interview_on": "2020-01-02"}),
    "episode": ("custody-episodes", {"started_on": iso(days_ago(41)), "reason": "Mistyped"},
                {"started_on": iso(days_ago(45)), "reason": "Mistyped again"}),
}


@pytest.fixture
def target(request, mother):  # noqa: ANN001, ANN201
    name = request.param
    obj = mother.custody_episodes.get() if name == "episode" else request.getfixturevalue(name)
    url, first, second = TARGETS[name]
    return obj, url, first, second


@pytest.mark.parametrize("target", list(TARGETS), indirect=True)
def test_second_patch_with_the_same_version_is_409_and_writes_nothing(alice_api, case, target):
    obj, url, first, second = target
    read_version = obj.version

    r = alice_api.patch(f"/api/v1/{url}/{obj.pk}/", {"version": read_version, **first})
    assert r.status_code == 200, r.content
    assert r.json()["version"] == read_version + 1
    after_first = alice_api.get(f"/api/v1/{url}/{obj.pk}/").json()
    before = row_counts()
    events = list(CaseEvent.objects.filter(case=case).values_list("id", flat=True))

    r = alice_api.patch(f"/api/v1/{url}/{obj.pk}/", {"version": read_version, **second})
    assert r.status_code == 409, r.content
    assert r.json()["detail"]
    assert alice_api.get(f"/api/v1/{url}/{obj.pk}/").json() == after_first  # no field changed, same version
    assert row_counts() == before
    assert list(CaseEvent.objects.filter(case=case).values_list("id", flat=True)) == events


def test_stale_case_update_changes_no_field_and_no_version(alice, alice_api, case):
    services.case_update(actor=alice, case=case, version=1, separation_place="Calexico")  # someone else, now v2
    r = alice_api.patch(f"/api/v1/cases/{case.pk}/", {"version": 1, "separation_place": "Tijuana",
                                                       "summary": "Stale"})
    assert r.status_code == 409
    case.refresh_from_db()
    assert (case.version, case.separation_place, case.summary) == (2, "Calexico", "")


def test_version_from_the_future_is_409(alice_api, case):
    r = alice_api.patch(f"/api/v1/cases/{case.pk}/", {"version": 7, "summary": "From the future"})
    assert r.status_code == 409
    case.refresh_from_db()
    assert (case.version, case.summary) == (1, "")


@pytest.mark.parametrize("url", ["cases/{case}", "people/{mother}", "custody-episodes/{episode}"])
def test_patch_without_version_is_400_on_version(alice_api, case, mother, url):
    episode = mother.custody_episodes.get()
    before = row_counts()
    r = alice_api.patch(f"/api/v1/{url.format(case=case.pk, mother=mother.pk, episode=episode.pk)}/",
                        {"summary": "x", "languages": "x", "removed_to": "Mexico"})
    assert r.status_code == 400, r.content
    assert "version" in r.json()
    assert row_counts() == before
    case.refresh_from_db()
    mother.refresh_from_db()
    episode.refresh_from_db()
    assert (case.version, mother.version, episode.version) == (1, 1, 1)


def test_transition_bumps_the_version_so_an_edit_based_on_the_old_one_is_409(alice_api, case, mother):
    # Recording consent is a change to the case: a form opened before it is stale.
    r = alice_api.post(f"/api/v1/cases/{case.pk}/consent/", {"level": "anonymous"})
    assert r.status_code == 200
    r = alice_api.patch(f"/api/v1/cases/{case.pk}/", {"version": 1, "summary": "Typed before consent"})
    assert r.status_code == 409


def test_custody_transfer_bumps_the_version_of_the_episode_it_closes(alice_api, mother):
    episode = mother.custody_episodes.get()
    r = alice_api.post(f"/api/v1/people/{mother.pk}/transfer-custody/",
                       {"kind": "released", "release_type": "bond", "on": iso(days_ago(1))})
    assert r.status_code == 201
    r = alice_api.patch(f"/api/v1/custody-episodes/{episode.pk}/", {"version": 1, "ended_on": None,
                                                                    "reason": "Still held"})
    assert r.status_code == 409
    episode.refresh_from_db()
    assert episode.ended_on == days_ago(1)


def test_stale_service_call_raises_stale_version(alice, case):
    services.case_update(actor=alice, case=case, version=1, summary="One")
    with pytest.raises(StaleVersion):
        services.case_update(actor=alice, case=case, version=1, summary="Two")
    assert Case.objects.get(pk=case.pk).summary == "One"


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="Needs real concurrent connections and row locks; SQLite serialises writers anyway.")
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_patches_with_the_same_version_one_wins(alice, case):
    """Two requests race with version 1: the row lock makes exactly one a 200 and the other a 409."""
    barrier = threading.Barrier(2)
    results: list[int] = []

    def write(text: str) -> None:
        try:
            client = client_for(alice)
            barrier.wait(timeout=10)
            results.append(client.patch(f"/api/v1/cases/{case.pk}/", {"version": 1, "summary": text}).status_code)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=write, args=(t,)) for t in ("Writer A", "Writer B")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert sorted(results) == [200, 409]
    case.refresh_from_db()
    assert case.version == 2
    assert case.summary in {"Writer A", "Writer B"}
    assert CaseEvent.objects.filter(case=case, action="case.updated").count() == 1
