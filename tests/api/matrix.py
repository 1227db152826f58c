"""The permission matrix: what each endpoint is, and the assertions every role is held to.

An endpoint's *reads* are its list and detail; each *write* is one PATCH or POST with the body a
real client would send and a probe that re-reads the database, so "it worked" and "nothing
changed" are both checked on the rows, not on the response.
"""
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from django.db.models import Model
from rest_framework.response import Response
from rest_framework.test import APIClient

from cases.models import CaseEvent

Family = SimpleNamespace

# What is PII, written out from the rule (docs/permissions.md: "names, dates of birth, A-numbers,
# addresses, sponsor names and contacts, dockets, the internal summary and notes"), not read from
# the product's own table (cases/pii.py), so a field dropped there fails these tests.
PII = {
    "case": {"summary"},
    "person": {"first_name", "last_name", "date_of_birth", "a_number", "address"},
    "sponsor": {"name", "contact"},
    "note": {"body"},
    "proceeding": {"docket"},
    "caseshare": {"user", "organization"},  # who represents the family
}
# The history also carries free text about the family: why a file was closed or reopened, why a
# custody entry was corrected.
PII_IN_HISTORY = {**PII, "case": PII["case"] | {"closed_reason", "reason"}, "custodyepisode": {"reason"}}

# Who reads what. Owners and co-counsel see everything; organizers and assigned volunteers see
# the case redacted and never its notes; outsiders and unassigned volunteers see nothing.
FULL_READERS = ["alice", "adam", "bob"]
REDACTED_READERS = ["olga", "victor"]
NON_READERS = ["charlie", "vera"]
# Who may write on `case`: its organisation's advocates and admins.
WRITERS = ["alice", "adam"]
# They see the case but may not change it: 403, nothing changed.
SEE_BUT_NOT_WRITE = ["bob", "olga", "victor"]


@dataclass(frozen=True)
class Endpoint:
    """A readable collection under /api/v1/ and the family's row that it must (not) show."""

    path: str
    target: Callable[[Family], Model]
    pii_only: bool = False  # notes: only readers of PII see them at all

    def detail(self, fam: Family) -> str:
        return f"{self.path}{self.target(fam).pk}/"

    def __str__(self) -> str:
        return self.path.removeprefix("/api/v1/").rstrip("/")


@dataclass(frozen=True)
class Write:
    """One write. `probe` re-reads what the write changes; `hidden_field` is, for a create, the
    field that names the case (or person) and answers 400 when the caller cannot see it."""

    name: str
    method: str
    url: Callable[[Family], str]
    body: Callable[[Family], dict[str, Any]]
    probe: Callable[[Family], Any]
    status: int = 200
    hidden_field: str | None = None

    def send(self, client: APIClient, fam: Family) -> Response:
        return getattr(client, self.method)(self.url(fam), self.body(fam), format="json")

    def __str__(self) -> str:
        return self.name


def ids(response: Response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def history_size(fam: Family) -> int:
    return CaseEvent.objects.filter(case=fam.case).count()


def assert_write_succeeds(client: APIClient, write: Write, fam: Family) -> Response:
    before, events = write.probe(fam), history_size(fam)
    response = write.send(client, fam)
    assert response.status_code == write.status, response.content
    assert write.probe(fam) != before, "the response said yes but the row did not change"
    assert history_size(fam) > events, "a change must leave a history entry"
    return response


def assert_write_refused(client: APIClient, write: Write, fam: Family, statuses: tuple[int, ...]) -> Response:
    before, events = write.probe(fam), history_size(fam)
    response = write.send(client, fam)
    assert response.status_code in statuses, (response.status_code, response.content)
    assert write.probe(fam) == before
    assert history_size(fam) == events
    return response


def assert_write_hidden(client: APIClient, write: Write, fam: Family) -> None:
    """Someone who cannot see the case learns nothing: 404 on the object, and on a create the
    same 400 'does not exist' as for an id that was never used."""
    if write.hidden_field is None:
        assert_write_refused(client, write, fam, (404,))
        return
    response = assert_write_refused(client, write, fam, (400,))
    assert write.hidden_field in response.json(), response.content
    assert "does not exist" in str(response.json()[write.hidden_field])


def assert_reads(client: APIClient, who: str, endpoint: Endpoint, fam: Family) -> None:
    """The read half of the matrix for one role on one endpoint."""
    target = endpoint.target(fam)
    sees = who in FULL_READERS or (who in REDACTED_READERS and not endpoint.pii_only)
    listed = ids(client.get(endpoint.path))
    detail = client.get(endpoint.detail(fam))
    if sees:
        assert target.pk in listed
        assert detail.status_code == 200, detail.content
        assert detail.json()["id"] == target.pk
    else:
        assert target.pk not in listed
        assert detail.status_code == 404, detail.content


def assert_anonymous_refused(response: Response) -> None:
    assert response.status_code in (401, 403), (response.status_code, response.content)
