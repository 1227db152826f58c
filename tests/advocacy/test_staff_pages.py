"""The organizer pages of the staff web app (advocacy/staff.py), tried by the same cast as the API
matrix (test_api_permissions.py), and held to the same outcomes:

- owners: olga (organizer, who built the action), alice (advocate) and adam (admin) of Alpha Legal.
  They see, change and run the action, and see its supporters (the exports, printable batches).
- read-only: victor and vera (Alpha volunteers: volunteers follow every action of their
  organisation) and bob (Beta Law, with whom the action is shared read-only). Pages that read
  answer 200 and show no supporter; every write answers 403 and changes nothing.
- outsider: charlie (Gamma Justice). The action does not exist for him: 404 everywhere.
- anonymous: every page redirects to the login page, with ?next= the page.

Building an action is an organisation's staff's (admins, advocates, organizers); a volunteer gets
404 for the builder. The builder lists only the families the user can see in their organisation,
and its live preview counts only those (and of those, only the families who consented)."""
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils.html import escape

from advocacy.models import Action, ActionCase, PdfBatch
from advocacy.services import actions as action_services
from advocacy.services import batches
from advocacy.staff import TEXTS
from cases import services as case_services
from cases.models import Case, ConsentLevel, CustodianKind
from tests import factories as f
from tests.api.conftest import signed_in
from tests.cast import family_case

from .conftest import SEED_LIKE_BODY, SUPPORTER, sign
from .world import *  # noqa: F403  (the cast, congress and the consenting family, built once for the module)

pytestmark = pytest.mark.django_db

OWNERS = ["olga", "alice", "adam"]
READ_ONLY = ["victor", "vera", "bob"]
OUTSIDERS = ["charlie"]
EVERYONE = OWNERS + READ_ONLY + OUTSIDERS
ANONYMOUS = "anonymous"
# Who may build actions in their own organisation (accounts.roles.CAN_CREATE_ACTIONS).
BUILDERS = ["olga", "alice", "adam", "bob", "charlie"]

# What a supporter typed into the public form: never on an organizer page, whoever reads it.
SUPPORTER_DETAILS = [SUPPORTER["email"], SUPPORTER["street"], SUPPORTER["phone"], SUPPORTER["note"],
                     f'{SUPPORTER["first_name"]} {SUPPORTER["last_name"]}']


def expected(who: str, *, ok: int) -> int:
    """The status a role gets for a write: `ok` for owners, 403 for read-only, 404 for outsiders."""
    return ok if who in OWNERS else 403 if who in READ_ONLY else 404


def html(response: Any) -> str:
    return response.content.decode()


@pytest.fixture
def page_as(request: pytest.FixtureRequest) -> Callable[[str], Client]:
    """A fresh browser-like client (form posts) signed in as a cast member, or anonymous."""
    return signed_in(request, Client)


@pytest.fixture
def cast(olga, alice, adam, victor, vera, bob, charlie):  # noqa: ANN001, ANN201
    """Everyone exists before the first request (rights come from their organisations' groups)."""


@pytest.fixture
def world(action, cast, olga, bob):  # noqa: ANN001, ANN201
    """The published action, shared read-only with bob, with one supporter's letters waiting."""
    action_services.action_share_create(actor=olga, action=action, access="view", user=bob)
    sign(action)
    return Action.objects.get(pk=action.pk)


def form_data(action: Action, **changes: Any) -> dict:
    """The builder's fields as a browser posts them for this action (unchecked boxes are absent)."""
    data: dict[str, Any] = {name: getattr(action, name) for name in TEXTS}
    data.update(supporter_editing=action.supporter_editing, goal=action.goal, deadline="", version=action.version,
                cases=list(ActionCase.objects.filter(action=action).values_list("case_id", flat=True)),
                fixed_targets=list(action.fixed_targets.values_list("pk", flat=True)))
    for flag in ("target_senators", "target_representative", "target_case_officials", "goal_counts_pledges"):
        if getattr(action, flag):
            data[flag] = "on"
    data.update(changes)
    return data


def new_action_data(case_ids: list[int], director_pk: int, **changes: Any) -> dict:
    """A new action as an organizer fills the builder in."""
    return {"title": "Free the Calexico families", "intro": "", "letter_subject": "Release the families",
            "letter_body": SEED_LIKE_BODY, "supporter_editing": "note", "target_senators": "on",
            "target_representative": "on", "goal": "200", "deadline": "", "cases": case_ids,
            "fixed_targets": [director_pk], **changes}


# --- The list of actions ------------------------------------------------------------------------

@pytest.mark.parametrize("who", EVERYONE)
def test_the_list_shows_the_action_to_whoever_the_api_lists_it_for(world, page_as, who):  # noqa: ANN001
    response = page_as(who).get("/actions/")
    assert response.status_code == 200
    body = html(response)
    sees = who in OWNERS + READ_ONLY
    assert (escape(world.title) in body) is sees
    assert (f'href="/actions/{world.pk}/"' in body) is sees
    assert ('href="/actions/new/"' in body) is (who in BUILDERS)
    for detail in SUPPORTER_DETAILS:
        assert detail not in body


# --- An action's page ---------------------------------------------------------------------------

@pytest.mark.parametrize("who", EVERYONE)
def test_the_action_page_and_who_reaches_its_supporters(world, page_as, who):  # noqa: ANN001
    page = page_as(who)
    response = page.get(f"/actions/{world.pk}/")
    if who in OUTSIDERS:
        assert response.status_code == 404
        assert escape(world.title) not in html(response)
        return
    assert response.status_code == 200
    body = html(response)
    assert escape(world.title) in body
    assert "Field Office Director" in body  # the delivery report, by decision maker, is everyone's
    # Supporters are reached through the exports and printable batches only, and only by holders of
    # the supporters right; their details are never on the page itself.
    sees_supporters = who in OWNERS
    csv_link = f"/api/v1/actions/{world.pk}/letters-csv/"
    assert (csv_link in body) is sees_supporters
    assert (f"/actions/{world.pk}/batches/" in body) is sees_supporters
    assert (f"/actions/{world.pk}/edit/" in body) is (who in OWNERS)
    for detail in SUPPORTER_DETAILS:
        assert escape(detail) not in body
    # The link leads where the page promises, for whom it shows it (the same session).
    csv = page.get(csv_link)
    assert csv.status_code == (200 if sees_supporters else 403)
    if sees_supporters:
        assert SUPPORTER["email"].encode() in b"".join(csv.streaming_content)


# --- Editing ------------------------------------------------------------------------------------

@pytest.mark.parametrize("who", EVERYONE)
def test_who_opens_the_edit_page(world, page_as, who):  # noqa: ANN001
    response = page_as(who).get(f"/actions/{world.pk}/edit/")
    assert response.status_code == expected(who, ok=200)
    if who in OWNERS:
        assert f'value="{world.version}"' in html(response)


@pytest.mark.parametrize("who", EVERYONE)
def test_who_may_change_the_action(world, page_as, who):  # noqa: ANN001
    response = page_as(who).post(f"/actions/{world.pk}/edit/", form_data(world, goal="500"))
    assert response.status_code == expected(who, ok=302)
    stored = Action.objects.get(pk=world.pk)
    if who in OWNERS:
        assert response["Location"] == f"/actions/{world.pk}/"
        assert (stored.goal, stored.version) == (500, world.version + 1)
    else:
        assert (stored.goal, stored.version) == (world.goal, world.version)


def test_a_refused_letter_comes_back_next_to_its_field_with_what_was_typed(world, page_as):  # noqa: ANN001
    typed = "Dear [Decision Maker], {{ families.favourite_colour }} [Personal Note]"
    response = page_as("olga").post(f"/actions/{world.pk}/edit/",
                                    form_data(world, letter_body=typed, title="A new title typed"))
    assert response.status_code == 400
    body = html(response)
    assert '<div class="error" id="id_letter_body_error">' in body
    assert "Unknown merge field {{ families.favourite_colour }}." in body
    assert typed in body and 'value="A new title typed"' in body
    assert Action.objects.get(pk=world.pk).letter_body == world.letter_body


def test_a_form_error_comes_back_next_to_its_field(world, page_as):  # noqa: ANN001
    response = page_as("olga").post(f"/actions/{world.pk}/edit/", form_data(world, goal="-3", title="Kept title"))
    assert response.status_code == 400
    body = html(response)
    assert '<div class="error" id="id_goal_error">' in body
    assert 'value="-3"' in body and 'value="Kept title"' in body
    assert Action.objects.get(pk=world.pk).title == world.title


def test_an_edit_of_a_stale_version_is_refused_and_keeps_the_input(world, page_as, alice):  # noqa: ANN001
    # alice saves first; olga's page still carries the version she opened.
    action_services.action_update(actor=alice, action=world, version=world.version, goal=300)
    response = page_as("olga").post(f"/actions/{world.pk}/edit/", form_data(world, goal="777"))
    assert response.status_code == 400
    body = html(response)
    assert "Someone changed this action after you opened it." in body
    assert 'value="777"' in body
    assert Action.objects.get(pk=world.pk).goal == 300


RELOAD = '<div class="error-summary" role="alert"><p>Reload the page and apply your change again.</p></div>'


@pytest.mark.parametrize("version", [None, "", "latest", "1.5"])
def test_an_edit_without_a_usable_version_is_refused_above_the_form(world, page_as, version):  # noqa: ANN001
    # The version is the page's proof of what it was based on: no version, no blind overwrite.
    data = form_data(world, goal="777")
    if version is None:
        del data["version"]
    else:
        data["version"] = version
    response = page_as("olga").post(f"/actions/{world.pk}/edit/", data)
    assert response.status_code == 400
    body = html(response)
    assert RELOAD in body  # above the form: the field it concerns is hidden
    assert "Enter a whole number." not in body and "This field is required." not in body
    assert 'value="777"' in body
    stored = Action.objects.get(pk=world.pk)
    assert (stored.goal, stored.version) == (world.goal, world.version)


def test_an_edit_of_version_zero_is_stale(world, page_as):  # noqa: ANN001
    response = page_as("olga").post(f"/actions/{world.pk}/edit/", form_data(world, goal="777", version="0"))
    assert response.status_code == 400
    assert "Someone changed this action after you opened it." in html(response)
    stored = Action.objects.get(pk=world.pk)
    assert (stored.goal, stored.version) == (world.goal, world.version)


@pytest.fixture
def shared_to_change(world, olga, bob):  # noqa: ANN001, ANN201
    """The action shared with bob (Beta Law) to change; its family is Alpha's, which bob cannot see."""
    action_services.action_share_create(actor=olga, action=world, access="change", user=bob)
    return Action.objects.get(pk=world.pk)


def test_a_partner_sharing_the_change_right_opens_the_edit_page_without_the_families_they_cannot_see(
        shared_to_change, consented_case, page_as):  # noqa: ANN001
    response = page_as("bob").get(f"/actions/{shared_to_change.pk}/edit/")
    assert response.status_code == 200
    body = html(response)
    assert "ALP-001" not in body and f'name="cases" value="{consented_case.pk}"' not in body
    assert "Families you cannot see stay linked to this action." in body
    # The preview states the action's own facts, as its letters will.
    assert "1 of the 1 families we accompanied" in body


def test_a_partner_sharing_the_change_right_saves_an_edit_and_the_families_stay(shared_to_change, consented_case,
                                                                                page_as):  # noqa: ANN001
    action = shared_to_change
    # What bob's browser sends: no family is offered to him, so none is ticked.
    data = form_data(action, goal="500", cases=[])
    fragment = live_preview(page_as("bob"), f"/actions/{action.pk}/edit/", data)
    assert "1 of the 1 families we accompanied" in fragment
    response = page_as("bob").post(f"/actions/{action.pk}/edit/", data)
    assert response.status_code == 302
    assert response["Location"] == f"/actions/{action.pk}/"
    stored = Action.objects.get(pk=action.pk)
    assert (stored.goal, stored.version) == (500, action.version + 1)
    assert list(ActionCase.objects.filter(action=action).values_list("case_id", flat=True)) == [consented_case.pk]


def test_an_owner_still_has_to_keep_a_family(world, page_as):  # noqa: ANN001
    response = page_as("olga").post(f"/actions/{world.pk}/edit/", form_data(world, goal="500", cases=[]))
    assert response.status_code == 400
    assert '<div class="error" id="id_cases_error">' in html(response)
    assert Action.objects.get(pk=world.pk).goal == world.goal


# --- Publish, close, reopen, mark won, resume -----------------------------------------------------------

@pytest.fixture
def paused(action):  # noqa: ANN001, ANN201
    action_services.action_pause(action_id=action.pk, reason="A fact the letter needs lost its families' consent.")
    return Action.objects.get(pk=action.pk)


@pytest.fixture
def closed(olga, action):  # noqa: ANN001, ANN201
    """Closed before its deadline (none set): it may be reopened."""
    return action_services.action_close(actor=olga, action=action)


# The action each transition starts from (a fixture), and the field and value it leaves behind.
TRANSITIONS = {
    "publish": ("draft", "status", "published"),
    "close": ("action", "status", "closed"),
    "reopen": ("closed", "status", "published"),
    "mark-won": ("action", "status", "won"),
    "resume": ("paused", "paused_reason", ""),
}


@pytest.mark.parametrize("who", [*EVERYONE, ANONYMOUS])
@pytest.mark.parametrize("name", TRANSITIONS)
def test_who_may_run_a_transition(request, cast, page_as, olga, bob, name, who):  # noqa: ANN001
    start, field, done = TRANSITIONS[name]
    action = request.getfixturevalue(start)
    action_services.action_share_create(actor=olga, action=action, access="view", user=bob)
    before = getattr(Action.objects.get(pk=action.pk), field)
    assert before != done
    path = f"/actions/{action.pk}/do/{name}/"
    response = page_as(who).post(path, {"confirm": "yes"} if name == "close" else {})
    after = getattr(Action.objects.get(pk=action.pk), field)
    if who == ANONYMOUS:
        assert response.status_code == 302
        assert response["Location"] == f"/accounts/login/?next={path}"
    else:
        assert response.status_code == expected(who, ok=302)
    if who in OWNERS:
        assert response["Location"] == f"/actions/{action.pk}/"
        assert after == done
    else:
        assert after == before


@pytest.mark.parametrize("name", TRANSITIONS)
def test_a_transition_is_never_a_get(request, page_as, name):  # noqa: ANN001
    start, field, done = TRANSITIONS[name]
    action = request.getfixturevalue(start)
    assert page_as("olga").get(f"/actions/{action.pk}/do/{name}/").status_code == 404
    assert getattr(Action.objects.get(pk=action.pk), field) != done


def test_an_unknown_transition_does_not_exist(action, page_as):  # noqa: ANN001
    assert page_as("olga").post(f"/actions/{action.pk}/do/delete/").status_code == 404
    assert Action.objects.filter(pk=action.pk).exists()


def test_a_transition_the_rules_refuse_says_why_and_changes_nothing(action, page_as):  # noqa: ANN001
    response = page_as("olga").post(f"/actions/{action.pk}/do/publish/", follow=True)
    assert response.redirect_chain == [(f"/actions/{action.pk}/", 302)]
    assert "Only a draft can be published." in html(response)
    stored = Action.objects.get(pk=action.pk)
    assert (stored.status, stored.version) == ("published", action.version)


# --- The builder --------------------------------------------------------------------------------

@pytest.mark.parametrize("who", EVERYONE)
def test_the_builder_offers_the_family_only_to_its_staff(consented_case, cast, page_as, who):  # noqa: ANN001
    response = page_as(who).get(f"/actions/new/?case={consented_case.pk}")
    if who not in BUILDERS:  # volunteers build no actions
        assert response.status_code == 404
        return
    assert response.status_code == 200
    body = html(response)
    offered = who in ("olga", "alice", "adam")
    checkbox = f'<input type="checkbox" name="cases" value="{consented_case.pk}" id="id_cases_0" checked>'
    assert (checkbox in body) is offered
    assert ("ALP-001" in body) is offered
    if offered:  # the preview states the family's facts: Ana is in ICE custody
        assert "1 of the 1 family we work with is in ICE custody." in body


def test_the_builder_creates_the_action(consented_case, director, olga, alpha, page_as):  # noqa: ANN001
    before = Action.objects.count()
    response = page_as("olga").post("/actions/new/", new_action_data([consented_case.pk], director.pk))
    assert response.status_code == 302
    assert Action.objects.count() == before + 1
    created = Action.objects.latest("pk")
    assert response["Location"] == f"/actions/{created.pk}/"
    assert (created.title, created.status, created.goal) == ("Free the Calexico families", "draft", 200)
    assert (created.organization, created.created_by) == (alpha, olga)
    assert list(ActionCase.objects.filter(action=created).values_list("case_id", flat=True)) == [consented_case.pk]
    assert list(created.fixed_targets.all()) == [director]


def request_token(body: str) -> str:
    """The builder's one-time token, as the page carries it."""
    found = re.search(r'<input type="hidden" name="request_token" value="([0-9a-f-]{36})"', body)
    assert found, "the builder carries no request token"
    return found.group(1)


def test_a_double_submit_of_the_builder_creates_one_action(consented_case, director, page_as):  # noqa: ANN001
    page = page_as("olga")
    token = request_token(html(page.get("/actions/new/")))
    before = Action.objects.count()
    data = new_action_data([consented_case.pk], director.pk, request_token=token)
    first, second = page.post("/actions/new/", data), page.post("/actions/new/", data)
    assert Action.objects.count() == before + 1
    created = Action.objects.latest("pk")
    assert (first.status_code, second.status_code) == (302, 302)
    assert first["Location"] == second["Location"] == f"/actions/{created.pk}/"
    assert created.slug == "free-the-calexico-families"


def test_the_builder_keeps_its_token_when_it_refuses_a_submit(consented_case, director, page_as):  # noqa: ANN001
    page = page_as("olga")
    token = request_token(html(page.get("/actions/new/")))
    refused = page.post("/actions/new/", new_action_data([consented_case.pk], director.pk, request_token=token,
                                                         goal="-1"))
    assert refused.status_code == 400
    assert request_token(html(refused)) == token  # the corrected form is the same form
    data = new_action_data([consented_case.pk], director.pk, request_token=token)
    assert page.post("/actions/new/", data)["Location"] == page.post("/actions/new/", data)["Location"]
    assert Action.objects.filter(title=data["title"]).count() == 1


def test_two_pages_of_the_builder_create_two_actions(consented_case, director, page_as):  # noqa: ANN001
    page = page_as("olga")
    tokens = {request_token(html(page.get("/actions/new/"))) for _ in range(2)}
    assert len(tokens) == 2
    for token in tokens:
        assert page.post("/actions/new/", new_action_data([consented_case.pk], director.pk,
                                                          request_token=token)).status_code == 302
    assert sorted(Action.objects.values_list("slug", flat=True)) == ["free-the-calexico-families",
                                                                    "free-the-calexico-families-2"]


def test_a_builder_submit_with_a_broken_token_still_creates(consented_case, director, page_as):  # noqa: ANN001
    data = new_action_data([consented_case.pk], director.pk, request_token="not-a-token")
    response = page_as("olga").post("/actions/new/", data)
    assert response.status_code == 302
    assert Action.objects.filter(title=data["title"]).count() == 1


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"letter_body": "Dear [Decision Maker], {{ families.shoe_size }} [Personal Note]"}, "letter_body",
     "Unknown merge field {{ families.shoe_size }}."),
    ({"cases": []}, "cases", "This field is required."),
    ({"letter_body": "Dear [Decision Maker], please act."}, "letter_body", "put [Personal Note] where it belongs"),
])
def test_the_builder_refuses_invalid_input_next_to_the_field(consented_case, director, page_as, changes, field,
                                                             message):  # noqa: ANN001
    before = Action.objects.count()
    data = new_action_data([consented_case.pk], director.pk, **changes)
    response = page_as("olga").post("/actions/new/", data)
    assert response.status_code == 400
    body = html(response)
    assert f'<div class="error" id="id_{field}_error">' in body
    assert message in body
    assert 'value="Free the Calexico families"' in body
    assert Action.objects.count() == before


def test_an_action_without_recipients_is_refused_above_the_form(consented_case, director, page_as):  # noqa: ANN001
    before = Action.objects.count()
    data = new_action_data([consented_case.pk], director.pk, fixed_targets=[])
    del data["target_senators"], data["target_representative"]
    response = page_as("olga").post("/actions/new/", data)
    assert response.status_code == 400
    assert '<div class="error-summary" role="alert"><p>Choose who the letters go to.</p></div>' in html(response)
    assert Action.objects.count() == before


@pytest.mark.parametrize("who", ["bob", "charlie"])
def test_the_builder_refuses_another_organisations_family(consented_case, director, cast, page_as, who):  # noqa: ANN001
    before = Action.objects.count()
    response = page_as(who).post("/actions/new/", new_action_data([consented_case.pk], director.pk))
    assert response.status_code == 400
    assert '<div class="error" id="id_cases_error">' in html(response)
    assert Action.objects.count() == before


@pytest.mark.parametrize("who", ["victor", "vera"])
def test_a_volunteer_builds_no_action(consented_case, director, cast, page_as, who):  # noqa: ANN001
    before = Action.objects.count()
    data = new_action_data([consented_case.pk], director.pk)
    assert page_as(who).post("/actions/new/", data).status_code == 404
    assert page_as(who).post("/actions/new/", {**data, "preview": "1"}, HTTP_HX_REQUEST="true").status_code == 404
    assert Action.objects.count() == before


# --- The live preview ---------------------------------------------------------------------------

@pytest.fixture
def families(consented_case, alice, alpha, charlie, gamma, facility):  # noqa: ANN001, ANN201
    """Four families the organizer might tick: Ana's (story consent, in ICE custody); Alpha's second
    (anonymous consent, a child in an ORR shelter); Alpha's third (in ICE custody, no consent);
    and Gamma's (story consent, in ICE custody), which Alpha's staff cannot see."""
    second = f.make_case(alice, alpha, reference="ALP-002")
    f.detain(alice, f.make_person(alice, second, role="child", first_name="Teo"), days_ago=12, kind="orr_shelter")
    case_services.consent_record(actor=alice, case=second, level="anonymous")
    third = f.make_case(alice, alpha, reference="ALP-003")
    f.detain(alice, f.make_person(alice, third, first_name="Noemí"), facility=facility, days_ago=20)
    theirs = f.make_case(charlie, gamma, reference="GAM-001")
    f.detain(charlie, f.make_person(charlie, theirs, first_name="Inés"), facility=facility, days_ago=90)
    case_services.consent_record(actor=charlie, case=theirs, level="story")
    return {"alpha": [consented_case.pk, second.pk, third.pk], "gamma": theirs.pk}


def counted(case_ids: list[int]) -> tuple[int, int]:
    """What the records say, independently of the letter code: the consenting families among these,
    and how many of them have someone in ICE custody now."""
    consenting = Case.objects.filter(pk__in=case_ids).exclude(consent_level=ConsentLevel.NONE)
    in_ice = consenting.filter(people__custody_episodes__ended_on__isnull=True,
                               people__custody_episodes__kind=CustodianKind.ICE_DETENTION).distinct()
    return consenting.count(), in_ice.count()


def live_preview(client: Client, path: str, data: dict) -> str:
    response = client.post(path, {**data, "preview": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    fragment = html(response)
    assert fragment.startswith('<div id="preview"') and "<html" not in fragment
    return fragment


def test_the_live_preview_states_the_facts_of_the_families_ticked(families, director, page_as):  # noqa: ANN001
    data = new_action_data(families["alpha"], director.pk)
    fragment = live_preview(page_as("olga"), "/actions/new/", data)
    count, in_ice = counted(families["alpha"])
    assert (count, in_ice) == (2, 1)  # the third family never consented: it is not counted
    assert f"{in_ice} of the {count} families we accompanied to the Calexico West Port of Entry" in fragment
    assert "Among them: Ana." in fragment and "Noemí" not in fragment and "Teo" not in fragment
    assert Action.objects.filter(title=data["title"]).count() == 0  # a preview saves nothing


def test_the_live_preview_does_not_count_a_family_the_user_cannot_see(families, director, page_as):  # noqa: ANN001
    seen = live_preview(page_as("olga"), "/actions/new/", new_action_data(families["alpha"], director.pk))
    with_hidden = live_preview(page_as("olga"), "/actions/new/",
                               new_action_data([*families["alpha"], families["gamma"]], director.pk))
    assert with_hidden == seen
    assert counted([*families["alpha"], families["gamma"]]) == (3, 2)  # what it would say if it counted it
    assert "Inés" not in with_hidden


def test_the_builder_ignores_a_family_named_in_the_address_that_the_user_cannot_see(families, page_as):  # noqa: ANN001
    response = page_as("olga").get(f"/actions/new/?case={families['gamma']}")
    assert response.status_code == 200
    body = html(response)
    assert "GAM-001" not in body and "Inés" not in body
    assert f'value="{families["gamma"]}"' not in body


@pytest.mark.parametrize("who", EVERYONE)
def test_the_live_preview_of_an_edit_is_for_who_may_change_it(world, page_as, who):  # noqa: ANN001
    path = f"/actions/{world.pk}/edit/"
    data = form_data(world)
    if who in OWNERS:
        fragment = live_preview(page_as(who), path, data)
        assert "1 of the 1 families we accompanied" in fragment
    else:
        response = page_as(who).post(path, {**data, "preview": "1"}, HTTP_HX_REQUEST="true")
        assert response.status_code == expected(who, ok=200)


# --- Printable batches --------------------------------------------------------------------------

@pytest.mark.parametrize("who", EVERYONE)
def test_who_may_request_a_printable_batch(world, director, page_as, who):  # noqa: ANN001
    before = PdfBatch.objects.count()
    response = page_as(who).post(f"/actions/{world.pk}/batches/", {"decision_maker": director.pk})
    assert response.status_code == expected(who, ok=302)
    assert PdfBatch.objects.count() == before + (who in OWNERS)
    if who in OWNERS:
        assert response["Location"] == f"/actions/{world.pk}/#batches"
        assert PdfBatch.objects.latest("pk").decision_maker == director


@pytest.mark.parametrize("who", EVERYONE)
def test_who_follows_a_printable_batch(world, director, olga, page_as, who):  # noqa: ANN001
    batch = batches.batch_request(actor=olga, action=world, decision_maker=director)
    response = page_as(who).get(f"/actions/{world.pk}/batches/{batch.pk}/")
    # A batch prints supporters' names and addresses: it exists only for who sees supporters.
    assert response.status_code == (200 if who in OWNERS else 404)
    if who in OWNERS:
        fragment = html(response)
        assert f'<li id="batch-{batch.pk}"' in fragment and "<html" not in fragment


def test_a_batch_is_found_only_under_its_own_action(world, director, olga, consented_case, page_as):  # noqa: ANN001
    batch = batches.batch_request(actor=olga, action=world, decision_maker=director)
    other = action_services.action_create(actor=olga, organization=world.organization, cases=[consented_case],
                                          title="Another action", letter_subject="Release them",
                                          letter_body=SEED_LIKE_BODY, fixed_targets=[director])
    assert page_as("olga").get(f"/actions/{other.pk}/batches/{batch.pk}/").status_code == 404


def test_a_batch_is_never_requested_with_a_get(world, director, page_as):  # noqa: ANN001
    before = PdfBatch.objects.count()
    assert page_as("olga").get(f"/actions/{world.pk}/batches/").status_code == 404
    assert PdfBatch.objects.count() == before


# --- Anonymous ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("method", "path"), [
    ("get", "/actions/"), ("get", "/actions/new/"), ("post", "/actions/new/"), ("get", "/actions/{pk}/"),
    ("get", "/actions/{pk}/edit/"), ("post", "/actions/{pk}/edit/"), ("post", "/actions/{pk}/batches/"),
    ("get", "/actions/{pk}/batches/{batch}/"),
])
def test_anonymous_visitors_are_sent_to_the_login_page(world, director, olga, page_as, method, path):  # noqa: ANN001
    batch = batches.batch_request(actor=olga, action=world, decision_maker=director)
    before = (Action.objects.count(), PdfBatch.objects.count(), Action.objects.get(pk=world.pk).version)
    path = path.format(pk=world.pk, batch=batch.pk)
    response = getattr(page_as(ANONYMOUS), method)(path, form_data(world, goal="9") if method == "post" else None)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={path}"
    assert (Action.objects.count(), PdfBatch.objects.count(), Action.objects.get(pk=world.pk).version) == before





def test_a_draft_using_a_fact_unavailable_now_saves_with_a_warning_and_cannot_be_published(  # noqa: ANN001
        cast, page_as, olga, alice, alpha, facility, congress, director):
    # The builder's own help text suggests {{ detained.shortest_days }}; the family has no consent yet.
    case = family_case(alice, alpha, facility, reference="ALP-002", a_number="A-201-555-020")
    client = page_as("olga")
    r = client.post("/actions/new/", new_action_data([case.pk], director.pk))
    assert r.status_code == 302, html(r)
    action = Action.objects.get()
    assert action.status == "draft"
    page = html(client.get(r["Location"]))
    assert "Saved as a draft, but it cannot be published yet:" in page
    assert "{{ detained.shortest_days }} is unavailable: no family in this action has consented to share facts" in page
    client.post(f"/actions/{action.pk}/do/publish/")
    assert Action.objects.get().status == "draft"
    from cases import services as case_services

    case_services.consent_record(actor=alice, case=case, level="anonymous")
    page = html(client.get(r["Location"]))
    assert "has consented" not in page  # consent given: that reason is gone...
    assert "{{ families.port_of_entry }} is unavailable" in page  # ...the family's port of entry is not on record
