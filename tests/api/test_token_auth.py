"""API tokens: exchange email and password for a token, then send `Authorization: Token <key>`."""
import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.models import User
from accounts.two_factor import recovery_codes_new

from ..two_factor import authenticator, fresh_code
from .matrix import ids

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"  # what tests/factories.py sets for every user


@pytest.fixture(autouse=True)
def _fresh_throttle():  # noqa: ANN202
    # The token endpoint is throttled per client address; other tests' attempts must not count here.
    cache.clear()
    yield
    cache.clear()


def obtain(email: str, password: str, code: str | None = None):  # noqa: ANN201
    """Both factors: the password, and the code the user's authenticator app shows now (set up for
    them if they have none); a known user without `code` sends the app's code."""
    user = User.objects.filter(email__iexact=email).first()
    if code is None and user is not None:
        code = fresh_code(authenticator(user))
    return APIClient().post("/api/v1/auth/token/", {"email": email, "password": password, "code": code or ""},
                            format="json")


def test_email_and_password_give_a_token_that_lists_the_cases(family):  # noqa: ANN001
    response = obtain("alice@example.test", PASSWORD)
    assert response.status_code == 200, response.content
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert ids(client.get("/api/v1/cases/")) == [family.case.pk]


def test_asking_again_issues_another_token_and_both_work(family, alice):  # noqa: ANN001
    first = obtain("alice@example.test", PASSWORD).json()
    codes = recovery_codes_new(user=alice)
    second = obtain("alice@example.test", PASSWORD, codes[0]).json()
    assert first["token"] != second["token"] and first["id"] != second["id"]
    for token in (first, second):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token['token']}")
        assert ids(client.get("/api/v1/cases/")) == [family.case.pk]


def test_email_is_matched_case_insensitively(family):  # noqa: ANN001
    assert obtain("Alice@Example.TEST", PASSWORD).status_code == 200


def test_a_token_carries_its_users_permissions_only(family):  # noqa: ANN001
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {obtain('charlie@example.test', PASSWORD).json()['token']}")
    assert ids(client.get("/api/v1/cases/")) == []
    assert client.get(f"/api/v1/cases/{family.case.pk}/").status_code == 404


def test_a_wrong_password_is_400_and_says_nothing_about_the_email(family):  # noqa: ANN001
    wrong_password = obtain("alice@example.test", "Tr0ub4dor&3")
    unknown_email = obtain("nobody@example.test", "Tr0ub4dor&3")
    assert wrong_password.status_code == unknown_email.status_code == 400
    assert wrong_password.json() == unknown_email.json()
    assert "token" not in wrong_password.json()


@pytest.mark.parametrize("header", ["Token not-a-real-key", "Token ", "Bearer abc"])
def test_a_bad_token_is_refused(header, family):  # noqa: ANN001
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    assert client.get("/api/v1/cases/").status_code in (401, 403)


def test_me_reports_who_the_token_belongs_to(family):  # noqa: ANN001
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {obtain('bob@example.test', PASSWORD).json()['token']}")
    body = client.get("/api/v1/me/").json()
    assert body["email"] == "bob@example.test"
    assert [(m["organization_slug"], m["role"]) for m in body["memberships"]] == [("beta-law", "advocate")]
