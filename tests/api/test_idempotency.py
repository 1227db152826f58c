"""A retried or repeated create with the same Idempotency-Key changes the record once and answers
with what the first request made - the guarantee the staff forms' one-time token gives, from the
same service (cases.services.once)."""
import datetime as dt
import threading
import uuid

import pytest
from django.db import close_old_connections, connection
from django.utils import timezone

from cases.models import CaseEvent, CustodyEpisode, Hearing, Note, Proceeding

from ..cases.helpers import client_for, days_ago, iso, row_counts

pytestmark = pytest.mark.django_db


def key() -> dict[str, str]:
    return {"HTTP_IDEMPOTENCY_KEY": str(uuid.uuid4())}


@pytest.fixture
def proceeding(alice, case):  # noqa: ANN001, ANN201
    from cases import services

    return services.proceeding_create(actor=alice, case=case, kind="immigration_court")


def in_a_week() -> str:
    return (timezone.now() + dt.timedelta(days=7)).isoformat()


def test_a_note_sent_twice_with_one_key_is_one_note(alice, case):
    api, headers = client_for(alice), key()
    first = api.post("/api/v1/notes/", {"case": case.pk, "body": "Called the shelter."}, **headers)
    again = api.post("/api/v1/notes/", {"case": case.pk, "body": "Called the shelter."}, **headers)
    assert (first.status_code, again.status_code) == (201, 201), again.content
    assert first.json()["id"] == again.json()["id"]
    assert Note.objects.filter(case=case).count() == 1
    assert CaseEvent.objects.filter(case=case, action="note.added").count() == 1


def test_without_a_key_each_request_creates(alice, case):
    api = client_for(alice)
    for _ in range(2):
        assert api.post("/api/v1/notes/", {"case": case.pk, "body": "Called the shelter."}).status_code == 201
    assert Note.objects.filter(case=case).count() == 2


def test_a_hearing_scheduled_twice_with_one_key_is_one_hearing(alice, proceeding):
    api, headers = client_for(alice), key()
    url = f"/api/v1/proceedings/{proceeding.pk}/schedule-hearing/"
    ids = {api.post(url, {"scheduled_at": in_a_week()}, format="json", **headers).json()["id"] for _ in range(2)}
    assert len(ids) == 1
    assert Hearing.objects.filter(proceeding=proceeding).count() == 1


def test_a_custody_transfer_sent_twice_with_one_key_is_one_transfer(alice, case):
    mother = case.people.get(role="parent")
    api, headers = client_for(alice), key()
    url = f"/api/v1/people/{mother.pk}/transfer-custody/"
    body = {"kind": "released", "release_type": "bond", "on": iso(days_ago(1))}
    first = api.post(url, body, **headers)
    again = api.post(url, body, **headers)
    assert (first.status_code, again.status_code) == (201, 201), again.content
    assert first.json()["id"] == again.json()["id"]
    assert CustodyEpisode.objects.filter(person=mother).count() == 2  # the ICE detention, then the release


def test_a_refused_create_leaves_the_key_free_for_the_corrected_one(alice, proceeding):
    api, headers = client_for(alice), key()
    url = f"/api/v1/proceedings/{proceeding.pk}/schedule-hearing/"
    before = row_counts()
    refused = api.post(url, {"scheduled_at": "0177-03-04T09:00:00Z"}, format="json", **headers)
    assert refused.status_code == 400
    assert row_counts() == before
    assert api.post(url, {"scheduled_at": in_a_week()}, format="json", **headers).status_code == 201
    assert Hearing.objects.filter(proceeding=proceeding).count() == 1


def test_a_key_reused_for_another_kind_of_request_is_refused(alice, case, proceeding):
    api, headers = client_for(alice), key()
    assert api.post("/api/v1/notes/", {"case": case.pk, "body": "One."}, **headers).status_code == 201
    before = row_counts()
    r = api.post(f"/api/v1/proceedings/{proceeding.pk}/schedule-hearing/", {"scheduled_at": in_a_week()},
                 format="json", **headers)
    assert r.status_code == 400
    assert "Idempotency-Key" in r.json()
    assert row_counts() == before


def test_another_users_key_is_refused_and_reveals_nothing(alice, adam, case):
    headers = key()
    first = client_for(alice).post("/api/v1/notes/", {"case": case.pk, "body": "Private."}, **headers)
    assert first.status_code == 201
    before = row_counts()
    r = client_for(adam).post("/api/v1/notes/", {"case": case.pk, "body": "Mine."}, **headers)
    assert r.status_code == 400
    assert "Private" not in r.content.decode()
    assert str(first.json()["id"]) not in r.content.decode()
    assert row_counts() == before


def test_a_malformed_key_is_a_400(alice, case):
    before = row_counts()
    r = client_for(alice).post("/api/v1/notes/", {"case": case.pk, "body": "One."}, HTTP_IDEMPOTENCY_KEY="abc")
    assert r.status_code == 400
    assert "Idempotency-Key" in r.json()
    assert row_counts() == before


def test_a_proceeding_created_twice_with_one_key_is_one(alice, case):
    api, headers = client_for(alice), key()
    body = {"case": case.pk, "kind": "bond", "docket": "A-1"}
    assert api.post("/api/v1/proceedings/", body, **headers).json()["id"] == \
        api.post("/api/v1/proceedings/", body, **headers).json()["id"]
    assert Proceeding.objects.filter(case=case, kind="bond").count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="Needs real concurrent connections; SQLite serialises writers anyway.")
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_requests_with_one_key_make_one_note(alice, case):
    barrier, headers, results = threading.Barrier(2), key(), []

    def send() -> None:
        try:
            client = client_for(alice)
            barrier.wait(timeout=10)
            r = client.post("/api/v1/notes/", {"case": case.pk, "body": "Race."}, **headers)
            results.append((r.status_code, r.json().get("id")))
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert [code for code, _ in results] == [201, 201]
    assert len({note for _, note in results}) == 1
    assert Note.objects.filter(case=case).count() == 1
