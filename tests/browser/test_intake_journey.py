"""An advocate opens a new family of three on a phone, in real Chromium: one member's A-number is
already on another family of the organisation, which the page flags with a link before anything
is saved; she checks, confirms, and the family opens with each member's custody."""
import datetime as dt

import pytest
from django.utils import timezone
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


def open_form(page, title: str):  # noqa: ANN001, ANN201
    form = page.locator("details.transition", has_text=title)
    form.locator("summary").click()
    return form


def test_an_advocate_keeps_a_new_familys_whole_record_on_a_phone(open_page, family, facility, alice, victor):  # noqa: ANN001
    """The issue's journey: open a family of three (an A-number already held: flagged), correct a
    custody date with a reason, add a sponsor, record its approval, release the child to it,
    schedule a hearing and record its outcome, assign a volunteer, close the file and reopen it."""
    from cases.models import Hearing, Sponsor

    alice.first_name, alice.last_name = "Alice", "Abogada"
    alice.save(update_fields=["first_name", "last_name"])
    page = open_page(viewport=PHONE)
    sign_in(page, "alice@example.test")
    page.goto("/cases/new/")
    page.get_by_label("Reference").fill("ALP-JOURNEY")
    fill_member(page, 0, role="parent", first_name="Rosa", last_name="Ejemplo", a_number="201555019",
                custody_kind="ice_detention", custody_since=days_ago(10).isoformat())
    page.get_by_role("button", name="Add another family member").click()
    page.get_by_role("button", name="Add another family member").click()
    fill_member(page, 1, role="child", first_name="Noa", last_name="Ejemplo",
                date_of_birth=days_ago(9 * 365).isoformat(), custody_kind="orr_shelter",
                custody_since=days_ago(11).isoformat())
    fill_member(page, 2, role="child", first_name="Iker", last_name="Ejemplo",
                date_of_birth=days_ago(5 * 365).isoformat(), custody_kind="orr_shelter",
                custody_since=days_ago(11).isoformat())
    page.get_by_role("button", name="Open the family").click()
    expect(page.locator("#duplicates")).to_contain_text("ALP-001")
    page.get_by_label("I checked: this is a new family").check()
    page.get_by_role("button", name="Open the family").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("ALP-JOURNEY")
    case = Case.objects.get(reference="ALP-JOURNEY")
    noa = case.people.get(first_name="Noa")

    # Rosa was really taken into ICE custody two days earlier: a correction, with its reason.
    page.locator("details.history summary").click()
    page.locator("details.history li", has_text="Rosa Ejemplo").get_by_role("link", name="Correct").click()
    page.get_by_label("From").fill(days_ago(12).isoformat())
    page.get_by_label("Why is this corrected?").fill("The booking record says two days earlier")
    page.get_by_role("button", name="Save").click()
    correction = page.locator("ol.timeline li", has_text="Correction of custody").first
    expect(correction).to_contain_text("Rosa Ejemplo")
    expect(correction).to_contain_text("The booking record says two days earlier")
    expect(correction).to_contain_text("by Alice Abogada")

    # A sponsor for Noa, approved, then Noa released to her.
    form = open_form(page, "Add a sponsor")
    form.get_by_label("For which child").select_option(str(noa.pk))
    form.get_by_label("Name").fill("Marta Ejemplo")
    form.get_by_label("ORR sponsor category").select_option("2B")
    form.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Sponsor added.")
    page.locator("section", has_text="Sponsors").get_by_role("link", name="Edit").first.click()
    page.get_by_role("combobox", name="Vetting").select_option("approved")
    page.get_by_role("button", name="Save").click()
    form = open_form(page, "Record a custody change")
    form.get_by_label("Who").select_option(str(noa.pk))
    form.get_by_label("Now in").select_option("with_sponsor")
    form.get_by_label("Sponsor (for 'with sponsor')").select_option(label="Marta Ejemplo (Approved)")
    form.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Custody recorded.")
    assert Sponsor.objects.get(case=case).status == "released_to_sponsor"

    # A proceeding, a hearing in it, and the hearing's outcome.
    form = open_form(page, "Open a proceeding")
    form.get_by_label("Kind").select_option("immigration_court")
    form.get_by_label("Docket").fill("SND-2026-0042")
    form.get_by_role("button", name="Save").click()
    form = open_form(page, "Schedule a hearing")
    form.get_by_label("Date and time").fill((timezone.localtime() - dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    form.get_by_label("Purpose").fill("Master calendar")
    form.get_by_role("button", name="Save").click()
    page.get_by_role("link", name="Reschedule, cancel or record the outcome").click()
    page.get_by_label("Status").select_option("held")
    page.get_by_label("Outcome").fill("Continued for attorney preparation")
    page.get_by_role("button", name="Save").click()
    hearing = Hearing.objects.get(proceeding__case=case)
    assert (hearing.status, hearing.outcome) == ("held", "Continued for attorney preparation")

    # A volunteer assigned, then the file closed and reopened.
    form = open_form(page, "Assign a member")
    form.get_by_label("Member").select_option(str(victor.pk))
    form.get_by_role("button", name="Save").click()
    expect(page.locator("section", has_text="Assigned to this family")).to_contain_text("victor@example.test")
    form = open_form(page, "Close the file")
    form.get_by_label("Why is the file closed?").fill("Representation transferred to Bayside")
    form.get_by_role("button", name="Save").click()
    expect(page.locator(".page-head")).to_contain_text("File closed on")
    form = open_form(page, "Reopen the file")
    form.get_by_label("Why is the file reopened?").fill("Bayside could not take the case")
    form.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("File reopened.")
    case.refresh_from_db()
    assert case.status == "open"
    assert fits_the_screen(page)
    screenshot(page, "case-journey-phone")
