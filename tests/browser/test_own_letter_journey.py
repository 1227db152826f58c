"""A supporter writes their own letter to the President on a phone, in Spanish (the seed's holiday
campaign): the box starts from the campaign's letter, the letter that goes out carries their name
and address whatever they wrote, and the thank-you page's progress is what is stored."""
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from advocacy.models import DecisionMaker, Letter, Submission, Tally
from advocacy.services import actions as action_services
from tests.advocacy.conftest import SEED_LIKE_BODY, congress, consented_case, director  # noqa: F401

from .conftest import PHONE, screenshot
from .test_journeys import fits_the_screen

pytestmark = pytest.mark.django_db(transaction=True)

OWN_WORDS = "Señor Presidente: mi sobrina pasará las fiestas sin su mamá. Por favor, reúna a estas familias."


def test_a_supporter_writes_their_own_letter_to_the_president_in_spanish_on_a_phone(  # noqa: PLR0913
        open_page, olga, consented_case, congress):  # noqa: ANN001, F811
    call_command("import_executives", stdout=open("/dev/null", "w"))  # noqa: SIM115
    president = DecisionMaker.objects.get(office_key="us-president")
    draft = action_services.action_create(
        actor=olga, organization=consented_case.organization, cases=[consented_case], fixed_targets=[president],
        target_senators=False, target_representative=False, supporter_editing="body",
        title="Wish for the holidays", letter_subject="Keep families together", letter_body=SEED_LIKE_BODY,
        title_es="Deseo para las fiestas", letter_subject_es="Mantengan unidas a las familias",
        letter_body_es=SEED_LIKE_BODY.replace("Dear", "Estimado/a"), languages=["en", "es"], goal=100)
    action = action_services.action_publish(actor=olga, action=draft)
    action_services.tally_record(actor=olga, action=action, kind="pledge", count=8, note="Pledged at church")

    page = open_page(viewport=PHONE, locale="es-MX")
    page.goto(f"/act/{action.slug}/?lang=es")
    box = page.locator("#id_edited_body")
    # The box starts from the campaign's letter: today's facts filled in, the supporter's lines left
    # for them, in Spanish.
    expect(box).to_have_value(re.compile(r"^Estimado/a \[Destinatario\],.*1 of the 1 families.*\[Tu nombre\]", re.S))
    assert fits_the_screen(page)
    page.locator("#id_prefix").select_option("Ms.")
    for field, value in {"first_name": "Rosa", "last_name": "Ejemplo", "email": "rosa@example.org",
                         "street": "12 Orange Ave", "city": "Calexico", "zip_code": "92231"}.items():
        page.locator(f"#id_{field}").fill(value)
    page.locator("#id_state").select_option("CA")
    box.fill(OWN_WORDS)  # their own words, with none of the bracket lines
    screenshot(page, "own-letter-es-phone")
    page.get_by_role("button", name="Enviar mi carta").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("¡Gracias!")
    assert fits_the_screen(page)
    submission = Submission.objects.get(action=action)
    [letter] = Letter.objects.filter(submission=submission)
    assert (letter.decision_maker_id, letter.channel, letter.language) == (president.pk, "print", "es")
    from advocacy.letters.render import Supporter, facts_for, render

    sent = render(action=action, facts=facts_for(action), supporter=Supporter.of(submission, editing="body"),
                  decision_maker=president, language="es", edited_body=submission.edited_body).body
    assert sent.rstrip().splitlines() == [OWN_WORDS, "", "Rosa Ejemplo", "12 Orange Ave", "Calexico, CA 92231",
                                          "rosa@example.org"]
    # The thank-you page's progress is the stored one: letters sent, pledges, handwritten letters.
    sent_count = Letter.objects.filter(action=action, status="sent").count()
    pledges = sum(Tally.objects.filter(action=action, kind="pledge").values_list("count", flat=True))
    progress = page.locator(".tallies")
    expect(progress).to_contain_text(f"{sent_count} cartas enviadas" if sent_count != 1 else "1 carta enviada")
    expect(progress).to_contain_text(f"{pledges} compromisos")

