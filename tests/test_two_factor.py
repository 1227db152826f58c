"""Two-factor sign-in. The rule (issue 11): every role that reads PII (organisation admins and
advocates), Django staff and anyone a case was shared with in person pass a second factor before
any page or API call works; organizers and volunteers may use one, and must when their
organisation's admin requires it; an authenticator app (TOTP, RFC 6238) and recovery codes good
once. Codes here are computed from the secret the way a phone's app does (tests/two_factor.py)."""
import re
import time

import pytest
from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts import two_factor
from accounts.models import Organization
from accounts.roles import Role
from cases.models import Case

from . import factories as f
from .two_factor import authenticator, code, enrol, fresh_code

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"  # tests/factories.py
TWO_FACTOR = "/accounts/two-factor/"


def password_only(user) -> Client:  # noqa: ANN001
    """Signed in on the sign-in page with the password, nothing more."""
    client = Client()
    response = client.post("/accounts/login/", {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def body(response) -> str:  # noqa: ANN001
    return response.content.decode()


# --- Who must ----------------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["alice", "adam"])
def test_a_pii_role_with_the_password_alone_reaches_no_page_and_no_api(request, who, case):  # noqa: ANN001
    user = request.getfixturevalue(who)
    client = password_only(user)
    for url in ("/", "/cases/", f"/cases/{case.pk}/", "/actions/", "/members/", f"/cases/{case.pk}/edit/person/"
                f"{case.people.first().pk}/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(f"{TWO_FACTOR}?next="), url
        assert "Ana" not in body(response) and "A-201" not in body(response)
    for url in ("/api/v1/cases/", f"/api/v1/cases/{case.pk}/", "/api/v1/people/", "/api/v1/me/"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert response.json()["code"] == "two_factor_required"
        assert "Ana" not in body(response)
    # A write is refused too, and changes nothing.
    version = case.version
    response = client.patch(f"/api/v1/cases/{case.pk}/", {"summary": "changed", "version": version},
                            content_type="application/json")
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.version == version and case.summary != "changed"
    # Without an authenticator the two-factor page sends them to set one up.
    assert client.get(TWO_FACTOR)["Location"].startswith("/accounts/two-factor/setup/")


def test_django_staff_must_pass_the_second_factor_before_the_admin(db):  # noqa: ANN001
    staff = f.UserFactory(email="root@example.test", is_staff=True, is_superuser=True)
    response = password_only(staff).get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith(TWO_FACTOR)


def test_someone_a_case_was_shared_with_in_person_must_use_it(alice, case, gamma):  # noqa: ANN001
    from cases import services

    volunteer = f.member(gamma, Role.VOLUNTEER, "gus@example.test")
    assert not two_factor.must_use(volunteer)
    services.share_create(actor=alice, case=case, access="view", user=volunteer)  # a share carries PII
    assert two_factor.must_use(volunteer)
    assert password_only(volunteer).get(f"/cases/{case.pk}/")["Location"].startswith(TWO_FACTOR)


@pytest.mark.parametrize("who", ["olga", "vera"])
def test_organizers_and_volunteers_may_sign_in_with_the_password_alone(request, who):  # noqa: ANN001
    client = password_only(request.getfixturevalue(who))
    assert client.get("/").status_code == 200
    assert client.get("/api/v1/me/").status_code == 200
    page = client.get(TWO_FACTOR)
    assert page.status_code == 200 and "Set up two-factor sign-in" in body(page)


def test_an_organisation_admin_can_require_it_of_every_member(adam, olga, vera, alpha):  # noqa: ANN001
    admin = Client()
    admin.force_login(adam)
    response = admin.post("/members/", {"do": "require-two-factor", "required": "yes"})
    assert response.status_code == 302
    assert Organization.objects.get(pk=alpha.pk).require_two_factor
    for user in (olga, vera):
        assert password_only(user).get("/")["Location"].startswith(TWO_FACTOR)
    admin.post("/members/", {"do": "require-two-factor"})  # unticked
    assert not Organization.objects.get(pk=alpha.pk).require_two_factor
    assert password_only(vera).get("/").status_code == 200


@pytest.mark.parametrize("who", ["alice", "olga", "vera", "charlie"])
def test_only_the_organisations_admin_can_require_it(request, who, alpha):  # noqa: ANN001
    client = Client()
    client.force_login(request.getfixturevalue(who))
    assert client.post("/members/", {"do": "require-two-factor", "required": "yes"}).status_code == 404
    assert not Organization.objects.get(pk=alpha.pk).require_two_factor


# --- Enrolment and sign-in ---------------------------------------------------------------------

def test_an_advocate_enrols_an_authenticator_and_then_signs_in_with_it(alice, case):  # noqa: ANN001
    client = password_only(alice)
    key, codes = enrol(client, next_path=f"/cases/{case.pk}/")
    assert len(codes) == len(set(codes)) == 10
    assert client.get(f"/cases/{case.pk}/").status_code == 200  # this session passed with the first code
    device = TOTPDevice.objects.get(user=alice)
    assert device.confirmed and device.key == key

    client.post("/accounts/logout/")
    again = password_only(alice)
    response = again.get("/cases/")
    assert response["Location"] == f"{TWO_FACTOR}?next=%2Fcases%2F"
    page = again.get(response["Location"])
    assert page.status_code == 200 and 'autocomplete="one-time-code"' in body(page)
    response = again.post(TWO_FACTOR, {"do": "verify", "code": fresh_code(device), "next": "/cases/"})
    assert response.status_code == 302 and response["Location"] == "/cases/"
    assert again.get("/cases/").status_code == 200


def test_a_wrong_code_is_refused_plainly_and_passes_nothing(alice):  # noqa: ANN001
    device = authenticator(alice)
    client = password_only(alice)
    right = code(device.key)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    response = client.post(TWO_FACTOR, {"do": "verify", "code": wrong})
    assert response.status_code == 400
    assert "That code is not right" in body(response)
    assert client.get("/cases/").status_code == 302
    # Straight after a wrong code even the right one waits (django-otp doubles the delay each time).
    response = client.post(TWO_FACTOR, {"do": "verify", "code": right})
    assert response.status_code == 429 and "Too many wrong codes: wait 1 second" in body(response)
    assert client.get("/cases/").status_code == 302
    time.sleep(1.1)
    assert client.post(TWO_FACTOR, {"do": "verify", "code": fresh_code(device)}).status_code == 302
    assert client.get("/cases/").status_code == 200


def test_a_recovery_code_works_once(alice):  # noqa: ANN001
    client = password_only(alice)
    _key, codes = enrol(client)
    client.post("/accounts/logout/")

    first = password_only(alice)
    response = first.post(TWO_FACTOR, {"do": "verify", "code": codes[3].upper()[:4] + " " + codes[3][4:]})
    assert response.status_code == 302  # spaces and capitals as people type them
    assert first.get("/cases/").status_code == 200
    assert StaticToken.objects.filter(device__user=alice).count() == 9

    second = password_only(alice)
    response = second.post(TWO_FACTOR, {"do": "verify", "code": codes[3]})
    assert response.status_code == 400
    assert second.get("/cases/").status_code == 302


def test_a_code_is_good_once(alice):  # noqa: ANN001
    device = authenticator(alice)
    now = fresh_code(device)
    assert password_only(alice).post(TWO_FACTOR, {"do": "verify", "code": now}).status_code == 302
    assert password_only(alice).post(TWO_FACTOR, {"do": "verify", "code": now}).status_code == 400


def test_the_password_alone_cannot_replace_an_authenticator(alice):  # noqa: ANN001
    device = authenticator(alice)
    client = password_only(alice)
    response = client.get("/accounts/two-factor/setup/")
    assert response.status_code == 302 and response["Location"].startswith(TWO_FACTOR)
    response = client.post("/accounts/two-factor/setup/", {"do": "restart"})
    assert response.status_code == 302
    assert list(TOTPDevice.objects.filter(user=alice).values_list("pk", "key")) == [(device.pk, device.key)]


def test_new_recovery_codes_replace_the_old(alice):  # noqa: ANN001
    client = password_only(alice)
    _key, old = enrol(client)
    page = client.post(TWO_FACTOR, {"do": "codes"})
    new = re.findall(r"<li><code>([a-z2-7]+)</code></li>", body(page))
    assert len(new) == 10 and not set(new) & set(old)
    assert password_only(alice).post(TWO_FACTOR, {"do": "verify", "code": new[0]}).status_code == 302
    assert password_only(alice).post(TWO_FACTOR, {"do": "verify", "code": old[0]}).status_code == 400


def test_a_pii_role_cannot_turn_it_off_but_a_volunteer_can(alice, vera):  # noqa: ANN001
    client = password_only(alice)
    enrol(client)
    response = client.post(TWO_FACTOR, {"do": "remove"}, follow=True)
    assert "requires two-factor sign-in" in body(response)
    assert TOTPDevice.objects.filter(user=alice, confirmed=True).exists()

    client = password_only(vera)
    enrol(client)
    assert password_only(vera).get("/")["Location"].startswith(TWO_FACTOR)  # once on, always asked
    client.post(TWO_FACTOR, {"do": "remove"})
    assert not TOTPDevice.objects.filter(user=vera).exists()
    assert password_only(vera).get("/").status_code == 200


def test_the_enrolment_page_works_in_spanish_on_a_phone(alice):  # noqa: ANN001
    alice.language = "es"
    alice.save(update_fields=["language"])
    page = password_only(alice).get("/accounts/two-factor/setup/")
    text = body(page)
    assert "Configurar el inicio de sesión en dos pasos" in text
    assert 'href="otpauth://totp/' in text  # a phone opens its authenticator app from the link
    assert "<svg" in text  # and another phone can scan the code
    assert 'name="viewport" content="width=device-width' in text


# --- An admin resets a member who lost their phone ----------------------------------------------

def test_an_admin_resets_a_members_second_factor(adam, alice, alpha):  # noqa: ANN001
    authenticator(alice)
    admin = Client()
    admin.force_login(adam)
    membership = alice.memberships.get(organization=alpha)
    response = admin.post("/members/", {"do": "reset-two-factor", "membership": membership.pk})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=alice).exists()
    # At her next sign-in she sets up a new one.
    assert password_only(alice).get(TWO_FACTOR)["Location"].startswith("/accounts/two-factor/setup/")


@pytest.mark.parametrize("who", ["alice", "olga", "vera", "bob", "charlie"])
def test_nobody_but_the_organisations_admin_resets_it(request, who, adam, alpha, bob):  # noqa: ANN001
    device = authenticator(adam)
    client = Client()
    client.force_login(request.getfixturevalue(who))
    membership = adam.memberships.get(organization=alpha)
    assert client.post("/members/", {"do": "reset-two-factor", "membership": membership.pk}).status_code == 404
    assert TOTPDevice.objects.filter(pk=device.pk).exists()


# --- API tokens -----------------------------------------------------------------------------------

def exchange(email: str, code_: str = "") -> object:
    return APIClient().post("/api/v1/auth/token/", {"email": email, "password": PASSWORD, "code": code_},
                            format="json")


def test_a_token_needs_both_factors(alice, case):  # noqa: ANN001
    response = exchange(alice.email)
    assert response.status_code == 403 and response.json()["code"] == "two_factor_required"  # none set up
    device = authenticator(alice)
    missing = exchange(alice.email)
    assert missing.status_code == 400 and "code" in missing.json()
    wrong = exchange(alice.email, "000000" if code(device.key) != "000000" else "111111")
    assert wrong.status_code == 400 and "code" in wrong.json()
    assert not AuthToken.objects.filter(user=alice).exists()
    time.sleep(1.1)  # wrong codes slow the next try down (django-otp)
    response = exchange(alice.email, fresh_code(device))
    assert response.status_code == 200
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert client.get(f"/api/v1/cases/{case.pk}/").status_code == 200


def test_a_token_from_before_the_rule_reached_its_user_stops_working(vera, alpha, adam):  # noqa: ANN001
    response = exchange(vera.email)  # a volunteer may use the password alone
    assert response.status_code == 200
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert client.get("/api/v1/me/").status_code == 200
    from accounts import services

    services.membership_change_role(membership=vera.memberships.get(organization=alpha), role=Role.ADVOCATE,
                                    actor=adam)
    response = client.get("/api/v1/cases/")
    assert response.status_code == 403 and "Two-factor" in response.json()["detail"]


def test_setting_up_a_new_authenticator_ends_the_users_tokens(vera):  # noqa: ANN001
    token = exchange(vera.email).json()["token"]
    client = password_only(vera)
    enrol(client)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/me/").status_code == 401


# --- The demo ---------------------------------------------------------------------------------------

def test_every_demo_login_can_pass_the_second_factor_from_what_make_run_prints(settings):  # noqa: ANN001
    import base64
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("load_demo", stdout=out)
    printed = dict(re.findall(r"(\S+@\S+\.demo)\s+\S+\s+([A-Z2-7]{32})", out.getvalue()))
    assert len(printed) == 12
    for email, secret in printed.items():
        client = Client()
        assert client.post("/accounts/login/", {"username": email, "password": "demo-pass-2019"}).status_code == 302
        key = base64.b32decode(secret).hex()
        response = client.post(TWO_FACTOR, {"do": "verify", "code": code(key)})
        assert response.status_code == 302, email
        assert client.get("/").status_code == 200, email
    assert Case.objects.count() > 0


def test_the_development_server_shows_a_demo_logins_code_and_nobody_elses(settings, alice):  # noqa: ANN001
    from django.core.management import call_command

    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    settings.DEBUG = True
    demo = Client()
    demo.post("/accounts/login/", {"username": "advocate@frontera.demo", "password": "demo-pass-2019"})
    shown = re.search(r'id="demo-code">.*?<code>(\d{6})</code>', body(demo.get(TWO_FACTOR)), re.S).group(1)
    assert demo.post(TWO_FACTOR, {"do": "verify", "code": shown}).status_code == 302

    authenticator(alice)
    assert 'id="demo-code"' not in body(password_only(alice).get(TWO_FACTOR))
    settings.DEBUG = False
    other = Client()
    other.post("/accounts/login/", {"username": "admin@frontera.demo", "password": "demo-pass-2019"})
    assert 'id="demo-code"' not in body(other.get(TWO_FACTOR))


# --- Security keys (django-otp-webauthn) -----------------------------------------------------------

def a_key(user, name: str = "Blue key"):  # noqa: ANN001, ANN201
    """A registered key as the library stores it (the ceremony itself runs in the browser test,
    tests/browser/test_security_key_journey.py)."""
    from django_otp_webauthn.models import WebAuthnCredential

    return WebAuthnCredential.objects.create(
        user=user, name=name, confirmed=True, credential_id=f"cred-{user.pk}-{name}".encode(),
        public_key=b"\x00" * 32, aaguid="00000000-0000-0000-0000-000000000000")


def test_the_password_alone_cannot_add_a_security_key_to_an_account_with_an_authenticator(alice):  # noqa: ANN001
    from django_otp_webauthn.models import WebAuthnCredential

    authenticator(alice)
    client = password_only(alice)
    response = client.post("/accounts/two-factor/keys/registration/begin/", content_type="application/json")
    assert response.status_code == 403
    assert not WebAuthnCredential.objects.filter(user=alice).exists()
    # Verifying with a key is open to that session (it is the second step), and answers a challenge.
    a_key(alice)
    response = client.post("/accounts/two-factor/keys/authentication/begin/", content_type="application/json")
    assert response.status_code == 200 and "challenge" in response.json()


def test_a_member_removes_their_own_key_and_no_one_elses(alice, bob):  # noqa: ANN001
    from django_otp_webauthn.models import WebAuthnCredential

    mine, theirs = a_key(alice), a_key(bob)
    client = Client()
    client.force_login(alice)
    assert client.post(TWO_FACTOR, {"do": "remove-key", "key": theirs.pk}).status_code == 404
    assert client.post(TWO_FACTOR, {"do": "remove-key", "key": mine.pk}).status_code == 302
    assert list(WebAuthnCredential.objects.values_list("pk", flat=True)) == [theirs.pk]


def test_a_key_alone_asks_for_the_second_step_and_a_reset_removes_keys(vera, adam, alpha):  # noqa: ANN001
    from django_otp_webauthn.models import WebAuthnCredential

    a_key(vera)  # a volunteer need not, but once she has a key she uses it
    assert password_only(vera).get("/")["Location"].startswith(TWO_FACTOR)
    admin = Client()
    admin.force_login(adam)
    admin.post("/members/", {"do": "reset-two-factor", "membership": vera.memberships.get(organization=alpha).pk})
    assert not WebAuthnCredential.objects.filter(user=vera).exists()
