"""One home for the facts a letter may state (cases.facts.FACTS): the facts computed, the fields the
merge engine accepts, the builder's reference table and the API's preview, and docs/letters.md all
name the same ones, and every documented field renders. Counts agree with their nouns in both
languages, for 0, 1 and many."""
import re
from pathlib import Path

import pytest

from advocacy.letters import merge
from advocacy.letters.render import Supporter, context, facts_for, preview
from cases import services
from cases.facts import FACTS, advocacy_facts
from tests import factories as f
from tests.cases.helpers import client_for

from .conftest import make_action

pytestmark = pytest.mark.django_db

DOCS = Path(__file__).resolve().parents[2] / "docs" / "letters.md"


def documented_facts() -> set[str]:
    """The fields of docs/letters.md's facts table (its rows start with a `group.name` cell)."""
    table = DOCS.read_text().split("Facts (one list")[1].split("\n\n")[1]
    return set(re.findall(r"^\| `([a-z_]+\.[a-z_]+)`", table, re.M))


def test_the_facts_computed_accepted_and_documented_are_the_same(consented_case):  # noqa: ANN001
    computed = set(advocacy_facts(case_ids=[consented_case.pk]).values)
    assert computed == set(FACTS)
    assert set(merge.FACTS) == set(FACTS)
    assert documented_facts() == set(FACTS)
    for name in FACTS:
        merge.parse("{{ %s }}" % name)  # noqa: UP031 - accepted by the engine
        merge.parse("{{ %s }}" % name, allowed=merge.PAGE_FIELDS)  # noqa: UP031 - and on the public page


def test_the_builder_table_and_the_api_preview_list_every_fact_with_its_help(olga, consented_case, congress, director):  # noqa: ANN001
    action = make_action(olga, [consented_case], fixed_targets=[director])
    listed = {row["name"]: row["help"] for row in preview(action=action).fields}
    assert {name: listed[name] for name in FACTS} == {name: fact.help for name, fact in FACTS.items()}
    r = client_for(olga).post(f"/api/v1/actions/{action.pk}/preview/", {}, format="json")
    assert r.status_code == 200, r.content
    assert set(FACTS) <= {row["name"] for row in r.json()["fields"]}


def test_every_documented_field_renders_for_a_family_that_has_it(olga, alice, consented_case, congress, director):  # noqa: ANN001
    # Ana (ICE, 40 days) and Lucía (ORR shelter): a story-consenting family at Calexico West, with
    # an approved story in both languages.
    services.story_save(actor=alice, case=consented_case, text="Ana asked for asylum.",
                        text_es="Ana pidió asilo.", approve=True)
    action = make_action(olga, [consented_case], fixed_targets=[director])
    facts = facts_for(action)
    for language, forty_days in (("en", "more than a month"), ("es", "más de un mes")):
        values = merge.FIELDS.keys()
        ctx = context(action=action, facts=facts, supporter=Supporter.sample(), decision_maker=director,
                      language=language)
        for name in sorted(values):
            group, key = name.split(".")
            if name in ("supporter.phone", "supporter.note"):  # documented as "may be empty"
                continue
            assert str(ctx[group][key]).strip(), (language, name)
        assert ctx["detained"]["shortest_time"] == ctx["detained"]["longest_time"] == forty_days
        assert ctx["detained"]["shortest_days"] == 40
        assert ctx["families"]["port_of_entry"] == "Calexico West Port of Entry"
        assert ctx["families"]["first_names"] == "Ana"
        assert ctx["families"]["stories"] == {"en": "Ana asked for asylum.", "es": "Ana pidió asilo."}[language]


@pytest.mark.parametrize(("detained", "english", "spanish"), [
    (0, "0 families are held", "0 familias están detenidas"),
    (1, "1 family is held", "1 familia está detenida"),
    (3, "3 families are held", "3 familias están detenidas"),
])
def test_counts_agree_with_their_nouns_in_both_languages(olga, alice, alpha, facility, congress, director,  # noqa: ANN001, PLR0913
                                                         detained: int, english: str, spanish: str):
    cases = []
    for n in range(3):
        case = f.make_case(alice, alpha, reference=f"PL-{n}")
        person = f.make_person(alice, case, first_name=f"P{n}")
        if n < detained:
            f.detain(alice, person, facility=facility, days_ago=10)
        cases.append(services.consent_record(actor=alice, case=case, level="anonymous"))
    n = "families.in_ice_custody"
    template_en = f"{{{{ {n} }}}} famil{{{{ {n}|pluralize:'y,ies' }}}} {{{{ {n}|pluralize:'is,are' }}}} held"
    template_es = (f"{{{{ {n} }}}} familia{{{{ {n}|pluralize }}}} est{{{{ {n}|pluralize:'á,án' }}}} "
                   f"detenida{{{{ {n}|pluralize }}}}")
    action = make_action(olga, cases, fixed_targets=[director], letter_subject="Reunite them",
                         letter_body="Dear [Decision Maker],\n\n{{ families.count }} families.\n\n[Personal Note]")
    facts = facts_for(action)
    for template, language, expected in ((template_en, "en", english), (template_es, "es", spanish)):
        ctx = context(action=action, facts=facts, supporter=Supporter.sample(), decision_maker=director,
                      language=language)
        assert merge.parse(template).render(ctx).strip() == expected


def test_the_title_and_intro_state_the_letter_facts_and_nothing_about_a_supporter(olga, consented_case, congress,  # noqa: ANN001
                                                                                  director):
    from django.core.exceptions import ValidationError
    from django.test import Client

    from advocacy.models import Action
    from advocacy.services import actions as action_services

    with pytest.raises(ValidationError) as refused:
        make_action(olga, [consented_case], fixed_targets=[director], intro="Dear {{ supporter.first_name }}, write!")
    assert "belongs in the letter" in " ".join(refused.value.message_dict["intro"])
    with pytest.raises(ValidationError) as refused:
        make_action(olga, [consented_case], fixed_targets=[director], title="Free {{ families.nobody }}")
    assert "Unknown merge field" in " ".join(refused.value.message_dict["title"])
    assert not Action.objects.exists()

    action = make_action(olga, [consented_case], fixed_targets=[director],
                         title="Reunite {{ families.in_ice_custody }} famil{{ families.in_ice_custody|pluralize:'y,ies' }}",
                         intro="{{ organization.name }}: held by ICE for {{ detained.shortest_time }}.")
    action_services.action_publish(actor=olga, action=action)
    page = Client().get(f"/act/{action.slug}/").content.decode()
    assert "<h1>Reunite 1 family</h1>" in page
    assert "Alpha Legal: held by ICE for more than a month." in page
    assert "{{" not in page
