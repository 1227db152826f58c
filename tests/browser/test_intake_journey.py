"""An advocate opens a new family of three on a phone, in real Chromium: one member's A-number is
already on another family of the organisation, which the page flags with a link before anything
is saved; she checks, confirms, and the family opens with each member's custody."""
import pytest
from playwright.sync_api import expect

from cases.models import Case, CustodyEpisode
from tests.api.conftest import family  # noqa: F401
from tests.cases.helpers import days_ago

from .conftest import PHONE, screenshot, sign_in
from .test_journeys import fits_the_screen

pytestmark = pytest.mark.django_db(transaction=True)


def fill_member(page, i: int, **fields: str) -> None:  # noqa: ANN001
    for name, value in fields.items():
        control = page.locator(f"#id_people-{i}-{name}")
        if control.evaluate("e => e.tagName") == "SELECT":
            control.select_option(value)
        else:
            control.fill(value)


def test_an_advocate_opens_a_family_of_three_on_a_phone(open_page, family, facility):  # noqa: ANN001
    page = open_page(viewport=PHONE)
    sign_in(page, "alice@example.test")
    page.get_by_role("link", name="New family").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New family")
    assert fits_the_screen(page)

    page.get_by_label("Reference").fill("ALP-2026-PHONE")
    page.get_by_label("Separated on").fill(days_ago(12).isoformat())
    page.get_by_label("Place of separation").fill("San Ysidro port of entry")
    fill_member(page, 0, role="parent", first_name="Rosa", last_name="Ejemplo", date_of_birth="1991-04-02",
                a_number="A 201 555 019",  # Ana's, on ALP-001
                custody_kind="ice_detention", custody_since=days_ago(10).isoformat())
    page.locator("#id_people-0-facility").select_option(label=facility.name)
    page.get_by_role("button", name="Add another family member").click()
    page.get_by_role("button", name="Add another family member").click()
    expect(page.locator("fieldset.person")).to_have_count(3)
    expect(page.locator("#id_people-0-first_name")).to_have_value("Rosa")  # nothing typed is lost
    fill_member(page, 1, role="child", first_name="Noa", date_of_birth=days_ago(9 * 365).isoformat(),
                custody_kind="orr_shelter", custody_since=days_ago(11).isoformat())
    fill_member(page, 2, role="child", first_name="Iker", date_of_birth=days_ago(5 * 365).isoformat(),
                custody_kind="orr_shelter", custody_since=days_ago(11).isoformat())
    page.get_by_role("button", name="Open the family").click()

    warning = page.locator("#duplicates")
    expect(warning).to_contain_text("already on a family of your organisation")
    expect(warning.get_by_role("link", name="ALP-001")).to_have_attribute("href", f"/cases/{family.case.pk}/")
    assert not Case.objects.filter(reference="ALP-2026-PHONE").exists()
    assert fits_the_screen(page)
    screenshot(page, "intake-phone")

    page.get_by_label("I checked: this is a new family").check()
    page.get_by_role("button", name="Open the family").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("ALP-2026-PHONE")
    expect(page.get_by_role("status")).to_contain_text("Family opened.")
    case = Case.objects.get(reference="ALP-2026-PHONE")
    held = dict(CustodyEpisode.objects.filter(person__case=case, ended_on__isnull=True)
                .values_list("person__first_name", "kind"))
    assert held == {"Rosa": "ice_detention", "Noa": "orr_shelter", "Iker": "orr_shelter"}
    assert fits_the_screen(page)
