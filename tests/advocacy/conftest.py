"""Fixtures for advocacy: decision makers, a consenting family, an action built on it, and a
supporter who fills in the public form. On top of the cast in tests/conftest.py:

- olga (organizer of Alpha Legal) builds and runs `action` on alice's `case` (Ana, 40 days in ICE
  detention at `facility` in the SND field office, and her daughter Lucía in an ORR shelter).
- victor/vera (Alpha volunteers) follow actions read-only; charlie (Gamma) is an outsider.
"""
import pytest

from demo.campaigns import DEMO_LEGISLATORS_CSV, DEMO_ZIPS
from advocacy.importers import add_zip_districts, parse_legislators_csv, upsert_legislators
from advocacy.models import Action, DecisionMaker
from advocacy.services import actions as action_services
from cases import services
from cases.models import Case, FieldOffice

SEED_LIKE_BODY = """Dear [Decision Maker],

{{ families.in_ice_custody }} of the {{ families.count }} families we accompanied to the {{ families.port_of_entry }} are in ICE custody, detained for more than {{ detained.shortest_days }} days. {{ detained.with_secured_sponsor }} have a sponsor waiting.{% if families.first_names %} Among them: {{ families.first_names }}.{% endif %}

[Personal Note]

[Your Name]
[Your Address]
[City, State ZIP]
[Your Email]
"""


def load_congress() -> None:
    """California's two senators, the representatives of CA-25, CA-50 and CA-52, and the ZIP codes
    92231 (CA-25), 92243 (CA-25), 92101 (split: CA-50 and CA-52), 92173 (CA-52)."""
    upsert_legislators(parse_legislators_csv(DEMO_LEGISLATORS_CSV), deactivate_missing=False)
    add_zip_districts(DEMO_ZIPS)


def field_office_director(alpha) -> DecisionMaker:  # noqa: ANN001
    """The ICE San Diego field office director, as Alpha Legal entered them: responsible for
    `facility`'s field office, reachable by email."""
    return DecisionMaker.objects.create(
        kind="agency_official", name="Field Office Director, ICE San Diego", salutation="Field Office Director",
        state="CA", email="director.snd@ice.example", field_office=FieldOffice.objects.get(code="SND"),
        postal_address="880 Front Street, San Diego, CA 92101", organization=alpha,
    )


def story_consent(alice, case) -> Case:  # noqa: ANN001
    """`case` with the family's story consent recorded, arriving through a port of entry."""
    from tests import factories as f

    port = f.FacilityFactory(name="Calexico West Port of Entry", kind="port_of_entry")
    c = Case.objects.get(pk=case.pk)
    services.case_update(actor=alice, case=c, version=c.version, port_of_entry=port)
    return services.consent_record(actor=alice, case=case, level="story")


@pytest.fixture
def congress(db):  # noqa: ANN001, ANN201
    """California's delegation and four ZIP codes (`load_congress`)."""
    load_congress()


@pytest.fixture
def director(facility, alpha):  # noqa: ANN001, ANN201
    """The ICE San Diego field office director (`field_office_director`)."""
    return field_office_director(alpha)


@pytest.fixture
def consented_case(alice, case, facility):  # noqa: ANN001, ANN201
    """`case` with story consent, arriving through a port of entry (`story_consent`)."""
    return story_consent(alice, case)


def make_action(actor, cases, **fields) -> Action:  # noqa: ANN001
    fields.setdefault("title", "Reunite Ana's family")
    fields.setdefault("letter_subject", "Release the {{ families.in_ice_custody }} families")
    fields.setdefault("letter_body", SEED_LIKE_BODY)
    fields.setdefault("supporter_editing", "note")
    return action_services.action_create(actor=actor, organization=actor.memberships.get().organization,
                                         cases=cases, **fields)


@pytest.fixture
def draft(olga, consented_case, congress, director):  # noqa: ANN001, ANN201
    return make_action(olga, [consented_case], fixed_targets=[director], goal=100)


@pytest.fixture
def action(olga, draft):  # noqa: ANN001, ANN201
    return action_services.action_publish(actor=olga, action=draft)


SUPPORTER = {
    "prefix": "Ms.", "first_name": "Rosa", "last_name": "Supporter", "email": "rosa@example.org",
    "street": "12 Orange Ave", "city": "Calexico", "state": "CA", "zip_code": "92231",
    "phone": "(760) 555-0101", "note": "I live ten minutes from the port.",
}


@pytest.fixture
def supporter() -> dict:
    return dict(SUPPORTER)


def sign(action: Action, **changes) -> "Submission":  # noqa: ANN003
    """A supporter signs (the service the public form calls) and the delivery task's first step
    runs: their letters exist, none of them sent yet."""
    from advocacy.services.submissions import SupporterInput, letters_for_submission, submit

    from advocacy.models import Submission

    submitted = submit(action=action, data=SupporterInput(**{**SUPPORTER, **changes}))
    letters_for_submission(submitted.submission_id)
    return Submission.objects.get(pk=submitted.submission_id)


def make_letters() -> None:
    """What the delivery task does first, for every submission waiting for its letters."""
    from advocacy.models import Submission
    from advocacy.services.submissions import letters_for_submission

    for pk in Submission.objects.filter(letters_made_at__isnull=True).values_list("pk", flat=True):
        letters_for_submission(pk)
