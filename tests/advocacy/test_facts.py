"""Facts a letter may state: computed from the live records, only from families whose consent
allows it, and gone at the very next letter when a family withdraws."""
import datetime as dt

import pytest
from django.utils import timezone

from advocacy.letters.render import facts_for
from cases import services
from cases.facts import advocacy_facts
from tests import factories as f

pytestmark = pytest.mark.django_db


def _family(actor, org, ref: str, *, consent: str, days: int | None, secured: bool = True,  # noqa: ANN001
            positive: bool = True, name: str = "Marisol"):
    case = f.make_case(actor, org, reference=ref)
    parent = f.make_person(actor, case, role="parent", first_name=name)
    child = f.make_person(actor, case, role="child", first_name="Kevin")
    if days is not None:
        f.detain(actor, parent, facility=f.FacilityFactory(), days_ago=days)
    else:
        services.custody_transfer(actor=actor, person=parent, kind="released", release_type="parole",
                                  on=timezone.localdate() - dt.timedelta(days=3))
    f.detain(actor, child, days_ago=20, kind="orr_shelter")
    services.sponsor_create(actor=actor, case=case, person=child, name="Tía", category="2B",
                            status="approved" if secured else "denied")
    process = services.fear_process_create(actor=actor, person=parent, kind="credible")
    services.interview_outcome_record(actor=actor, process=process, outcome="positive" if positive else "negative",
                                      decided_on=timezone.localdate() - dt.timedelta(days=10))
    if consent != "none":
        services.consent_record(actor=actor, case=case, level=consent)
    return case


@pytest.fixture
def families(alice, alpha):  # noqa: ANN001, ANN201
    return [
        _family(alice, alpha, "F-1", consent="story", days=45, name="Marisol"),
        _family(alice, alpha, "F-2", consent="anonymous", days=31, name="Yesenia"),
        _family(alice, alpha, "F-3", consent="anonymous", days=None, secured=False, positive=False, name="Dania"),
        _family(alice, alpha, "F-4", consent="none", days=90, name="Karla"),  # no consent: never counted
    ]


def test_facts_count_only_consenting_families(families):  # noqa: ANN001
    facts = advocacy_facts(case_ids=[c.pk for c in families])
    v = facts.values
    assert (facts.consenting, facts.story) == (3, 1)
    assert v["families.count"] == 3
    assert v["families.in_ice_custody"] == 2
    assert v["families.with_secured_sponsor"] == 2
    assert v["families.with_positive_credible_fear"] == 2
    assert v["detained.with_secured_sponsor"] == 2
    assert (v["detained.longest_days"], v["detained.shortest_days"]) == (45, 31)  # Karla's 90 days are not counted


def test_first_names_come_only_from_families_who_shared_their_story_and_never_childrens(families):  # noqa: ANN001
    names = advocacy_facts(case_ids=[c.pk for c in families]).values["families.first_names"]
    assert names == ["Marisol"]


def test_without_any_consent_every_fact_is_unavailable(alice, families):  # noqa: ANN001
    assert set(advocacy_facts(case_ids=[families[3].pk]).values.values()) == {None}


def test_revoking_consent_takes_effect_on_the_very_next_read(alice, families, olga):  # noqa: ANN001
    from tests.advocacy.conftest import make_action

    action = make_action(olga, families[:3], target_senators=False, target_representative=False,
                         target_case_officials=True, letter_body="{{ families.count }} [Personal Note]")
    assert facts_for(action).values["families.count"] == 3
    assert facts_for(action).values["families.first_names"] == ["Marisol"]
    services.consent_record(actor=alice, case=families[0], level="none")
    after = facts_for(action)  # the same process, facts reused until a record changes
    assert after.values["families.count"] == 2
    assert after.values["families.first_names"] is None
    assert after.values["detained.longest_days"] == 31


def test_a_custody_change_is_reflected_in_the_next_facts(alice, families, olga):  # noqa: ANN001
    from tests.advocacy.conftest import make_action

    action = make_action(olga, families[:3], target_case_officials=True,
                         letter_body="{{ families.in_ice_custody }} [Personal Note]")
    assert facts_for(action).values["families.in_ice_custody"] == 2
    parent = families[1].people.get(role="parent")
    services.custody_transfer(actor=alice, person=parent, kind="released", release_type="bond",
                              on=timezone.localdate())
    assert facts_for(action).values["families.in_ice_custody"] == 1
