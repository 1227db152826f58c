"""The demo is dated from the day it is loaded, so the seed's sentences hold whatever the day `make
run` is first run on: the Calexico families presented on a Saturday "a little over a month" ago and
are "detained for more than a month", children are children, what has happened lies in the past
and what is scheduled lies ahead, and the holiday campaign's deadline is the next November 30.
Each test moves the clock (time-machine) and loads the demo at that date."""
import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User
from advocacy.letters.render import preview
from advocacy.models import Action, DecisionMaker
from cases.models import Case, CaseEvent, CredibleFearProcess, CustodyEpisode, Hearing, Person

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

ZONE = ZoneInfo("America/Los_Angeles")
DATES = [dt.date(2027, 3, 1), dt.date(2026, 11, 29), dt.date(2026, 12, 31), dt.date(2028, 2, 29)]
MONTHS_ES = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
             "noviembre", "diciembre"]


def _load(day: dt.date):  # noqa: ANN202
    from demo import load

    return load()


def _age(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


@pytest.fixture(scope="module", params=DATES, ids=str)
def _loaded(request: pytest.FixtureRequest, django_db_setup, django_db_blocker):  # noqa: ANN001, ANN202
    """The clock at 10:00 on the day, the demo loaded once for the day's tests and rolled back after."""
    day = request.param
    with (time_machine.travel(dt.datetime.combine(day, dt.time(10, 0), tzinfo=ZONE), tick=True),
          django_db_blocker.unblock(), transaction.atomic()):
        _load(day)
        yield day
        transaction.set_rollback(True)


@pytest.fixture
def loaded_on(_loaded, db):  # noqa: ANN001, ANN201
    return _loaded


def _port_day() -> dt.date:
    """Counted here from the rule, not read from the demo: the Saturday 35 to 41 days ago."""
    today = timezone.localdate()
    return next(today - dt.timedelta(days=d) for d in range(35, 42) if (today - dt.timedelta(days=d)).weekday() == 5)


def test_the_port_families_presented_a_little_over_a_month_ago_and_17_are_detained_since(loaded_on):  # noqa: ANN001
    assert timezone.localdate() == loaded_on
    port = _port_day()
    families = Case.objects.filter(separated_on=port, separation_place="Calexico-Mexicali port of entry")
    assert families.count() == 29
    client = APIClient()
    client.force_login(User.objects.get(email="advocate@frontera.demo"))
    body = client.get("/api/v1/cases/", {"custodian_kind": "ice_detention", "detained_more_than": 30,
                                         "page_size": 200}).json()
    assert len(body["results"]) == 17
    # Detained since the Saturday: more than a month (35 days at least) on the day of loading.
    since = set(CustodyEpisode.objects.filter(ended_on__isnull=True, kind="ice_detention",
                                              person__case__in=families).values_list("detained_since", flat=True))
    assert since == {port}


def test_children_are_children_and_adults_adults(loaded_on):  # noqa: ANN001
    today = timezone.localdate()
    for person in Person.objects.filter(role="child"):
        assert person.date_of_birth and _age(person.date_of_birth, today) < 18, person.pk
    for person in Person.objects.filter(role="parent"):
        assert person.date_of_birth and _age(person.date_of_birth, today) >= 18, person.pk
    # A child in ORR custody was under 18 on the day it began (6 U.S.C. 279(g)(2)).
    for episode in CustodyEpisode.objects.filter(kind__in=["orr_shelter", "orr_foster_care"]).select_related("person"):
        assert _age(episode.person.date_of_birth, episode.started_on) < 18


def test_what_happened_is_past_and_what_is_scheduled_is_ahead(loaded_on):  # noqa: ANN001
    today, now = timezone.localdate(), timezone.now()
    assert not CustodyEpisode.objects.filter(Q(started_on__gt=today) | Q(ended_on__gt=today)).exists()
    assert not CredibleFearProcess.objects.filter(
        Q(interview_on__gt=today) | Q(decided_on__gt=today) | Q(review_requested_on__gt=today)
        | Q(review_decided_on__gt=today)).exists()
    assert not Hearing.objects.filter(status="held", scheduled_at__gt=now).exists()
    upcoming = Hearing.objects.filter(status="scheduled")
    assert upcoming.exists() and not upcoming.filter(scheduled_at__lte=now).exists()
    # The family-court review hearing (the seed's Montes hearing) is ahead, the agency now for
    # reunification.
    review = Hearing.objects.get(proceeding__kind="family_court", status="scheduled")
    assert review.proceeding.agency_position == "reunification"
    assert 0 < (timezone.localtime(review.scheduled_at).date() - today).days <= 14


def test_the_holiday_deadline_is_the_next_november_30(loaded_on):  # noqa: ANN001
    today = timezone.localdate()
    year = today.year if today <= dt.date(today.year, 11, 30) else today.year + 1
    deadline = timezone.localtime(Action.objects.get(slug="wish-for-the-holidays").deadline)
    assert deadline.date() == dt.date(year, 11, 30) and deadline > timezone.now()


def test_the_seed_letter_names_the_saturday_in_both_languages_and_keeps_every_paragraph(loaded_on):  # noqa: ANN001
    port = _port_day()
    action = Action.objects.get(slug="tell-congress-reunite-families")
    english = preview(action=action).body
    spanish = preview(action=action, language="es").body
    assert f"On Saturday, {port:%B} {port.day}, " in english
    assert f"El sábado {port.day} de {MONTHS_ES[port.month - 1]}, " in spanish
    assert "accompanied 29 families to the Calexico West Port of Entry" in english
    assert "Right now, 17 of them are in the custody of Immigration and Customs Enforcement (ICE)" in english

    def paragraphs(text: str) -> list[str]:
        return [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]

    assert len(paragraphs(spanish)) == len(paragraphs(english))


# The seed letter (../shared/seeds/004), sentence by sentence, as the demo's letter must say it on
# any day: the facts read from the records, the prose the seed's.
SEED_SENTENCES = [
    "These families were at serious risk of violence and had been separated from their children by the U.S. "
    "government.",
    "Staying in Mexico was not an option for them: They were in danger of becoming targets of human trafficking, "
    "organized crime, and extortion.",
    "After much negotiation with CBP officials, the families were finally processed.",
    "Right now, 17 of them are in the custody of Immigration and Customs Enforcement (ICE): They have been "
    "detained for more than a month.",
    "All 17 families have secured a sponsor in the U.S. and passed their credible fear interviews.",
    "Although the Department of Homeland Security has said that it is now their priority to reunite these "
    "families, they are preventing these parents from being with their children.",
    "I ask that you do whatever is in your power to urge ICE to release these families to their sponsor and "
    "reunite them with their children.",
]


def test_the_seed_letter_says_what_the_seed_says_on_any_day(loaded_on):  # noqa: ANN001
    from advocacy.letters.render import Supporter, facts_for, render

    action = Action.objects.get(slug="tell-congress-reunite-families")
    senator = DecisionMaker.objects.get(kind="us_senator", salutation="Senator Padilla")
    supporter = Supporter(prefix="Ms.", first_name="Rosa", last_name="Ejemplo", street="12 Orange Ave",
                          city="Calexico", state="CA", zip="92231", email="rosa@example.org")
    letter = render(action=action, facts=facts_for(action), supporter=supporter, decision_maker=senator,
                    language="en").body
    text = " ".join(letter.split())
    for sentence in SEED_SENTENCES:
        assert sentence in text, sentence
    assert re.search(r"On Saturday, \w+ \d+, .+ accompanied 29 families to the Calexico West Port of Entry\.", text)
    assert letter.startswith("Dear Senator Padilla,\n")
    # The seed's signature block: [Your Name] [Your Address] [City, State ZIP] [Your Email].
    assert letter.rstrip().splitlines()[-4:] == ["Rosa Ejemplo", "12 Orange Ave", "Calexico, CA 92231",
                                                 "rosa@example.org"]
    # The page's intro agrees with the letter.
    intro = Client().get("/act/tell-congress-reunite-families/").content.decode()
    assert "17 families who asked for asylum at Calexico have been held by ICE for more than a month, apart from " \
           "their children, although each one has a sponsor waiting" in intro


def test_loading_again_changes_nothing(loaded_on):  # noqa: ANN001
    counts = (Case.objects.count(), CaseEvent.objects.count(), Action.objects.count(), DecisionMaker.objects.count())
    result = _load(loaded_on)
    assert not (result.families_created or result.campaigns_created)
    assert (Case.objects.count(), CaseEvent.objects.count(), Action.objects.count(),
            DecisionMaker.objects.count()) == counts
