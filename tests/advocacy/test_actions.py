"""Building, checking, publishing and ending actions, through the API."""
import datetime as dt
import threading
import uuid

import pytest
from django.db import close_old_connections, connection
from django.utils import timezone

from advocacy.models import Action, ActionCase
from cases import services
from cases.models import CaseEvent
from tests import factories as f
from tests.cases.helpers import client_for

from .conftest import SEED_LIKE_BODY, make_action

pytestmark = pytest.mark.django_db


def _body(case, **extra) -> dict:  # noqa: ANN001
    return {"organization": case.organization_id, "cases": [case.pk], "title": "Free Ana",
            "letter_subject": "Release the {{ families.in_ice_custody }} families", "letter_body": SEED_LIKE_BODY,
            "target_senators": True, "target_representative": True, **extra}


def test_organizer_creates_an_action_from_a_case_she_can_see(olga, consented_case, congress):  # noqa: ANN001
    r = client_for(olga).post("/api/v1/actions/", _body(consented_case), format="json")
    assert r.status_code == 201, r.content
    data = r.json()
    assert (data["status"], data["slug"], data["cases"]) == ("draft", "free-ana", [consented_case.pk])
    assert data["public_url"] == "/act/free-ana/"
    event = CaseEvent.objects.filter(case=consented_case, action="advocacy.linked").get()
    assert event.after == {"action": data["id"]}


def test_a_repeated_create_with_one_idempotency_key_makes_one_action(olga, consented_case, congress):  # noqa: ANN001
    api, key = client_for(olga), "8a0c1d9e-3f47-4b8a-9a55-2f1c0e6b7d21"
    first = api.post("/api/v1/actions/", _body(consented_case), format="json", HTTP_IDEMPOTENCY_KEY=key)
    again = api.post("/api/v1/actions/", _body(consented_case), format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"] and Action.objects.count() == 1
    other = api.post("/api/v1/actions/", _body(consented_case), format="json")
    assert other.status_code == 201 and Action.objects.count() == 2  # without a key, a new action
    bad = api.post("/api/v1/actions/", _body(consented_case), format="json", HTTP_IDEMPOTENCY_KEY="twice")
    assert bad.status_code == 400 and "Idempotency-Key" in bad.json() and Action.objects.count() == 2


def test_a_case_the_creator_cannot_see_is_answered_like_one_that_does_not_exist(charlie, gamma, consented_case):  # noqa: ANN001
    body = _body(consented_case, organization=gamma.pk)
    r = client_for(charlie).post("/api/v1/actions/", body, format="json")
    assert r.status_code == 400
    assert "does not exist" in str(r.json()["cases"])
    body["cases"] = [999999]
    assert "does not exist" in str(client_for(charlie).post("/api/v1/actions/", body, format="json").json()["cases"])
    assert not Action.objects.exists()


def test_a_volunteer_cannot_create_actions(victor, consented_case):  # noqa: ANN001
    r = client_for(victor).post("/api/v1/actions/", _body(consented_case), format="json")
    assert r.status_code == 400  # the organisation is not one where they may create actions
    assert "organization" in r.json()
    assert not Action.objects.exists()


def test_saving_a_template_with_an_unknown_field_is_refused_with_the_field_named(olga, consented_case):  # noqa: ANN001
    r = client_for(olga).post("/api/v1/actions/", _body(
        consented_case, letter_body="Dear [Decision Maker], {{ families.secret_count }} [Personal Note]"),
        format="json")
    assert r.status_code == 400
    assert r.json()["letter_body"] == ["Unknown merge field {{ families.secret_count }}."]
    assert not Action.objects.exists()


def test_a_fact_without_consent_saves_as_a_draft_with_the_reason_and_cannot_be_published(olga, alice, case):  # noqa: ANN001
    api = client_for(olga)
    r = api.post("/api/v1/actions/", _body(case), format="json")  # no consent recorded
    assert r.status_code == 201, r.content
    warnings = r.json()["warnings"]
    reason = ("The merge field {{ families.in_ice_custody }} is unavailable: no family in this action has consented "
              "to share facts.")
    assert reason in warnings["letter_body"] and "letter_subject" in warnings
    action = Action.objects.get()
    r = api.post(f"/api/v1/actions/{action.pk}/publish/", format="json")
    assert r.status_code == 400
    assert Action.objects.get().status == "draft"
    services.consent_record(actor=alice, case=case, level="anonymous")
    port = f.FacilityFactory(name="Calexico West Port of Entry", kind="port_of_entry")
    services.case_update(actor=alice, case=case, version=type(case).objects.get(pk=case.pk).version,
                         port_of_entry=port)
    assert api.get(f"/api/v1/actions/{action.pk}/").json()["warnings"] == {}
    assert api.post(f"/api/v1/actions/{action.pk}/publish/", format="json").status_code == 200


def test_first_names_need_story_consent(olga, alice, case):  # noqa: ANN001
    services.consent_record(actor=alice, case=case, level="anonymous")
    api = client_for(olga)
    r = api.post("/api/v1/actions/", _body(
        case, letter_body="Among them {{ families.first_names }}. [Personal Note]"), format="json")
    reason = ["The merge field {{ families.first_names }} is unavailable: no family in this action has consented to "
              "share its story."]
    assert r.status_code == 201 and r.json()["warnings"] == {"letter_body": reason}
    r = api.post(f"/api/v1/actions/{r.json()['id']}/publish/", format="json")
    assert r.status_code == 400 and r.json()["letter_body"] == reason


def test_an_action_that_invites_a_note_needs_a_place_for_it(olga, consented_case):  # noqa: ANN001
    r = client_for(olga).post("/api/v1/actions/", _body(consented_case, letter_body="Dear [Decision Maker]"),
                              format="json")
    assert r.status_code == 400
    assert "[Personal Note]" in r.json()["letter_body"][0]


def test_the_spanish_letter_is_checked_too(olga, consented_case):  # noqa: ANN001
    r = client_for(olga).post("/api/v1/actions/", _body(
        consented_case, languages=["en", "es"], letter_subject_es="Liberen", letter_body_es="{{ familias.total }}"),
        format="json")
    assert r.status_code == 400
    assert "Unknown merge field {{ familias.total }}." in r.json()["letter_body_es"]


def test_publishing_checks_consent_on_every_linked_case(olga, alice, draft, consented_case, alpha):  # noqa: ANN001
    from tests import factories as f

    other = f.make_case(alice, alpha, reference="ALP-NOCONSENT")
    api = client_for(olga)
    version = Action.objects.get(pk=draft.pk).version
    r = api.patch(f"/api/v1/actions/{draft.pk}/", {"version": version, "cases": [consented_case.pk, other.pk]},
                  format="json")
    assert r.status_code == 200, r.content
    r = api.post(f"/api/v1/actions/{draft.pk}/publish/")
    assert r.status_code == 400
    assert r.json()["cases"] == ["1 linked family has not consented to advocacy use. Record their consent or "
                                 "remove them: ALP-NOCONSENT."]
    assert Action.objects.get(pk=draft.pk).status == "draft"
    services.consent_record(actor=alice, case=other, level="anonymous")
    r = api.post(f"/api/v1/actions/{draft.pk}/publish/")
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "published" and r.json()["published_at"]


def test_close_and_won_end_an_action_and_it_can_no_longer_change(olga, action):  # noqa: ANN001
    api = client_for(olga)
    assert api.post(f"/api/v1/actions/{action.pk}/close/").json()["status"] == "closed"
    assert api.post(f"/api/v1/actions/{action.pk}/mark-won/").json()["status"] == "won"
    version = Action.objects.get(pk=action.pk).version
    r = api.patch(f"/api/v1/actions/{action.pk}/", {"version": version, "title": "x"}, format="json")
    assert r.status_code == 400 and "status" in r.json()
    assert api.post(f"/api/v1/actions/{action.pk}/publish/").status_code == 400


def test_a_stale_version_changes_nothing(olga, draft):  # noqa: ANN001
    api = client_for(olga)
    r = api.patch(f"/api/v1/actions/{draft.pk}/", {"version": draft.version, "title": "First"}, format="json")
    assert r.status_code == 200
    r = api.patch(f"/api/v1/actions/{draft.pk}/", {"version": draft.version, "title": "Second"}, format="json")
    assert r.status_code == 409
    assert Action.objects.get(pk=draft.pk).title == "First"


def test_slugs_are_unique_with_a_clear_error(olga, draft, consented_case):  # noqa: ANN001
    r = client_for(olga).post("/api/v1/actions/", _body(consented_case, slug=draft.slug), format="json")
    assert r.status_code == 400 and "slug" in r.json()


def test_a_deadline_in_the_past_is_refused(olga, consented_case):  # noqa: ANN001
    past = (timezone.now() - dt.timedelta(days=1)).isoformat()
    r = client_for(olga).post("/api/v1/actions/", _body(consented_case, deadline=past), format="json")
    assert r.status_code == 400 and "deadline" in r.json()


def test_preview_renders_unsaved_text_for_a_sample_supporter_with_the_live_facts(olga, draft):  # noqa: ANN001
    r = client_for(olga).post(f"/api/v1/actions/{draft.pk}/preview/", {
        "letter_body": "Dear [Decision Maker], {{ families.in_ice_custody }} held {{ detained.longest_days }} days. "
                       "[Your Name]"}, format="json")
    assert r.status_code == 200, r.content
    data = r.json()
    assert data["body"] == "Dear [Decision Maker], 1 held 40 days. Alex Sample\n"
    assert data["errors"] == {}
    fields = {field["name"]: field for field in data["fields"]}
    assert fields["families.count"]["value"] == "1" and fields["families.count"]["available"]
    assert fields["families.first_names"]["value"] == "Ana"


def test_preview_reports_errors_as_the_organizer_types(olga, draft):  # noqa: ANN001
    r = client_for(olga).post(f"/api/v1/actions/{draft.pk}/preview/", {"letter_body": "{{ oops }}"}, format="json")
    assert r.status_code == 200
    assert r.json()["errors"] == {"letter_body": ["Unknown merge field {{ oops }}."]}


def test_tallies_are_recorded_separately_and_never_go_below_zero(olga, action):  # noqa: ANN001
    api = client_for(olga)
    url = f"/api/v1/actions/{action.pk}/tallies/"
    assert api.post(url, {"kind": "pledge", "count": 8000}, format="json").status_code == 201
    assert api.post(url, {"kind": "offline_letter", "count": 40, "note": "vigil"}, format="json").status_code == 201
    assert api.post(url, {"kind": "offline_letter", "count": -5}, format="json").status_code == 201
    r = api.post(url, {"kind": "pledge", "count": -9000}, format="json")
    assert r.status_code == 400 and "count" in r.json()
    assert api.post(url, {"kind": "pledge", "count": 0}, format="json").status_code == 400
    progress = api.get(f"/api/v1/actions/{action.pk}/").json()["progress"]
    assert progress == {"goal": 100, "letters_sent": 0, "pledges": 8000, "offline_letters": 35,
                        "counts_pledges": True, "total": 8035, "percent": 100, "supporters": 0, "letters_waiting": 0}
    # The organizer's choice: pledges are promises, not letters - the total counts the 35 only.
    a = Action.objects.get(pk=action.pk)
    r = api.patch(f"/api/v1/actions/{action.pk}/", {"version": a.version, "goal_counts_pledges": False},
                  format="json")
    assert r.status_code == 200, r.content
    assert r.json()["progress"] == {"goal": 100, "letters_sent": 0, "pledges": 8000, "offline_letters": 35,
                                    "counts_pledges": False, "total": 35, "percent": 35, "supporters": 0,
                                    "letters_waiting": 0}


def test_removing_a_family_from_an_action_is_on_its_timeline(olga, alice, draft, consented_case, alpha):  # noqa: ANN001
    from tests import factories as f

    other = f.make_case(alice, alpha, reference="ALP-2")
    services.consent_record(actor=alice, case=other, level="anonymous")
    api = client_for(olga)
    r = api.patch(f"/api/v1/actions/{draft.pk}/", {"version": draft.version, "cases": [other.pk]}, format="json")
    assert r.status_code == 200  # a draft saves; the letter names facts the remaining family has no record of
    assert "{{ detained.shortest_days }} is unavailable" in str(r.json()["warnings"]["letter_body"])
    r = api.patch(f"/api/v1/actions/{draft.pk}/", {
        "version": draft.version + 1, "cases": [other.pk], "letter_subject": "Write for this family",
        "letter_body": "{{ families.count }} family. [Personal Note]"}, format="json")
    assert r.status_code == 200, r.content
    assert list(ActionCase.objects.filter(action=draft).values_list("case_id", flat=True)) == [other.pk]
    assert CaseEvent.objects.filter(case=consented_case, action="advocacy.unlinked").exists()


def test_a_partner_editing_the_families_keeps_those_it_cannot_see(olga, alice, bob, alpha, draft, consented_case,
                                                                  shared_with_bob):  # noqa: ANN001
    from advocacy.services import actions as action_services
    from tests import factories as f

    hidden = f.make_case(alice, alpha, reference="ALP-HIDDEN")  # not shared with Beta
    services.consent_record(actor=alice, case=hidden, level="anonymous")
    a = Action.objects.get(pk=draft.pk)
    a = action_services.action_update(actor=olga, action=a, version=a.version, cases=[consented_case, hidden])
    action_services.action_share_create(actor=olga, action=a, access="change", user=bob)
    r = client_for(bob).patch(f"/api/v1/actions/{a.pk}/", {"version": a.version, "cases": [consented_case.pk]},
                              format="json")
    assert r.status_code == 200, r.content
    assert set(ActionCase.objects.filter(action=a).values_list("case_id", flat=True)) == {consented_case.pk,
                                                                                         hidden.pk}


def test_a_partner_who_sees_none_of_the_families_edits_and_keeps_them(olga, bob, draft, consented_case):  # noqa: ANN001
    from advocacy.services import actions as action_services

    action_services.action_share_create(actor=olga, action=draft, access="change", user=bob)
    a = Action.objects.get(pk=draft.pk)
    updated = action_services.action_update(actor=bob, action=a, version=a.version, cases=[], goal=250)
    assert updated.goal == 250
    assert list(ActionCase.objects.filter(action=a).values_list("case_id", flat=True)) == [consented_case.pk]
    assert not CaseEvent.objects.filter(case=consented_case, action="advocacy.unlinked").exists()


def test_the_same_request_token_creates_one_action(olga, alpha, consented_case, director):  # noqa: ANN001
    token = uuid.uuid4()
    first = make_action(olga, [consented_case], fixed_targets=[director], request_token=token)
    again = make_action(olga, [consented_case], fixed_targets=[director], request_token=token)
    assert again.pk == first.pk
    assert Action.objects.count() == 1
    assert CaseEvent.objects.filter(case=consented_case, action="advocacy.linked").count() == 1
    other = make_action(olga, [consented_case], fixed_targets=[director], request_token=uuid.uuid4())
    assert other.pk != first.pk and Action.objects.count() == 2


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="Needs real concurrent connections; SQLite serialises writers anyway.")
@pytest.mark.django_db(transaction=True)
def test_two_racing_creates_with_one_request_token_make_one_action(olga, consented_case, director,
                                                                   monkeypatch):  # noqa: ANN001
    """Both calls pass the look-up before either inserts: the unique constraint makes the second
    insert fail once the first commits, and the second call returns the first action."""
    from advocacy.services import actions as action_services

    barrier = threading.Barrier(2, timeout=10)
    check_letters = action_services._check_letters

    def both_checked(*args, **kwargs) -> None:  # noqa: ANN002, ANN003
        check_letters(*args, **kwargs)
        barrier.wait()  # each call is inside its transaction, past the look-up, about to insert

    monkeypatch.setattr(action_services, "_check_letters", both_checked)
    token = uuid.uuid4()
    results: list[int] = []

    def create() -> None:
        try:
            results.append(make_action(olga, [consented_case], fixed_targets=[director], request_token=token).pk)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=create) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert len(results) == 2 and results[0] == results[1]
    assert list(Action.objects.values_list("pk", flat=True)) == [results[0]]
    assert CaseEvent.objects.filter(case=consented_case, action="advocacy.linked").count() == 1
