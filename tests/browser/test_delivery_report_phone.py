"""The delivery report on a phone, in real Chromium: the table's column headings are hidden there,
so each count names its status; and the organizer fixes a failing office's address and sends its
letters again from the phone. Desktop shows the counts under their headings instead."""
import pytest
from playwright.sync_api import expect

from advocacy.models import Letter
from tests.advocacy.conftest import action, congress, consented_case, director, draft, sign  # noqa: F401

from .conftest import DESKTOP, PHONE, sign_in
from .test_journeys import fits_the_screen

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def failing(action, director, smtp):  # noqa: ANN001, ANN201, F811
    """Two letters to the director refused by the office's mail server (a wrong address)."""
    smtp.refuse[director.email] = "550 5.1.1 No such user"
    for n in range(2):
        sign(action, email=f"s{n}@example.org")  # committed: the (in-process) worker delivers at once
    assert list(Letter.objects.filter(decision_maker=director).values_list("status", flat=True)) == ["failed"] * 2
    return action


def test_on_a_phone_each_count_names_its_status_and_the_letters_go_again(open_page, failing, director, olga,
                                                                         smtp):  # noqa: ANN001, F811
    page = open_page(viewport=PHONE)
    sign_in(page, "olga@example.test")
    page.goto(f"/actions/{failing.pk}/")
    row = page.locator("#h-report").locator("..").locator("tr", has_text="Field Office Director")
    expect(row).to_contain_text("Not delivered: 2")
    expect(row).to_contain_text("Sent or delivered: 0")
    assert fits_the_screen(page)

    row.get_by_role("link", name="Edit this office's address").click()
    page.get_by_label("Email").fill("fod.sandiego@ice.example")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved.")).to_be_visible()  # back on the action's page
    row = page.locator("#h-report").locator("..").locator("tr", has_text="Field Office Director")
    row.get_by_role("button", name="Retry 2 letters").click()
    expect(page.get_by_text("2 letters are being sent again.")).to_be_visible()
    assert len(smtp.to("fod.sandiego@ice.example")) == 2


def test_on_a_desktop_the_headings_name_the_counts(open_page, failing):  # noqa: ANN001
    page = open_page(viewport=DESKTOP)
    sign_in(page, "olga@example.test")
    page.goto(f"/actions/{failing.pk}/")
    row = page.locator("#h-report").locator("..").locator("tr", has_text="Field Office Director")
    assert "Not delivered:" not in row.inner_text()
    expect(page.get_by_role("columnheader", name="Not delivered")).to_be_visible()
