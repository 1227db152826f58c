"""A family's story in letters: only with "story" consent, only the text an advocate approved, in the
letter's own language, never a child's name - and gone from the very next letter when any of those
stops being true."""
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from advocacy.letters.render import Supporter, facts_for, render
from cases import services
from cases.models import CaseEvent, Story

from .conftest import make_action

pytestmark = pytest.mark.django_db

STORY = "Ana asked for asylum at the port of entry; officers took her daughter from her that night."
STORY_ES = "Ana pidió asilo en el puerto de entrada; esa noche los agentes le quitaron a su hija."
BODY = """Dear [Decision Maker],

{% if families.stories %}{{ families.stories }}

{% endif %}Please reunite this family.

[Personal Note]

[Your Name]
"""
BODY_ES = """Estimado/a [Decision Maker]:

{% if families.stories %}{{ families.stories }}

{% endif %}Le pido que reúna a esta familia.

[Personal Note]

[Your Name]
"""


@pytest.fixture
def story_action(olga, consented_case, congress, director):  # noqa: ANN001, ANN201
    return make_action(olga, [consented_case], fixed_targets=[director], letter_body=BODY, letter_body_es=BODY_ES,
                       letter_subject_es="Reúnan a la familia", languages=["en", "es"])


def letter(action, director, language: str = "en") -> str:  # noqa: ANN001
    return render(action=action, facts=facts_for(action), supporter=Supporter.sample(), decision_maker=director,
                  language=language).body


def test_a_story_is_told_only_once_approved_and_only_in_the_language_it_is_written_in(
        alice, consented_case, story_action, director):  # noqa: ANN001
    assert STORY not in letter(story_action, director)
    services.story_save(actor=alice, case=consented_case, text=STORY, text_es="", approve=False)
    assert STORY not in letter(story_action, director), "a draft is never told"
    services.story_save(actor=alice, case=consented_case, text=STORY, text_es="", approve=True)
    assert STORY in letter(story_action, director)
    assert STORY not in letter(story_action, director, "es") and "Ana pidió" not in letter(story_action, director, "es")
    story = Story.objects.get(case=consented_case)
    services.story_save(actor=alice, case=consented_case, text=STORY, text_es=STORY_ES, approve=True,
                        version=story.version)
    assert STORY_ES in letter(story_action, director, "es")


def test_changing_an_approved_text_withdraws_the_approval(alice, consented_case, story_action, director):  # noqa: ANN001
    services.story_save(actor=alice, case=consented_case, text=STORY, text_es="", approve=True)
    services.story_save(actor=alice, case=consented_case, text=STORY + " She is still waiting.", text_es="",
                        approve=False)
    assert Story.objects.get(case=consented_case).approved_at is None
    assert "Ana asked" not in letter(story_action, director)


def test_revoking_story_consent_removes_it_from_the_very_next_letter(alice, consented_case, story_action, director):  # noqa: ANN001
    services.story_save(actor=alice, case=consented_case, text=STORY, text_es="", approve=True)
    assert STORY in letter(story_action, director)
    services.consent_record(actor=alice, case=consented_case, level="anonymous")
    assert STORY not in letter(story_action, director)
    assert "Please reunite this family." in letter(story_action, director)


def test_a_childs_name_is_refused_and_nothing_is_saved(alice, consented_case):  # noqa: ANN001
    # The family: Ana (parent) and Lucía (child). Accents and capitals make no difference.
    events = CaseEvent.objects.filter(case=consented_case).count()
    for text, text_es in (("Ana and LUCIA were separated at the port.", ""), ("", "Ana y Lucía fueron separadas.")):
        with pytest.raises(ValidationError) as refused:
            services.story_save(actor=alice, case=consented_case, text=text, text_es=text_es, approve=True)
        field = "text" if text else "text_es"
        assert refused.value.message_dict[field] == [services.stories.CHILD_NAME]
        assert "Lucía" not in str(refused.value) and "LUCIA" not in str(refused.value)
    assert not Story.objects.exists()
    assert CaseEvent.objects.filter(case=consented_case).count() == events


@pytest.mark.parametrize("who", ["bob", "victor", "charlie", "olga"])
def test_only_who_may_change_the_case_and_read_its_names_writes_its_story(  # noqa: ANN001
        request, alice, consented_case, shared_with_bob, victor, who):
    # bob: co-counsel with read-only access; victor: the assigned volunteer; charlie: another
    # organisation; olga: the organizer, who reads no names.
    services.story_save(actor=alice, case=consented_case, text=STORY, text_es="", approve=False)
    before = list(Story.objects.values_list("text", "approved_at", "version"))
    with pytest.raises(PermissionDenied):
        services.story_save(actor=request.getfixturevalue(who), case=consented_case, text="Changed.", text_es="",
                            approve=True)
    assert list(Story.objects.values_list("text", "approved_at", "version")) == before


def test_the_history_records_the_approval_but_never_the_text(alice, consented_case):  # noqa: ANN001
    services.story_save(actor=alice, case=consented_case, text=STORY, text_es="", approve=True)
    event = CaseEvent.objects.filter(case=consented_case, action="story.approved").get()
    assert event.actor == alice and event.after["approved"] is True
    assert STORY not in str(event.before) + str(event.after)
