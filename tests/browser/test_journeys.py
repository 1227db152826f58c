"""The four journeys of the staff app and the public page, in real Chromium against the live
server: an advocate records a custody transfer; an organizer builds and publishes an action from a
case, its live preview stating the records' numbers; a supporter acts on it in Spanish on a phone;
an outsider opening a case's address gets a 404. Screenshots of the main pages go to
docs/screenshots/ (the README shows them)."""
import re

import pytest
from playwright.sync_api import expect

from advocacy.models import Action, Letter, Submission
from advocacy.services import actions as action_services
from cases import services
from cases.models import Case, CustodyEpisode
from tests import factories as f
from tests.advocacy.conftest import SEED_LIKE_BODY, congress, consented_case, director  # noqa: F401
from tests.api.conftest import family  # noqa: F401

from .conftest import PHONE, screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def in_ice_custody(case_ids: list[int]) -> int:
    """Straight from the tables: families with someone in ICE detention now."""
    return Case.objects.filter(pk__in=case_ids, people__custody_episodes__ended_on__isnull=True,
                               people__custody_episodes__kind="ice_detention").distinct().count()


def fits_the_screen(page) -> bool:  # noqa: ANN001
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_an_advocate_finds_a_family_and_records_a_custody_transfer(open_page, family):  # noqa: ANN001
    page = open_page()
    sign_in(page, "alice@example.test")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Families needing attention")
    screenshot(page, "dashboard")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Families").click()
    page.get_by_label("Reference, name, sponsor or docket").fill("ana")
    page.get_by_role("button", name="Search", exact=True).click()
    assert "ana" not in page.url.lower()  # the name went in the POST body, not the address
    expect(page.locator("tr.case-row")).to_have_count(1)
    screenshot(page, "case-list")
    page.get_by_role("link", name="ALP-001").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("ALP-001")

    transfer = page.locator("details.transition", has_text="Record a custody change")
    transfer.locator("summary").click()
    transfer.get_by_label("Who").select_option(str(family.mother.pk))
    transfer.get_by_label("Now in").select_option("ice_detention")
    transfer.get_by_label("Facility").select_option(label="Otay Mesa Detention Center")
    transfer.get_by_role("button", name="Save").click()

    expect(page.get_by_role("status")).to_contain_text("Custody recorded.")
    expect(page.locator("ol.timeline li").first).to_contain_text("Otay Mesa Detention Center")
    current = CustodyEpisode.objects.get(person=family.mother, ended_on__isnull=True)
    assert current.facility == family.other_facility and current.kind == "ice_detention"
    screenshot(page, "case")


def test_an_organizer_builds_and_publishes_an_action_whose_preview_states_the_records(  # noqa: PLR0913
        open_page, olga, alice, alpha, consented_case, congress, director):  # noqa: ANN001, F811
    other = f.make_case(alice, alpha, reference="ALP-002")
    f.detain(alice, f.make_person(alice, other, role="child", first_name="Mateo"), days_ago=20, kind="orr_shelter")
    services.consent_record(actor=alice, case=other, level="story")

    page = open_page()
    sign_in(page, "olga@example.test")
    page.goto(f"/cases/{consented_case.pk}/")
    page.get_by_role("link", name="Create an action from this case").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New action")
    expect(page.locator(".builder-form")).to_contain_text("facts such as {{ families.in_ice_custody }}")
    preview = page.get_by_test_id("preview-body")
    one = in_ice_custody([consented_case.pk])
    expect(preview).to_contain_text(f"{one} of the 1 family we work with is in ICE custody")

    # Ticking a second family updates the preview (htmx) from the records as they stand.
    page.get_by_label("ALP-002").check()
    both = in_ice_custody([consented_case.pk, other.pk])
    expect(preview).to_contain_text(f"{both} of the 2 families")
    assert (one, both) == (1, 1)

    page.get_by_role("textbox", name="Title", exact=True).fill("Reunite the Calexico families")
    page.get_by_label("Field Office Director, San Diego (SND)").check()  # the office in full
    screenshot(page, "action-builder")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Action saved.")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("status")).to_contain_text("Published: the action's page is open.")
    action = Action.objects.get(title="Reunite the Calexico families")
    assert action.status == "published"
    assert sorted(action.action_cases.values_list("case_id", flat=True)) == sorted([consented_case.pk, other.pk])
    screenshot(page, "action")


def test_a_supporter_acts_in_spanish_on_a_phone(open_page, olga, consented_case, congress, director):  # noqa: ANN001, F811
    draft = action_services.action_create(
        actor=olga, organization=consented_case.organization, cases=[consented_case], fixed_targets=[director],
        title="Reunite Ana's family", letter_subject="Release the families", letter_body=SEED_LIKE_BODY,
        title_es="Reúnan a la familia de Ana", letter_subject_es="Liberen a las familias",
        letter_body_es=SEED_LIKE_BODY.replace("Dear", "Estimado/a"), languages=["en", "es"], goal=100)
    action = action_services.action_publish(actor=olga, action=draft)

    page = open_page(viewport=PHONE, locale="es-MX")
    page.goto(f"/act/{action.slug}/?lang=es")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("heading", level=1)).to_have_text("Reúnan a la familia de Ana")
    assert fits_the_screen(page), "no sideways scrolling on a phone"
    page.locator("#id_prefix").select_option("Ms.")
    for field, value in {"first_name": "Rosa", "last_name": "Ejemplo", "email": "rosa@example.org",
                         "street": "12 Orange Ave", "city": "Calexico", "zip_code": "92231"}.items():
        page.locator(f"#id_{field}").fill(value)
    page.locator("#id_state").select_option("CA")
    screenshot(page, "act-es-phone")
    page.get_by_role("button", name="Enviar mi carta").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("¡Gracias!")
    # No CWC credentials here: the page says, letter by letter, what will happen and where each
    # stands - the director's emailed, the senators' wait to be printed, the representative's for
    # Alpha Legal to send through Communicating with Congress.
    plans = page.locator(".letter-plans > li")
    expect(plans.filter(has_text="Field Office Director")).to_contain_text(
        "Se envía por correo electrónico a la oficina de Field Office Director")
    expect(plans.filter(has_text="Field Office Director").locator(".letter-status")).to_contain_text("Enviada el ")
    expect(plans.filter(has_text="Senator Padilla")).to_contain_text(
        "Alpha Legal la imprime y la entrega en la oficina de Senator Padilla")
    expect(plans.filter(has_text="Senator Padilla").locator(".letter-status")).to_have_text("Esperando a ser impresa.")
    expect(plans.filter(has_text="Representative Ruiz")).to_contain_text(
        "Preparada para la oficina de Representative Ruiz: Alpha Legal la envía a la bandeja de la oficina")
    expect(plans.filter(has_text="Representative Ruiz").locator(".letter-status")).to_have_text(
        "Esperando a ser enviada.")
    expect(page.get_by_text("en camino", exact=False)).to_have_count(0)  # nothing claims they are all on their way
    assert fits_the_screen(page)
    screenshot(page, "thanks-es-phone")
    submission = Submission.objects.get(action=action)
    assert submission.language == "es"
    assert Letter.objects.filter(submission=submission).count() == 4  # two senators, the representative, the director


def test_an_outsider_opening_a_case_address_gets_404(open_page, charlie, family):  # noqa: ANN001, F811
    page = open_page()
    sign_in(page, "charlie@example.test")
    response = page.goto(f"/cases/{family.case.pk}/")
    assert response.status == 404
    body = page.content()
    assert "ALP-001" not in body and "Ana" not in body
    assert not re.search(r"201.?555.?019", body)
