"""Every advocacy endpoint, tried by the action's owner (olga, organizer, and alice, advocate, of
Alpha Legal), read-only collaborators (victor, an Alpha volunteer; bob, of Beta Law, with whom the
action is shared read-only), an outsider (charlie, Gamma Justice) and an anonymous client.

Read-only collaborators follow the action (detail, report, progress) but never see supporters;
outsiders get 404 for everything, as if the action did not exist."""
import pytest
from rest_framework.test import APIClient

from advocacy.models import Action, ActionShare, Letter, Submission, Tally
from advocacy.services import actions as action_services

from .conftest import SUPPORTER, sign
from .world import *  # noqa: F403  (the cast, congress and the consenting family, built once for the module)

pytestmark = pytest.mark.django_db

OWNERS = ["olga", "alice"]
READ_ONLY = ["victor", "bob"]
OUTSIDERS = ["charlie"]
EVERYONE = OWNERS + READ_ONLY + OUTSIDERS


@pytest.fixture
def world(action, olga, bob, victor, charlie):  # noqa: ANN001, ANN201
    action_services.action_share_create(actor=olga, action=action, access="view", user=bob)
    submission = sign(action)
    letter = Letter.objects.filter(submission=submission).first()
    Letter.objects.filter(pk=letter.pk).update(status="failed", last_error="SMTPRecipientsRefused 550")
    return {"action": action, "submission": submission, "letter": letter}


@pytest.fixture
def as_(request):  # noqa: ANN001, ANN201
    def client(who: str) -> APIClient:
        c = APIClient()
        if who != "anonymous":
            c.force_login(request.getfixturevalue(who))
        return c
    return client


def _ids(response) -> list[int]:  # noqa: ANN001
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


@pytest.mark.parametrize("who", EVERYONE)
def test_who_sees_the_action(world, as_, who):  # noqa: ANN001
    action, api = world["action"], as_(who)
    sees = who in OWNERS + READ_ONLY
    assert (action.pk in _ids(api.get("/api/v1/actions/"))) is sees
    for path in (f"/api/v1/actions/{action.pk}/", f"/api/v1/actions/{action.pk}/report/"):
        assert api.get(path).status_code == (200 if sees else 404), path


@pytest.mark.parametrize("who", EVERYONE)
def test_who_sees_the_supporters_and_their_letters(world, as_, who):  # noqa: ANN001
    api = as_(who)
    sees = who in OWNERS
    submission, letter, action = world["submission"], world["letter"], world["action"]
    assert (submission.pk in _ids(api.get("/api/v1/submissions/"))) is sees
    assert (letter.pk in _ids(api.get("/api/v1/letters/"))) is sees
    assert api.get(f"/api/v1/submissions/{submission.pk}/").status_code == (200 if sees else 404)
    assert api.get(f"/api/v1/letters/{letter.pk}/").status_code == (200 if sees else 404)
    csv = api.get(f"/api/v1/actions/{action.pk}/letters-csv/")
    assert csv.status_code == {"olga": 200, "alice": 200, "victor": 403, "bob": 403, "charlie": 404}[who]
    if sees:
        assert b"rosa@example.org" in b"".join(csv.streaming_content)


@pytest.mark.parametrize("who", EVERYONE)
def test_who_may_change_the_action(world, as_, who):  # noqa: ANN001
    action, api = world["action"], as_(who)
    expected = 200 if who in OWNERS else 403 if who in READ_ONLY else 404
    r = api.patch(f"/api/v1/actions/{action.pk}/", {"version": action.version, "goal": 500}, format="json")
    assert r.status_code == expected, r.content
    assert (Action.objects.get(pk=action.pk).goal == 500) is (expected == 200)
    tallies = Tally.objects.count()
    r = api.post(f"/api/v1/actions/{action.pk}/tallies/", {"kind": "pledge", "count": 5}, format="json")
    assert r.status_code == (201 if who in OWNERS else expected)
    assert Tally.objects.count() == tallies + (who in OWNERS)
    r = api.post(f"/api/v1/actions/{action.pk}/preview/", {}, format="json")
    assert r.status_code == expected


@pytest.mark.parametrize("who", EVERYONE)
def test_who_may_retry_a_letter_and_end_the_action(world, as_, who):  # noqa: ANN001
    action, letter, api = world["action"], world["letter"], as_(who)
    r = api.post(f"/api/v1/letters/{letter.pk}/retry/")
    assert r.status_code == (200 if who in OWNERS else 404)  # letters exist only for who sees supporters
    assert (Letter.objects.get(pk=letter.pk).status == "queued") is (who in OWNERS)
    r = api.post(f"/api/v1/actions/{action.pk}/close/")
    assert r.status_code == (200 if who in OWNERS else 403 if who in READ_ONLY else 404)
    assert (Action.objects.get(pk=action.pk).status == "closed") is (who in OWNERS)


@pytest.mark.parametrize("who", EVERYONE)
def test_who_may_share_the_action(world, as_, who, gamma):  # noqa: ANN001
    action, api = world["action"], as_(who)
    shares = ActionShare.objects.count()
    r = api.post(f"/api/v1/actions/{action.pk}/share/", {"access": "view", "organization": gamma.slug},
                 format="json")
    assert r.status_code == (201 if who in OWNERS else 403 if who in READ_ONLY else 404)
    assert ActionShare.objects.count() == shares + (who in OWNERS)


def test_a_share_takes_effect_at_once_and_so_does_its_revocation(world, as_, olga, bob):  # noqa: ANN001
    action = world["action"]
    share = ActionShare.objects.get(user=bob)
    bob_api = as_("bob")
    assert bob_api.get(f"/api/v1/actions/{action.pk}/").status_code == 200
    assert as_("olga").post(f"/api/v1/action-shares/{share.pk}/revoke/").status_code == 200
    assert bob_api.get(f"/api/v1/actions/{action.pk}/").status_code == 404
    # A partner who runs the action together sees the supporters too.
    action_services.action_share_create(actor=olga, action=action, access="change", user=bob)
    assert world["submission"].pk in _ids(bob_api.get("/api/v1/submissions/"))


def test_anonymous_requests_are_refused_everywhere_but_the_public_progress(world, as_):  # noqa: ANN001
    api, action = as_("anonymous"), world["action"]
    for path in ("/api/v1/actions/", f"/api/v1/actions/{action.pk}/", "/api/v1/submissions/", "/api/v1/letters/",
                 "/api/v1/decision-makers/", "/api/v1/pdf-batches/"):
        assert api.get(path).status_code in (401, 403), path
    r = api.get(f"/api/v1/public/actions/{action.slug}/progress/")
    assert r.status_code == 200
    # One supporter wrote four letters: one failed, three wait, none sent yet.
    assert r.json() == {"goal": 100, "letters_sent": 0, "pledges": 0, "offline_letters": 0, "counts_pledges": True,
                        "total": 0, "percent": 0, "supporters": 1, "letters_waiting": 3}


def test_the_public_progress_of_a_draft_does_not_exist(draft, as_):  # noqa: ANN001
    assert as_("anonymous").get(f"/api/v1/public/actions/{draft.slug}/progress/").status_code == 404


JUDGE = {"kind": "judge", "name": "Hon. Example Judge", "salutation": "Judge Example", "state": "CA",
         "email": "judge@court.example"}


@pytest.mark.parametrize(("who", "status"), [("olga", 201), ("alice", 201), ("victor", 400), ("charlie", 400),
                                             ("anonymous", 401)])
def test_an_organisations_staff_enter_its_decision_makers(world, as_, alpha, who, status):  # noqa: ANN001
    from advocacy.models import DecisionMaker

    before = DecisionMaker.objects.count()
    r = as_(who).post("/api/v1/decision-makers/", {**JUDGE, "organization": alpha.pk}, format="json")
    assert r.status_code == status, r.content
    assert DecisionMaker.objects.count() == before + (status == 201)
    if status == 400:
        assert "organization" in r.json()  # not one of theirs: volunteers and outsiders enter none for Alpha


def test_members_of_congress_are_not_entered_by_hand(world, as_, alpha):  # noqa: ANN001
    r = as_("olga").post("/api/v1/decision-makers/", {**JUDGE, "kind": "us_senator", "organization": alpha.pk},
                         format="json")
    assert r.status_code == 400 and "kind" in r.json()


def test_nobody_changes_the_shared_directory_through_the_api(world, as_):  # noqa: ANN001
    from advocacy.models import DecisionMaker

    schiff = DecisionMaker.objects.get(bioguide_id="S001150")
    for who in OWNERS + READ_ONLY + OUTSIDERS:
        r = as_(who).patch(f"/api/v1/decision-makers/{schiff.pk}/",
                           {"version": schiff.version, "email": "attacker@example.org"}, format="json")
        assert r.status_code == 403, (who, r.content)
    assert DecisionMaker.objects.get(pk=schiff.pk).email == ""


@pytest.mark.parametrize(("who", "status"), [("olga", 200), ("alice", 200), ("victor", 403), ("bob", 404),
                                             ("charlie", 404)])
def test_only_the_owning_organisations_staff_change_its_entries(world, as_, director, who, status):  # noqa: ANN001
    from advocacy.models import DecisionMaker

    r = as_(who).patch(f"/api/v1/decision-makers/{director.pk}/",
                       {"version": director.version, "email": "changed@ice.example"}, format="json")
    assert r.status_code == status, r.content
    assert (DecisionMaker.objects.get(pk=director.pk).email == "changed@ice.example") is (status == 200)


def test_another_organisations_official_never_receives_this_actions_letters(olga, charlie, gamma, consented_case,
                                                                           congress, director):  # noqa: ANN001
    """Gamma enters its own director for the same field office, with its own address: Alpha's
    action neither writes to it nor accepts it as a fixed target."""
    from advocacy.models import DecisionMaker
    from advocacy.services.decision_makers import decision_maker_create
    from advocacy.targets import action_targets, clear_directory_caches

    from .conftest import make_action

    theirs = decision_maker_create(actor=charlie, organization=gamma, kind="agency_official", name="Director",
                                   salutation="Field Office Director", email="someone@gamma.example",
                                   field_office=director.field_office)
    clear_directory_caches()
    action = make_action(olga, [consented_case], target_case_officials=True)
    _c, targets = action_targets(action, zip_code="92231", state="CA")
    assert director in targets and theirs not in targets
    r = as_olga_client(olga).patch(f"/api/v1/actions/{action.pk}/", {"version": action.version,
                                                                     "fixed_targets": [theirs.pk]}, format="json")
    assert r.status_code == 400 and "does not exist" in str(r.json()["fixed_targets"])
    assert not DecisionMaker.objects.filter(pk=theirs.pk, organization=olga.memberships.get().organization).exists()


def as_olga_client(olga) -> APIClient:  # noqa: ANN001
    c = APIClient()
    c.force_login(olga)
    return c


@pytest.mark.parametrize(("who", "sees_alphas"), [("olga", True), ("victor", True), ("charlie", False)])
def test_the_directory_shows_the_shared_list_and_your_organisations_entries(world, as_, director, who, sees_alphas):  # noqa: ANN001
    ids = [row["id"] for row in as_(who).get("/api/v1/decision-makers/", {"page_size": 200}).json()["results"]]
    assert (director.pk in ids) is sees_alphas
    assert len(ids) >= 5  # the shared directory: the demo roster's senators and representatives


def test_submissions_are_not_created_through_the_staff_api(world, as_):  # noqa: ANN001
    before = Submission.objects.count()
    assert as_("olga").post("/api/v1/submissions/", SUPPORTER, format="json").status_code == 405
    assert Submission.objects.count() == before


@pytest.mark.parametrize(("who", "sees_families"), [("olga", True), ("alice", True), ("victor", False), ("bob", False)])
def test_following_an_action_does_not_show_which_families_it_draws_on(world, as_, who, sees_families):  # noqa: ANN001
    action = world["action"]
    for row in (as_(who).get(f"/api/v1/actions/{action.pk}/").json(),
                next(a for a in as_(who).get("/api/v1/actions/").json()["results"] if a["id"] == action.pk)):
        assert (row["cases"] is not None) is sees_families
        if not sees_families:
            assert row["won_suggested_at"] is None
