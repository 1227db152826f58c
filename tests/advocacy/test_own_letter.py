"""A supporter who writes their own letter starts from the campaign's letter, and whatever they write
goes out signed with the seed's block - name, street, city-state-ZIP, email - so the office can
answer a constituent it can identify."""
import pytest
from django.test import Client

from advocacy.letters.render import Supporter, facts_for, render, starting_letter
from advocacy.services import actions as action_services

from .conftest import SEED_LIKE_BODY, make_action

pytestmark = pytest.mark.django_db

ROSA = Supporter(prefix="Ms.", first_name="Rosa", last_name="Supporter", street="12 Orange Ave", city="Calexico",
                 state="CA", zip="92231", email="rosa@example.org")
BLOCK = ["Rosa Supporter", "12 Orange Ave", "Calexico, CA 92231", "rosa@example.org"]


@pytest.fixture
def own_letter_action(olga, consented_case, congress, director):  # noqa: ANN001, ANN201
    action = make_action(olga, [consented_case], fixed_targets=[director], supporter_editing="body",
                         letter_body_es=SEED_LIKE_BODY.replace("Dear", "Estimado/a"),
                         letter_subject_es="Liberen a las familias", languages=["en", "es"])
    return action_services.action_publish(actor=olga, action=action)


def send(action, director, written: str, language: str = "en") -> str:  # noqa: ANN001
    return render(action=action, facts=facts_for(action), supporter=ROSA, decision_maker=director,
                  language=language, edited_body=written).body


def test_the_box_starts_from_the_letter_with_the_facts_and_the_supporters_lines_left_to_fill(own_letter_action):  # noqa: ANN001
    english = starting_letter(action=own_letter_action, language="en")
    assert english.startswith("Dear [Decision Maker],")
    assert "1 of the 1 families we accompanied to the Calexico West Port of Entry are in ICE custody" in english
    assert english.rstrip().splitlines()[-4:] == ["[Your Name]", "[Your Address]", "[City, State ZIP]",
                                                  "[Your Email]"]
    assert "[Personal Note]" not in english
    spanish = starting_letter(action=own_letter_action, language="es")
    assert spanish.startswith("Estimado/a [Destinatario],")
    assert spanish.rstrip().splitlines()[-4:] == ["[Tu nombre]", "[Tu dirección]", "[Ciudad, Estado Código postal]",
                                                  "[Tu correo]"]
    # ...and the public page hands it out in the box.
    page = Client().get(f"/act/{own_letter_action.slug}/").content.decode()
    assert "[Your Name]" in page.split('id="id_edited_body"')[1].split("</textarea>")[0]


def test_a_letter_kept_as_given_is_filled_in_and_signed_once(own_letter_action, director):  # noqa: ANN001
    for language in ("en", "es"):
        body = send(own_letter_action, director, starting_letter(action=own_letter_action, language=language),
                    language)
        assert body.rstrip().splitlines()[-4:] == BLOCK
        assert body.count("Rosa Supporter") == 1
        assert body.startswith("Dear Field Office Director," if language == "en" else "Estimado/a Field Office")


def test_a_letter_in_their_own_words_is_still_signed_with_their_name_and_address(own_letter_action, director):  # noqa: ANN001
    body = send(own_letter_action, director, "Please let Ana go home to her daughter.")
    assert body.rstrip().splitlines() == ["Please let Ana go home to her daughter.", "", *BLOCK]
    # Their markup and braces stay as written: supporter text is never template code.
    body = send(own_letter_action, director, "{{ families.count }} <b>families</b>")
    assert body.splitlines()[0] == "{{ families.count }} <b>families</b>"
