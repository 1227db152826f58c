"""Small readers shared by the case-domain tests: what the API says, and what the database holds."""
import datetime as dt
from typing import Any

from django.db.models import Max
from django.utils import timezone
from rest_framework.test import APIClient

from cases.models import (
    Case, CaseEvent, CaseShare, CredibleFearProcess, CustodyEpisode, Hearing, Note, Person, Proceeding, Sponsor,
)

ROW_MODELS = (Case, Person, CustodyEpisode, Sponsor, CredibleFearProcess, Proceeding, Hearing, Note, CaseShare,
              CaseEvent)


def client_for(user: Any) -> APIClient:
    """A client of its own: the shared `api` fixture is one client, so two readers need two."""
    client = APIClient()
    client.force_login(user)
    return client


def today() -> dt.date:
    return timezone.localdate()


def days_ago(n: int) -> dt.date:
    return today() - dt.timedelta(days=n)


def iso(d: dt.date) -> str:
    return d.isoformat()


def row_counts() -> dict[str, int]:
    """How many rows each case-domain table holds: a write that was refused changes none."""
    return {m.__name__: m.objects.count() for m in ROW_MODELS}


def last_event_id(case: Case) -> int:
    return CaseEvent.objects.filter(case=case).aggregate(m=Max("id"))["m"] or 0


def history(client: APIClient, case: Case) -> list[dict[str, Any]]:
    """The case timeline as the API shows it (newest first)."""
    r = client.get(f"/api/v1/cases/{case.pk}/history/", {"page_size": 200})
    assert r.status_code == 200, r.content
    return r.json()["results"]


def new_events(client: APIClient, case: Case, after_id: int) -> list[dict[str, Any]]:
    """Entries written after `after_id`, oldest first, as the API shows them."""
    return sorted((e for e in history(client, case) if e["id"] > after_id), key=lambda e: e["id"])


def one_event(client: APIClient, case: Case, after_id: int, action: str) -> dict[str, Any]:
    matching = [e for e in new_events(client, case, after_id) if e["action"] == action]
    assert len(matching) == 1, f"expected one {action!r}, got {new_events(client, case, after_id)}"
    return matching[0]


def refs(response: Any) -> set[str]:
    assert response.status_code == 200, response.content
    return {c["reference"] for c in response.json()["results"]}
