"""An advocate sets up two-factor sign-in on a phone, in real Chromium: the password alone leads
only to the setup page; she types the key into her authenticator app (here: the same RFC 6238
computation an app makes), confirms with its code, keeps her recovery codes, and from then on signs
in with the password and the app's code."""
import base64
import re

import pytest
from playwright.sync_api import expect

from accounts.models import User
from tests.api.conftest import family  # noqa: F401

from ..two_factor import code, fresh_code
from .conftest import PASSWORD, PHONE, screenshot
from .test_accessibility import audit
from .test_journeys import fits_the_screen

pytestmark = pytest.mark.django_db(transaction=True)


def password(page, email: str) -> None:  # noqa: ANN001
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_an_advocate_enrols_an_authenticator_on_a_phone_and_signs_in_with_it(open_page, family):  # noqa: ANN001, F811
    page = open_page(viewport=PHONE)
    password(page, "alice@example.test")
    page.wait_for_url("**/accounts/two-factor/setup/**")
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor sign-in")
    assert fits_the_screen(page)
    audit(page, "two-factor setup")
    expect(page.get_by_role("link", name="Open in my authenticator app")).to_have_attribute(
        "href", re.compile(r"^otpauth://totp/"))
    screenshot(page, "two-factor-setup-phone")
    secret = page.locator("#secret").inner_text().replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8)).hex()

    page.get_by_label("Code").fill(code(key))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    assert fits_the_screen(page)
    audit(page, "recovery codes")
    page.get_by_role("link", name="I have saved them: continue").click()
    expect(page.get_by_role("heading", name="Families needing attention")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    password(page, "alice@example.test")
    page.wait_for_url("**/accounts/two-factor/?next=*")
    assert fits_the_screen(page)
    audit(page, "two-factor code")
    device = User.objects.get(email="alice@example.test").totpdevice_set.get(confirmed=True)
    assert device.key == key
    page.get_by_label("Code").fill(fresh_code(device))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Families needing attention")).to_be_visible()
    page.goto(f"/cases/{family.case.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(family.case.reference)
