"""An advocate adds a security key and signs in with it, in real Chromium with a virtual
authenticator (Chrome DevTools' WebAuthn domain: a real CTAP2 ceremony, only the key is simulated).
The key stands in for the app's code after the password, never for the password."""
import pytest
from playwright.sync_api import expect

from accounts.models import AccessEvent, User
from tests.api.conftest import family  # noqa: F401

from .conftest import PASSWORD, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_advocate_adds_a_security_key_and_signs_in_with_it(open_page, family, live_server, settings):  # noqa: ANN001, F811
    from django_otp_webauthn.models import WebAuthnCredential

    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]
    page = open_page()
    devtools = page.context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    devtools.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "usb", "hasResidentKey": True, "hasUserVerification": True,
        "isUserVerified": True}})

    sign_in(page, "alice@example.test")  # password and the app's code
    page.goto("/accounts/two-factor/")
    page.get_by_role("button", name="Add a security key").click()
    alice = User.objects.get(email="alice@example.test")
    for _ in range(50):
        if WebAuthnCredential.objects.filter(user=alice, confirmed=True).exists():
            break
        page.wait_for_timeout(200)
    assert WebAuthnCredential.objects.filter(user=alice, confirmed=True).count() == 1
    page.goto("/accounts/two-factor/")
    expect(page.locator("ul.keys li")).to_have_count(1)

    page.get_by_role("button", name="Sign out").click()
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("alice@example.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/accounts/two-factor/**")
    page.get_by_role("button", name="Use my security key").click()
    expect(page.get_by_role("heading", name="Families needing attention")).to_be_visible()
    whats = list(AccessEvent.objects.filter(user=alice, kind__in=["two_factor_changed", "second_factor"])
                 .values_list("kind", "what"))
    assert ("two_factor_changed", "security key added") in whats and ("second_factor", "security key") in whats
