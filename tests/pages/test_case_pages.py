"""Every case page tried by each member of the cast (tests/conftest.py): owners (alice, adam),
a read-only collaborator (bob, co-counsel of Beta Law), redacted readers (olga, organizer, and
victor, an assigned volunteer), and outsiders (charlie of Gamma Justice, vera an unassigned
volunteer). Outcomes are the API's: 404 for what you may not see, 403 for what you may see but
not change, and nothing a role may not see is in the HTML at all."""
import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from cases.models import Assignment, CaseEvent, CaseShare, CustodyEpisode, Story
from tests.api.matrix import FULL_READERS, NON_READERS, REDACTED_READERS, SEE_BUT_NOT_WRITE, WRITERS
from tests.world import *  # noqa: F403  (the cast and the family, built once for the module)

pytestmark = pytest.mark.django_db

READERS = FULL_READERS + REDACTED_READERS
EVERYONE = READERS + NON_READERS

# What only readers of PII may find anywhere in a page: names, the A-number, the sponsor's name
# and contact, the docket, the note, the summary.
PII = ["Ana", "Lucía", "201-555-019", "Marta Ejemplo", "marta@example.test", "SND-2019-0417",
       "Mother says her daughter has asthma.", "Mother asks about her daughter"]


def html(response: Any) -> str:
    return response.content.decode()


@pytest.mark.parametrize("who", EVERYONE)
def test_case_page(family, page_for, who):  # noqa: ANN001
    response = page_for(who).get(f"/cases/{family.case.pk}/")
    if who in NON_READERS:
        assert response.status_code == 404
        assert "ALP-001" not in html(response)
        return
    assert response.status_code == 200
    body = html(response)
    assert "ALP-001" in body and "Imperial Regional Detention Facility" in body
    for secret in PII:
        assert (secret in body) is (who in FULL_READERS), secret


@pytest.mark.parametrize("who", READERS)
def test_forms_are_rendered_only_for_writers(family, page_for, who):  # noqa: ANN001
    body = html(page_for(who).get(f"/cases/{family.case.pk}/"))
    for name in ("transfer", "interview", "fear", "sponsor", "hearing", "reunified", "consent", "note", "story"):
        assert (f"/cases/{family.case.pk}/do/{name}/" in body) is (who in WRITERS), name
    # Sharing is the owning organisation's: the collaborator never sees who else represents the family.
    assert (f"/cases/{family.case.pk}/do/share/" in body) is (who in WRITERS)
    assert ("bob@example.test" in body) is (who in WRITERS)
    assert ("Create an action from this case" in body) is (who in ("alice", "adam", "olga"))


def transitions(fam: Any) -> dict[str, dict]:
    today = timezone.localdate()
    return {
        "transfer": {"person": fam.mother.pk, "kind": "ice_detention", "facility": fam.other_facility.pk,
                     "on": today.isoformat()},
        "interview": {"process": fam.fear_pending.pk, "outcome": "positive", "decided_on": today.isoformat()},
        "fear": {"person": fam.child.pk, "kind": "credible", "interview_on": today.isoformat()},
        "sponsor": {"sponsor": fam.sponsor.pk, "status": "released_to_sponsor"},
        "hearing": {"proceeding": fam.proceeding.pk, "purpose": "Individual hearing",
                    "scheduled_at": (timezone.localtime() + dt.timedelta(days=20)).strftime("%Y-%m-%dT%H:%M")},
        "reunified": {"on": today.isoformat()},
        "consent": {"level": "anonymous"},
        "share": {"email": "charlie@example.test", "access": "view"},
        "unshare": {"share": fam.share.pk},
        "note": {"body": "Called the consulate."},
        "story": {"text": "Ana asked for asylum at the port; her daughter was taken from her there.", "text_es": "",
                  "approve": "on"},
        "person_add": {"role": "child", "first_name": "Iker", "date_of_birth": (today - dt.timedelta(days=2000)).isoformat()},
        "sponsor_add": {"person": fam.child.pk, "name": "Rita Ejemplo", "category": "3", "status": "identified"},
        "proceeding_open": {"kind": "family_court", "person": fam.child.pk, "docket": "JV-2026-0099"},
        "assign": {"user": Assignment._meta.get_field("user").related_model.objects.get(email="vera@example.test").pk},
        "unassign": {"assignment": Assignment.objects.get(case=fam.case).pk},
        "close": {"reason": "Reunified with the mother in Chula Vista", "on": today.isoformat()},
    }


def snapshot(fam: Any) -> tuple:
    """Everything a transition could change, re-read from the database."""
    case = type(fam.case).objects.get(pk=fam.case.pk)
    return (
        CaseEvent.objects.filter(case=fam.case).count(), case.consent_level, case.version,
        list(CustodyEpisode.objects.filter(person__case=fam.case).values_list("pk", "kind", "facility_id",
                                                                              "ended_on").order_by("pk")),
        list(CaseShare.objects.filter(case=fam.case).values_list("pk", "revoked_at").order_by("pk")),
        list(Story.objects.filter(case=fam.case).values_list("text", "approved_at")),
    )


TRANSITIONS = ["transfer", "interview", "fear", "sponsor", "hearing", "reunified", "consent", "share", "unshare",
               "note", "story", "person_add", "sponsor_add", "proceeding_open", "assign", "unassign", "close"]


@pytest.mark.parametrize("name", TRANSITIONS)
@pytest.mark.parametrize("who", EVERYONE)
def test_transition(family, page_for, who, name, charlie):  # noqa: ANN001
    before = snapshot(family)
    events = before[0]
    response = page_for(who).post(f"/cases/{family.case.pk}/do/{name}/", transitions(family)[name])
    if who in WRITERS:
        assert response.status_code == 302, html(response)
        assert response["Location"] == f"/cases/{family.case.pk}/#timeline"
        assert CaseEvent.objects.filter(case=family.case).count() > events, "a change leaves a history entry"
        return
    assert response.status_code == (403 if who in SEE_BUT_NOT_WRITE else 404)
    assert snapshot(family) == before, "a refused transition changed something"


@pytest.mark.parametrize("who", ["anonymous"])
def test_anonymous_is_sent_to_sign_in(family, page_for, who):  # noqa: ANN001
    client = page_for(who)
    for url in ("/", "/cases/", f"/cases/{family.case.pk}/", "/actions/", "/members/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next="), url
    response = client.post(f"/cases/{family.case.pk}/do/note/", {"body": "x"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not family.case.notes.filter(body="x").exists()


def test_unknown_transition_is_404(family, page_for):  # noqa: ANN001
    assert page_for("alice").post(f"/cases/{family.case.pk}/do/delete/", {}).status_code == 404
    assert page_for("alice").get(f"/cases/{family.case.pk}/do/note/").status_code == 405


def listed(body: str, case: Any) -> bool:
    return f'href="/cases/{case.pk}/"' in body


@pytest.mark.parametrize("who", EVERYONE)
def test_case_list(family, gamma_case, page_for, who):  # noqa: ANN001
    client = page_for(who)
    body = html(client.get("/cases/"))
    assert listed(body, family.case) is (who in READERS)
    assert listed(body, gamma_case) is (who == "charlie")
    # Name search (a POST: names never sit in a URL) only finds families whose names the reader may see.
    assert listed(html(client.post("/cases/", {"text": "Ana"})), family.case) is (who in FULL_READERS)
    # Reference search works for every reader.
    assert listed(html(client.post("/cases/", {"text": "ALP-001"})), family.case) is (who in READERS)
    # The exact A-number is a POST (never in a URL) and, like the API, PII readers only.
    response = client.post("/cases/", {"a_number": "A201555019"})
    assert response.status_code == 200
    assert listed(html(response), family.case) is (who in FULL_READERS)
    for secret in PII[:2]:
        assert (secret in body) is (who in FULL_READERS)


@pytest.mark.parametrize("who", EVERYONE)
def test_dashboard(family, page_for, who):  # noqa: ANN001
    response = page_for(who).get("/")
    assert response.status_code == 200
    body = html(response)
    # Ana has been in ICE detention 40 days; the hearing is in 10 days; of her two negative
    # credible-fear findings of two days ago, the one whose review she requested has its judge-review
    # deadline inside the fortnight, the other (no request) has none.
    assert body.count(f'href="/cases/{family.case.pk}/"') >= (3 if who in READERS else 0)
    assert listed(body, family.case) is (who in READERS)
    assert ("Ana" in body) is (who in FULL_READERS)
    if who in READERS:  # a deadline only for a requested review
        assert "IJ review requested" in body and "Not requested" not in body
