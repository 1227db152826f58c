"""Accessibility, checked by axe-core (the engine behind Lighthouse's audit) in real Chromium on
every main page, for the roles that see it, with every transition form open and with errors
shown: labels for every control, contrast (WCAG 2.1 AA), landmarks, headings, names of links
and buttons. And the keyboard: the first Tab reaches a visible "skip to content" link, and the
focused control is outlined."""
import datetime as dt

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from advocacy.services import actions as action_services
from tests.advocacy.conftest import SEED_LIKE_BODY, congress, consented_case, director  # noqa: F401
from tests.api.conftest import family  # noqa: F401

from .conftest import PHONE, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Axe()
RULES = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa",
                                                "best-practice"]}}


def audit(page, what: str) -> None:  # noqa: ANN001
    results = AXE.run(page, options=RULES)
    assert results.violations_count == 0, f"{what}:\n{results.generate_report()}"


def open_every_form(page) -> None:  # noqa: ANN001
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")


@pytest.fixture
def published(olga, consented_case, congress, director):  # noqa: ANN001, ANN201, F811
    draft = action_services.action_create(
        actor=olga, organization=consented_case.organization, cases=[consented_case], fixed_targets=[director],
        title="Reunite Ana's family", letter_subject="Release the families", letter_body=SEED_LIKE_BODY,
        title_es="Reúnan a la familia de Ana", letter_subject_es="Liberen a las familias",
        letter_body_es=SEED_LIKE_BODY.replace("Dear", "Estimado/a"), languages=["en", "es"], goal=100)
    return action_services.action_publish(actor=olga, action=draft)


def test_the_advocates_pages(open_page, family):  # noqa: ANN001, F811
    page = open_page()
    page.goto("/accounts/login/")
    audit(page, "sign-in")
    sign_in(page, "alice@example.test")
    audit(page, "dashboard")
    page.goto("/cases/")
    audit(page, "case list")
    page.goto(f"/cases/{family.case.pk}/")
    open_every_form(page)
    audit(page, "case page, every form open")
    transfer = page.locator("details.transition", has_text="Record a custody change")
    transfer.get_by_label("Who").select_option(str(family.mother.pk))
    in_a_month = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    transfer.get_by_label("Since").fill(in_a_month)  # in the future: refused beside the field
    transfer.get_by_role("button", name="Save").click()
    page.wait_for_selector("#id_transfer_on_error")
    audit(page, "case page with an error")
    page.goto(f"/cases/{family.case.pk}/edit/custody/{family.episode.pk}/")
    audit(page, "custody correction")
    page.get_by_role("button", name="Save").click()  # no reason given
    page.wait_for_selector("#id_reason_error")
    audit(page, "custody correction with an error")
    page.goto("/cases/new/")
    audit(page, "new family")
    page.get_by_role("button", name="Open the family").click()  # no member named
    page.wait_for_selector("#id_people-0-first_name_error")
    audit(page, "new family with errors")
    page.locator("#id_people-0-role").select_option("parent")
    page.locator("#id_people-0-first_name").fill("Rosa")
    page.locator("#id_people-0-a_number").fill("201555019")  # Ana's, on ALP-001
    page.get_by_role("button", name="Open the family").click()
    page.wait_for_selector("#duplicates")
    audit(page, "new family, an A-number already on record")


def test_the_organizers_and_admins_pages(open_page, published, consented_case, adam, director):  # noqa: ANN001, F811
    page = open_page()
    sign_in(page, "olga@example.test")
    for url in ("/actions/", f"/actions/{published.pk}/", f"/actions/new/?case={consented_case.pk}",
                f"/actions/{published.pk}/edit/", "/decision-makers/", "/decision-makers/new/",
                f"/decision-makers/{director.pk}/edit/"):
        page.goto(url)
        audit(page, url)
    page.get_by_label("Email").fill("not an address")
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("#id_email_error")
    audit(page, "decision maker with an error")
    admin = open_page()
    sign_in(admin, "adam@example.test")
    admin.goto("/members/")
    audit(admin, "members")


def test_the_public_page_on_a_phone_in_spanish(open_page, published):  # noqa: ANN001
    page = open_page(viewport=PHONE, locale="es-MX")
    page.goto(f"/act/{published.slug}/?lang=es")
    audit(page, "public page")
    page.get_by_role("button", name="Enviar mi carta").click()  # nothing filled in
    page.wait_for_selector(".error-summary")
    audit(page, "public page with errors")


def test_the_keyboard_reaches_content_and_shows_focus(open_page, family):  # noqa: ANN001, F811
    page = open_page()
    sign_in(page, "alice@example.test")
    page.goto(f"/cases/{family.case.pk}/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    assert skip.evaluate("el => el === document.activeElement")
    box = skip.bounding_box()
    assert box and box["width"] > 0 and box["y"] >= 0, "the skip link shows when focused"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    # The next Tabs go through the page's controls, each visibly outlined.
    for _ in range(4):
        page.keyboard.press("Tab")
        outline = page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
                                           return [s.outlineStyle, s.outlineWidth, s.boxShadow]; }""")
        assert outline[0] != "none" and outline[1] != "0px" or outline[2] != "none", outline
