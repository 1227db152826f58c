"""Brute force: after 20 wrong passwords an account's sign-in is refused for a cool-off period, even
with the right password - on the sign-in page and at the token endpoint, whatever
`X-Forwarded-For` says - the user is told plainly, and an admin can unlock. The client's address
comes from one configured source for every limit (the direct peer unless a header is named)."""
import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import timezone

from accounts.client_ip import client_ip

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"  # tests/factories.py
LIMIT = 20


def sign_in(client: Client, email: str, password: str, n: int = 0):  # noqa: ANN201
    # A different X-Forwarded-For on every request: it must not reset or dodge the count.
    return client.post("/accounts/login/", {"username": email, "password": password},
                       HTTP_X_FORWARDED_FOR=f"198.51.100.{n % 250}")


def token(client: Client, email: str, password: str, n: int = 0):  # noqa: ANN201
    # Each attempt from another peer address too (past the endpoint's per-address throttle): the
    # account's own count still locks it.
    client.defaults["REMOTE_ADDR"] = f"192.0.2.{n % 250}"
    return client.post("/api/v1/auth/token/", {"email": email, "password": password},
                       content_type="application/json", HTTP_X_FORWARDED_FOR=f"203.0.113.{n % 250}")


def test_twenty_wrong_passwords_lock_the_page_sign_in_even_with_the_right_password(alice):  # noqa: ANN001
    client = Client()
    for n in range(LIMIT - 1):
        assert sign_in(client, "alice@example.test", "wrong", n).status_code == 200
    assert sign_in(Client(), "alice@example.test", PASSWORD).status_code == 302  # 19 misses: still open
    client = Client()
    for n in range(LIMIT):
        sign_in(client, "alice@example.test", "wrong", n)
    browser = Client()
    refused = sign_in(browser, "alice@example.test", PASSWORD)
    assert refused.status_code == 429
    body = refused.content.decode()
    assert "Too many failed sign-ins" in body and "alice@example.test" not in body
    assert "_auth_user_id" not in browser.session  # nothing signed in
    assert browser.get("/cases/").status_code == 302
    # After the cool-off, the right password works again.
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=31)):
        assert sign_in(Client(), "alice@example.test", PASSWORD).status_code == 302


def test_the_token_endpoint_locks_the_same_way_and_issues_no_token(alice):  # noqa: ANN001
    from knox.models import AuthToken

    client = Client()
    for n in range(LIMIT - 1):
        assert token(client, "alice@example.test", "wrong", n).status_code == 400
    assert token(client, "alice@example.test", "wrong", LIMIT).status_code == 429  # the 20th locks
    refused = token(Client(), "alice@example.test", PASSWORD, LIMIT + 1)
    assert refused.status_code == 429 and refused["Retry-After"] == "1800"
    assert "Too many failed sign-ins" in refused.json()["detail"] and "alice" not in refused.content.decode()
    assert not AuthToken.objects.filter(user=alice).exists()


def test_an_admin_unlocks_an_account(alice):  # noqa: ANN001
    client = Client()
    for n in range(LIMIT):
        sign_in(client, "alice@example.test", "wrong", n)
    assert sign_in(Client(), "alice@example.test", PASSWORD).status_code == 429
    call_command("axes_reset_username", "alice@example.test", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert sign_in(Client(), "alice@example.test", PASSWORD).status_code == 302


def test_one_account_locked_out_does_not_lock_another_from_a_different_address(alice, bob):  # noqa: ANN001
    client = Client(REMOTE_ADDR="192.0.2.10")
    for n in range(LIMIT):
        client.post("/accounts/login/", {"username": "alice@example.test", "password": "wrong"})
    other = Client(REMOTE_ADDR="192.0.2.99")
    assert other.post("/accounts/login/", {"username": "bob@example.test", "password": PASSWORD}).status_code == 302


def test_the_client_address_is_the_peer_unless_a_header_is_configured(rf) -> None:  # noqa: ANN001
    request = rf.get("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="198.51.100.7", HTTP_X_REAL_IP="198.51.100.8")
    assert client_ip(request) == "192.0.2.1"
    with override_settings(CLIENT_IP_META_KEY="HTTP_X_REAL_IP"):
        assert client_ip(request) == "198.51.100.8"


def test_password_reset_is_limited_per_address_and_per_email_and_says_so(alice, mailoutbox):  # noqa: ANN001
    # 3 an hour for one email address, from anywhere; 10 an hour from one client address.
    for n in range(3):
        r = Client(REMOTE_ADDR=f"192.0.2.{n}").post("/accounts/password_reset/", {"email": "alice@example.test"})
        assert r.status_code == 302
    refused = Client(REMOTE_ADDR="192.0.2.50").post("/accounts/password_reset/", {"email": "ALICE@example.test"})
    assert refused.status_code == 429 and "Too many password reset requests" in refused.content.decode()
    assert len(mailoutbox) == 3
    client = Client(REMOTE_ADDR="192.0.2.200")
    for n in range(10):  # ten addresses, known or not: the same answer
        assert client.post("/accounts/password_reset/", {"email": f"someone{n}@example.test"}).status_code == 302
    assert client.post("/accounts/password_reset/", {"email": "bob@example.test"}).status_code == 429


@pytest.mark.parametrize("who", ["adam", "vera", "charlie"])
def test_an_organisation_admin_unlocks_a_member_and_no_one_else_can(request, alice, adam, vera, charlie, who):  # noqa: ANN001
    # alice (Alpha's advocate) is locked out. adam: Alpha's admin; vera: an Alpha volunteer, not an
    # admin; charlie: another organisation.
    from accounts.models import Membership

    for n in range(LIMIT):  # from 20 different peers: the account's count is their sum
        sign_in(Client(REMOTE_ADDR=f"192.0.2.{n + 1}"), "alice@example.test", "wrong", n)
    membership = Membership.objects.get(user=alice)
    page = Client()
    page.force_login(request.getfixturevalue(who))
    if who == "adam":
        assert "sign-in paused" in page.get("/members/").content.decode()
    r = page.post("/members/", {"do": "unlock", "membership": membership.pk})
    assert r.status_code == (302 if who == "adam" else 404)
    works = sign_in(Client(REMOTE_ADDR="192.0.2.77"), "alice@example.test", PASSWORD).status_code
    assert works == (302 if who == "adam" else 429)
