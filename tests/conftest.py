"""The cast, after healthchecks' alice/bob/charlie:

- alice: advocate of Alpha Legal, which owns `case`.
- adam: admin of Alpha Legal.
- olga: organizer of Alpha Legal (reads cases, no PII).
- victor: volunteer of Alpha Legal, assigned to `case` (reads it redacted).
- vera: volunteer of Alpha Legal with no assignment (sees nothing).
- bob: advocate of Beta Law; `case` is shared with him read-only (the read-only collaborator).
- charlie: advocate of Gamma Justice: an outsider to `case`.
"""
import pytest
from rest_framework.test import APIClient

from . import cast


@pytest.fixture
def alpha(db):  # noqa: ANN001, ANN201
    return cast.organization("alpha")


@pytest.fixture
def beta(db):  # noqa: ANN001, ANN201
    return cast.organization("beta")


@pytest.fixture
def gamma(db):  # noqa: ANN001, ANN201
    return cast.organization("gamma")


@pytest.fixture
def alice(alpha):  # noqa: ANN001, ANN201
    return cast.member("alice", alpha)


@pytest.fixture
def adam(alpha):  # noqa: ANN001, ANN201
    return cast.member("adam", alpha)


@pytest.fixture
def olga(alpha):  # noqa: ANN001, ANN201
    return cast.member("olga", alpha)


@pytest.fixture
def vera(alpha):  # noqa: ANN001, ANN201
    return cast.member("vera", alpha)


@pytest.fixture
def bob(beta):  # noqa: ANN001, ANN201
    return cast.member("bob", beta)


@pytest.fixture
def charlie(gamma):  # noqa: ANN001, ANN201
    return cast.member("charlie", gamma)


@pytest.fixture
def facility(db):  # noqa: ANN001, ANN201
    return cast.facility()


@pytest.fixture
def case(alice, alpha, facility):  # noqa: ANN001, ANN201
    """A family: a detained mother with an A-number and a child in an ORR shelter."""
    return cast.family_case(alice, alpha, facility)


@pytest.fixture
def victor(alpha, alice, case):  # noqa: ANN001, ANN201
    return cast.assigned_volunteer(alpha, alice, case)


@pytest.fixture
def shared_with_bob(alice, case, bob):  # noqa: ANN001, ANN201
    return cast.share_with_bob(alice, case, bob)


@pytest.fixture
def api():  # noqa: ANN201
    return APIClient()


@pytest.fixture
def as_user(api):  # noqa: ANN001, ANN201
    def login(user):  # noqa: ANN001, ANN202
        api.force_authenticate(user=None)
        api.force_login(user)
        return api

    return login


@pytest.fixture(scope="session", autouse=True)
def _no_session_left_on_the_test_database(django_db_setup, django_db_blocker):  # noqa: ANN001, ANN202
    """Torn down just before pytest-django drops the process's test database: a connection a
    test's thread or worker process left open (they end with the test, their sessions a moment
    later) would otherwise stop the drop ("is being accessed by other users"), leaving the
    database behind for the next run."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                       "WHERE datname = current_database() AND pid <> pg_backend_pid()")


@pytest.fixture(autouse=True)
def _signed_in_with_both_factors(monkeypatch):  # noqa: ANN001, ANN202
    """In these tests `client.force_login(user)` is a user who passed both factors, as every staff
    member does (admins and advocates must): the session carries the authenticator that verified
    it, set up for the user if they had none. `force_login(user, second_factor=False)` is the
    password alone (tests/test_two_factor.py)."""
    from django.test.client import ClientMixin
    from django_otp import DEVICE_ID_SESSION_KEY

    from .two_factor import authenticator

    password_only = ClientMixin.force_login

    def force_login(self, user, backend=None, *, second_factor=True):  # noqa: ANN001, ANN202
        password_only(self, user, backend)
        if second_factor:
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = authenticator(user).persistent_id
            session.save()

    monkeypatch.setattr(ClientMixin, "force_login", force_login)


@pytest.fixture(autouse=True)
def _fresh_caches():  # noqa: ANN202
    """Rate-limit counters, reused facts and the active language never leak from one test into
    the next (a request in Spanish leaves Spanish active in the thread: LocaleMiddleware
    activates the language of each request and nothing deactivates it)."""
    from django.core.cache import cache
    from django.utils import translation

    from advocacy.letters import render
    from advocacy.targets import clear_directory_caches

    cache.clear()
    render._FACTS_CACHE.clear()
    clear_directory_caches()
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def smtp(settings):  # noqa: ANN001, ANN201
    """A real SMTP server on loopback, with Django's SMTP backend pointed at it."""
    from .smtp import SmtpServer

    with SmtpServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", server.port, 10
        yield server.handler


@pytest.fixture
def document_store(settings, tmp_path):  # noqa: ANN001, ANN201
    """Families' documents and printable summaries go to a fresh directory of this test's own."""
    location = tmp_path / "documents"
    settings.STORAGES = {**settings.STORAGES, "documents": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(location)}}}
    return location
