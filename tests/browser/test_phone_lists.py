"""The families list and a family's page on a phone, in real Chromium: the filters fold away
under "Filter and order" so the families come first (unless a filter is in use), and each cell
whose column heading a phone hides says what it is. At a desk the filters stay open. Families
are fictional."""
import pytest
from playwright.sync_api import expect

from tests.api.conftest import family  # noqa: F401

from .conftest import DESKTOP, PHONE, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_on_a_phone_the_families_come_before_the_filters(open_page, family):  # noqa: ANN001, F811
    page = open_page(viewport=PHONE)
    sign_in(page, "alice@example.test")
    page.goto("/cases/")
    expect(page.get_by_label("Sponsor status")).to_be_hidden()  # folded away
    row = page.locator("tr.case-row", has_text="ALP-001")
    expect(row).to_be_in_viewport()
    expect(row).to_contain_text("Sponsor:")
    expect(row).to_contain_text("Next hearing:")
    page.get_by_text("Filter and order").click()
    page.get_by_label("Sponsor status").select_option("approved")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_label("Sponsor status")).to_be_visible()  # a filter in use stays in sight
    expect(page.locator("details.filter-panel summary")).to_contain_text("filters on")

    page.goto(f"/cases/{family.case.pk}/")  # the family's members: when each custody began
    expect(page.locator("#h-people").locator("..").locator("tr", has_text="Ana")).to_contain_text("Since:")


def test_at_a_desk_the_filters_are_open_and_the_headings_name_the_columns(open_page, family):  # noqa: ANN001, F811
    page = open_page(viewport=DESKTOP)
    sign_in(page, "alice@example.test")
    page.goto("/cases/")
    expect(page.get_by_label("Sponsor status")).to_be_visible()
    assert "Sponsor:" not in page.locator("tr.case-row", has_text="ALP-001").inner_text()
