"""API tokens (issue 11, item 3): each expires (30 days unless API_TOKEN_DAYS says otherwise), is
listed and can be ended by its owner and by an admin of the owner's organisation, and every token
of a user ends when the password changes or a membership ends. A token that is expired, ended or
from before a password change answers 401, and the API says how to authenticate."""
import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts import services
from accounts.roles import Role
from accounts.two_factor import recovery_codes_new

from . import factories as f
from .two_factor import authenticator

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"  # tests/factories.py


def issue(user) -> dict:  # noqa: ANN001
    """A new token, with both factors (a recovery code: any number of tokens within one TOTP step)."""
    authenticator(user)
    response = APIClient().post("/api/v1/auth/token/", {"email": user.email, "password": PASSWORD,
                                                        "code": recovery_codes_new(user=user)[0]}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def using(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


def works(secret: str) -> bool:
    response = using(secret).get("/api/v1/me/")
    assert response.status_code in (200, 401), response.status_code
    if response.status_code == 401:
        assert response["WWW-Authenticate"] == "Token"
    return response.status_code == 200


def test_a_token_expires_after_30_days(alice):  # noqa: ANN001
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        token = issue(alice)
        assert dt.datetime.fromisoformat(token["expiry"]) == start + dt.timedelta(days=30)
        clock.move_to(start + dt.timedelta(days=29, hours=23))
        assert works(token["token"])
        clock.move_to(start + dt.timedelta(days=30, minutes=1))
        assert not works(token["token"])
        assert using(token["token"]).get("/api/v1/cases/").status_code == 401


def test_the_lifetime_is_configurable(alice, settings):  # noqa: ANN001
    settings.REST_KNOX = {**settings.REST_KNOX, "TOKEN_TTL": dt.timedelta(days=7)}
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert dt.datetime.fromisoformat(issue(alice)["expiry"]) == start + dt.timedelta(days=7)


def test_the_secret_is_shown_once_and_kept_only_as_a_hash(alice):  # noqa: ANN001
    token = issue(alice)
    [row] = AuthToken.objects.filter(user=alice)
    assert token["token"] not in (row.digest, row.token_key) and len(token["token"]) >= 64
    listed = using(token["token"]).get("/api/v1/me/tokens/").json()
    assert token["token"] not in str(listed)


def test_each_exchange_issues_a_new_token_and_the_owner_lists_them(alice, bob):  # noqa: ANN001
    first, second = issue(alice), issue(alice)
    issue(bob)
    assert first["token"] != second["token"]
    rows = using(second["token"]).get("/api/v1/me/tokens/").json()
    assert [(r["id"], r["current"]) for r in rows] == [(second["id"], True), (first["id"], False)]
    assert set(rows[0]) == {"id", "created", "expiry", "current"}


def test_the_owner_ends_a_token_and_only_that_one(alice):  # noqa: ANN001
    first, second = issue(alice), issue(alice)
    assert using(second["token"]).delete(f"/api/v1/me/tokens/{first['id']}/").status_code == 204
    assert not works(first["token"]) and works(second["token"])
    assert using(second["token"]).delete(f"/api/v1/me/tokens/{second['id']}/").status_code == 204
    assert not works(second["token"])


@pytest.mark.parametrize("who", ["bob", "vera", "charlie", "olga"])
def test_nobody_else_ends_a_token_over_the_api(request, who, alice):  # noqa: ANN001
    token = issue(alice)
    other = request.getfixturevalue(who)
    client = APIClient()
    client.force_login(other)
    assert client.delete(f"/api/v1/me/tokens/{token['id']}/").status_code == 404
    assert client.get("/api/v1/me/tokens/").json() == []
    assert works(token["token"])


@pytest.mark.parametrize("bad", ["x", "0" * 12, "0" * 200, "%00"])
def test_a_bad_token_id_is_404(alice, bad):  # noqa: ANN001
    token = issue(alice)
    assert using(token["token"]).delete(f"/api/v1/me/tokens/{bad}/").status_code == 404
    assert works(token["token"])


def test_a_password_change_ends_every_token(alice):  # noqa: ANN001
    tokens = [issue(alice), issue(alice)]
    browser = Client()
    browser.force_login(alice)
    response = browser.post("/accounts/password_change/", {
        "old_password": PASSWORD, "new_password1": "a new passphrase 2026", "new_password2": "a new passphrase 2026"})
    assert response.status_code == 302
    assert not any(works(t["token"]) for t in tokens)
    assert browser.get("/").status_code == 200  # the session that changed it stays signed in


def test_a_reset_password_ends_every_token(alice):  # noqa: ANN001
    token = issue(alice)
    alice.set_password("chosen through a reset link")
    alice.save()
    assert not works(token["token"])


def test_ending_a_membership_ends_the_users_tokens(alice, adam, alpha):  # noqa: ANN001
    token = issue(alice)
    services.membership_deactivate(membership=alice.memberships.get(organization=alpha), actor=adam)
    assert not works(token["token"])


def test_an_organisation_admin_lists_and_ends_a_members_tokens(adam, alice, alpha):  # noqa: ANN001
    first, second = issue(alice), issue(alice)
    admin = Client()
    admin.force_login(adam)
    page = admin.get("/members/").content.decode()
    assert first["id"] in page and second["id"] in page
    assert first["token"] not in page
    membership = alice.memberships.get(organization=alpha)
    response = admin.post("/members/", {"do": "end-token", "membership": membership.pk, "token": first["id"]})
    assert response.status_code == 302
    assert not works(first["token"]) and works(second["token"])


@pytest.mark.parametrize("who", ["alice", "olga", "vera", "charlie", "other_admin"])
def test_nobody_but_the_members_organisation_admin_ends_their_tokens(request, who, adam, alpha, gamma):  # noqa: ANN001
    token = issue(adam)
    user = f.member(gamma, Role.ADMIN, "gina@example.test") if who == "other_admin" else request.getfixturevalue(who)
    client = Client()
    client.force_login(user)
    membership = adam.memberships.get(organization=alpha)
    response = client.post("/members/", {"do": "end-token", "membership": membership.pk, "token": token["id"]})
    assert response.status_code == 404
    assert works(token["token"])


def test_the_owner_sees_and_ends_their_tokens_on_the_security_page(alice):  # noqa: ANN001
    first, second = issue(alice), issue(alice)
    page = Client()
    page.force_login(alice)
    body = page.get("/accounts/two-factor/").content.decode()
    assert first["id"] in body and second["id"] in body and first["token"] not in body
    assert page.post("/accounts/two-factor/", {"do": "end-token", "token": second["id"]}).status_code == 302
    assert works(first["token"]) and not works(second["token"])
    assert page.post("/accounts/two-factor/", {"do": "end-token", "token": second["id"]}).status_code == 404
