"""`manage.py load_demo`: the demo data set tells the seed documents' story, through the product's
own reads (the API's filters, as the legal organisation's advocate), and loads only once."""
import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Membership, Organization, User
from accounts.roles import Role
from cases import services
from demo.families import ADVOCACY, CO_COUNSEL, DEMO_PASSWORD, LEGAL, demo_logins, port_day, port_reference_prefix
from cases.facts import current_episode
from cases.models import Case, CaseEvent, CaseShare, CustodyEpisode, Facility, Hearing, Person, Sponsor


@pytest.fixture(scope="module")
def demo_output(django_db_setup, django_db_blocker):  # noqa: ANN001, ANN201
    """Load once for the module (it writes a few thousand rows) and roll it all back after."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        call_command("load_demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_output, db):  # noqa: ANN001, ANN201
    return demo_output


def _port_day() -> dt.date:
    """The Saturday the port families presented: a little over a month before the load (today)."""
    return port_day(timezone.localdate())


def _as(email: str) -> APIClient:
    client = APIClient()
    client.force_login(User.objects.get(email=email))
    return client


def _case_refs(client: APIClient, **filters: object) -> set[str]:
    r = client.get("/api/v1/cases/", {**filters, "page_size": 200})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body.get("next") is None, "demo list does not fit one page"
    return {c["reference"] for c in body["results"]}


@pytest.fixture
def advocate(demo):  # noqa: ANN001, ANN201
    return _as(f"advocate@{LEGAL.domain}")


def test_creates_three_organisations_of_the_right_kinds(demo):  # noqa: ANN001
    kinds = dict(Organization.objects.filter(name__in=[LEGAL.name, CO_COUNSEL.name, ADVOCACY.name])
                 .values_list("name", "kind"))
    assert kinds == {LEGAL.name: "legal", CO_COUNSEL.name: "legal", ADVOCACY.name: "advocacy"}


def test_29_families_presented_at_calexico_on_a_saturday_a_little_over_a_month_ago(demo):  # noqa: ANN001
    port = Facility.objects.get(name="Calexico West Port of Entry")
    assert port.kind == Facility.Kind.PORT_OF_ENTRY
    day = _port_day()
    assert day.weekday() == 5 and 35 <= (timezone.localdate() - day).days <= 41
    families = Case.objects.filter(separated_on=day, port_of_entry=port)
    assert families.count() == 29
    assert set(families.values_list("organization__name", flat=True)) == {LEGAL.name}


def test_exactly_17_of_them_detained_by_ice_over_30_days_with_sponsor_and_positive_interview(advocate):  # noqa: ANN001
    detained = _case_refs(advocate, custodian_kind="ice_detention", detained_more_than=30)
    assert len(detained) == 17
    port_families = set(Case.objects.filter(separated_on=_port_day()).values_list("reference", flat=True))
    assert detained <= port_families
    # "Secured a sponsor" means ORR approved the sponsor (or released the child to them).
    secured = _case_refs(advocate, sponsor_status="approved") | _case_refs(advocate, sponsor_status="released_to_sponsor")
    positive = _case_refs(advocate, credible_fear_outcome="positive")
    assert detained <= secured
    assert detained <= positive

    # Each one: CBP from the Saturday they presented, ICE from the Monday, still open, one unbroken
    # detention.
    for case in Case.objects.filter(reference__in=detained):
        ice = CustodyEpisode.objects.get(person__case=case, kind="ice_detention", ended_on__isnull=True)
        assert ice.started_on == _port_day() + dt.timedelta(days=2)
        assert ice.detained_since == _port_day()
        assert CustodyEpisode.objects.filter(person=ice.person, kind="cbp", started_on=_port_day()).exists()
        assert all(s.is_secured for s in Sponsor.objects.filter(case=case))


def test_the_other_12_port_families_are_spread_across_other_custody(advocate):  # noqa: ANN001
    detained = _case_refs(advocate, custodian_kind="ice_detention", detained_more_than=30)
    others = Case.objects.filter(separated_on=_port_day()).exclude(reference__in=detained)
    assert others.count() == 12
    kinds = set(CustodyEpisode.objects.filter(person__case__in=others, ended_on__isnull=True)
                .values_list("kind", flat=True))
    assert {"released", "with_sponsor", "orr_shelter", "reunified", "removed"} <= kinds
    assert "ice_detention" not in kinds
    paroled = CustodyEpisode.objects.filter(person__case__in=others, ended_on__isnull=True, release_type="parole")
    assert paroled.exists()


def test_mother_removed_after_a_traffic_stop_and_her_14_year_old_daughter_stayed_with_a_relative(demo):  # noqa: ANN001
    case = Case.objects.get(reference="FLA-TS-001")
    assert "traffic" in case.separation_place.lower()
    mother = Person.objects.get(case=case, role="parent")
    daughter = Person.objects.get(case=case, role="child")
    now = current_episode(mother)
    assert (now.kind, now.removed_to) == ("removed", "Mexico")
    assert mother.custody_episodes.filter(kind="ice_detention").exists()
    assert daughter.age == 14
    with_aunt = current_episode(daughter)
    assert with_aunt.kind == "with_sponsor"
    assert "aunt" in with_aunt.sponsor.relationship


def test_father_removed_years_ago_is_back_on_humanitarian_parole_for_family_court(advocate):  # noqa: ANN001
    case = Case.objects.get(reference="FLA-FC-001")
    father = Person.objects.get(case=case, role="parent")
    now = current_episode(father)
    assert (now.kind, now.release_type) == ("released", "humanitarian_parole")
    removal = father.custody_episodes.get(kind="removed")
    assert removal.started_on.year <= timezone.localdate().year - 3
    children = Person.objects.filter(case=case, role="child")
    assert children.count() == 2
    assert {current_episode(c).kind for c in children} == {"state_child_welfare"}
    proceeding = case.proceedings.get(kind="family_court")
    assert proceeding.agency_position == "reunification"
    assert proceeding.court.kind == Facility.Kind.COURT
    assert "FLA-FC-001" in _case_refs(advocate, hearing_within=14)
    # The agency's change of position is in the history.
    assert CaseEvent.objects.filter(case=case, action="proceeding.updated",
                                    after__agency_position="reunification").exists()


def test_hearings_in_the_next_14_days(advocate):  # noqa: ANN001
    soon = _case_refs(advocate, hearing_within=14)
    assert len(soon) >= 3
    upcoming = Hearing.objects.filter(proceeding__case__reference__in=soon, status="scheduled",
                                      scheduled_at__gte=timezone.now())
    assert all(h.scheduled_at <= timezone.now() + dt.timedelta(days=14) for h in upcoming)


def test_a_negative_finding_has_an_ij_review_deadline_ahead(advocate):  # noqa: ANN001
    assert _case_refs(advocate, credible_fear_outcome="negative")
    r = advocate.get("/api/v1/credible-fear/", {"outcome": "negative", "page_size": 200})
    deadlines = [p.get("review_deadline") for p in r.json()["results"]]
    today = timezone.localdate().isoformat()
    assert any(d and d >= today for d in deadlines), deadlines


def test_a_sponsor_is_pending(advocate):  # noqa: ANN001
    assert _case_refs(advocate, sponsor_status="application_submitted")


def test_consent_levels_are_mixed(demo):  # noqa: ANN001
    levels = list(Case.objects.filter(organization__name=LEGAL.name).values_list("consent_level", flat=True))
    assert levels.count("anonymous") > levels.count("story") > 0
    assert levels.count("none") > 0


def test_one_case_is_shared_read_only_with_co_counsel(demo):  # noqa: ANN001
    share = CaseShare.objects.get(organization__name=CO_COUNSEL.name, revoked_at__isnull=True)
    assert share.access == "view"
    co_counsel = _as(f"advocate@{CO_COUNSEL.domain}")
    assert _case_refs(co_counsel) == {share.case.reference}
    r = co_counsel.get(f"/api/v1/cases/{share.case_id}/")
    assert r.status_code == 200
    r = co_counsel.patch(f"/api/v1/cases/{share.case_id}/", {"version": r.json()["version"], "summary": "x"})
    assert r.status_code == 403


def test_volunteer_is_assigned_to_two_cases_and_advocacy_org_sees_none(demo):  # noqa: ANN001
    assert len(_case_refs(_as(f"volunteer@{LEGAL.domain}"))) == 2
    assert _case_refs(_as(f"organizer@{ADVOCACY.domain}")) == set()


def test_every_role_in_every_organisation_can_sign_in(demo):  # noqa: ANN001
    assert DEMO_PASSWORD in demo
    for login in demo_logins():
        assert login.email in demo
        # Through the sign-in page, as a person signs in (the lockout needs the request).
        r = Client().post("/accounts/login/", {"username": login.email, "password": login.password})
        assert r.status_code == 302, login.email
        membership = Membership.objects.get(user__email=login.email)
        assert (membership.role, membership.organization.name) == (login.role, login.organization)
    assert len(demo_logins()) == 3 * len(Role.values)


def test_only_the_legal_admin_is_staff_and_nobody_is_superuser(demo):  # noqa: ANN001
    demo_users = User.objects.filter(email__endswith=".demo")
    assert list(demo_users.filter(is_staff=True).values_list("email", flat=True)) == [f"admin@{LEGAL.domain}"]
    assert not demo_users.filter(is_superuser=True).exists()


def test_a_second_run_creates_nothing_new(demo):  # noqa: ANN001
    models = (Organization, User, Case, Person, CustodyEpisode, Sponsor, Hearing, Facility, CaseEvent, CaseShare)
    before = {m.__name__: m.objects.count() for m in models}
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "already present" in out.getvalue()
    assert {m.__name__: m.objects.count() for m in models} == before


def test_a_short_ice_stay_plus_a_long_orr_stay_is_not_detained_by_ice_over_30_days(advocate):  # noqa: ANN001
    """The headline count must be about one person's custody: a parent held by ICE for 5 days
    whose child has been in an ORR shelter for 40 days is not 'in ICE custody over a month'."""
    actor = User.objects.get(email=f"advocate@{LEGAL.domain}")
    case = services.case_create(actor=actor, organization=Organization.objects.get(name=LEGAL.name),
                                reference="MIX-001")
    parent = services.person_create(actor=actor, case=case, role="parent", first_name="Test")
    child = services.person_create(actor=actor, case=case, role="child", first_name="Test")
    today = timezone.localdate()
    services.custody_transfer(actor=actor, person=parent, kind="ice_detention", on=today - dt.timedelta(days=5))
    services.custody_transfer(actor=actor, person=child, kind="orr_shelter", on=today - dt.timedelta(days=40))
    detained = _case_refs(advocate, custodian_kind="ice_detention", detained_more_than=30)
    assert "MIX-001" not in detained


# --- The campaigns (demo.campaigns) ------------------------------------------------------------

def test_the_seed_action_states_the_seed_numbers_read_from_the_records(demo):  # noqa: ANN001
    from demo.campaigns import SEED_SLUG
    from advocacy.letters.render import preview
    from advocacy.models import Action

    action = Action.objects.get(slug=SEED_SLUG)
    assert (action.title, action.status, action.languages) == ("Tell Congress - Reunite Families", "published",
                                                               ["en", "es"])
    assert action.action_cases.count() == 29
    letter = preview(action=action).body
    assert "accompanied 29 families to the Calexico West Port of Entry" in letter
    assert "Right now, 17 of them are in the custody of Immigration and Customs Enforcement (ICE)" in letter
    assert "All 17 families have secured a sponsor in the U.S. and passed their credible fear interviews." in letter
    assert letter.startswith("Dear [Decision Maker],")
    assert preview(action=action).subject == "Release the 17 families detained since Calexico and reunite them"


def test_the_seed_numbers_follow_the_records(demo):  # noqa: ANN001
    from demo.campaigns import SEED_SLUG
    from advocacy.letters.render import preview
    from advocacy.models import Action

    action = Action.objects.get(slug=SEED_SLUG)
    advocate = User.objects.get(email=f"advocate@{LEGAL.domain}")
    reference = f"{port_reference_prefix(timezone.localdate())}001"
    parent = Person.objects.filter(case__reference=reference, role="parent").get()
    services.custody_transfer(actor=advocate, person=parent, kind="released", release_type="parole",
                              on=timezone.localdate())
    letter = preview(action=action).body
    assert "Right now, 16 of them are in the custody" in letter
    assert "All 16 families have secured a sponsor" in letter
    # The public page's intro states the same number as the letter: never "Seventeen" beside 16.
    page = Client().get(f"/act/{SEED_SLUG}/").content.decode()
    assert "16 families who asked for asylum at Calexico have been held by ICE for more than a month" in page
    assert "17 famil" not in page and "Seventeen" not in page


def test_the_holiday_campaign_has_its_goal_pledges_and_deadline(demo):  # noqa: ANN001
    from demo.campaigns import HOLIDAY_SLUG
    from advocacy.selectors import progress

    from advocacy.models import Action

    action = Action.objects.get(slug=HOLIDAY_SLUG)
    p = progress(action)
    assert (p.goal, p.pledges, p.letters_sent) == (10_000, 8_000, 0)
    local = timezone.localtime(action.deadline)
    assert (local.month, local.day) == (11, 30) and action.deadline > timezone.now()
    r = Client().get(f"/act/{HOLIDAY_SLUG}/")
    assert r.status_code == 200
    page = r.content.decode()
    # The seed: "already has 8,000 pledges ... Organizers want 10,000 letters altogether" - the
    # bar counts letters (none yet), the pledges stand beside it.
    assert "8,000 pledges" in page and "of 10,000 letters</p>" in page and "letters and pledges" not in page
    assert '<progress class="bar" max="100" value="0"' in page
    assert p.total == 0 and p.percent == 0


def test_the_holiday_campaign_writes_to_the_president_alone_as_the_seed_does(demo):  # noqa: ANN001
    # The seed: "write and send a letter to President Obama" - the office, whoever holds it now.
    from demo.campaigns import HOLIDAY_SLUG
    from advocacy.models import Action
    from advocacy.targets import action_targets

    action = Action.objects.get(slug=HOLIDAY_SLUG)
    for zip_code in ("92231", "92101"):  # one district, and a ZIP split between two: no district asked
        congress, targets = action_targets(action, zip_code=zip_code)
        assert congress is None
        assert [(dm.kind, dm.postal_address.splitlines()[0]) for dm in targets] == [("president", "The White House")]
    assert "asking the President" in action.intro and "al Presidente" in action.intro_es
    # Letters written with children, on paper: the kit says where they go.
    kit = Client().get(f"/act/{HOLIDAY_SLUG}/kit/").content.decode()
    assert "1600 Pennsylvania Avenue NW" in kit and "Dear President Trump," in kit


def test_the_advocacy_organisation_follows_the_seed_action_without_seeing_the_cases(demo):  # noqa: ANN001
    from demo.campaigns import SEED_SLUG

    coalition = _as(f"organizer@{ADVOCACY.domain}")
    actions = coalition.get("/api/v1/actions/").json()["results"]
    assert SEED_SLUG in {a["slug"] for a in actions}
    assert _case_refs(coalition) == set()
    assert coalition.get("/api/v1/submissions/").json()["results"] == []


def test_the_holiday_letter_tells_the_seeds_two_stories_only_while_consented(demo):  # noqa: ANN001
    # The seed: a mother deported after a traffic checkpoint, leaving her 14-year-old daughter; a
    # deported father back on parole for the family-court hearing where the agency moved to
    # reunification. Told of fictional families, the children unnamed.
    from advocacy.letters.render import preview
    from advocacy.models import Action
    from demo.campaigns import HOLIDAY_SLUG

    action = Action.objects.get(slug=HOLIDAY_SLUG)
    english, spanish = preview(action=action).body, preview(action=action, language="es").body
    assert 'Graciela was stopped at a "papers, please" traffic checkpoint' in english
    assert "Her 14-year-old daughter stayed behind" in english
    assert "now says reunification is the plan; the judge has the final word." in english
    assert "A Graciela la detuvieron en un retén de tránsito" in spanish and "el plan es la reunificación" in spanish
    for child in ("Abril", "Mateo", "Camila"):
        assert child not in english and child not in spanish

    advocate = User.objects.get(email=f"advocate@{LEGAL.domain}")
    services.consent_record(actor=advocate, case=Case.objects.get(reference="FLA-TS-001"), level="anonymous")
    english = preview(action=action).body
    assert "Graciela" not in english
    assert "now says reunification is the plan" in english
