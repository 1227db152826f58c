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

from accounts.roles import Role
from cases import services

from . import factories as f


@pytest.fixture
def alpha(db):  # noqa: ANN001, ANN201
    return f.organization("Alpha Legal")


@pytest.fixture
def beta(db):  # noqa: ANN001, ANN201
    return f.organization("Beta Law")


@pytest.fixture
def gamma(db):  # noqa: ANN001, ANN201
    return f.organization("Gamma Justice")


@pytest.fixture
def alice(alpha):  # noqa: ANN001, ANN201
    return f.member(alpha, Role.ADVOCATE, "alice@example.test")


@pytest.fixture
def adam(alpha):  # noqa: ANN001, ANN201
    return f.member(alpha, Role.ADMIN, "adam@example.test")


@pytest.fixture
def olga(alpha):  # noqa: ANN001, ANN201
    return f.member(alpha, Role.ORGANIZER, "olga@example.test")


@pytest.fixture
def vera(alpha):  # noqa: ANN001, ANN201
    return f.member(alpha, Role.VOLUNTEER, "vera@example.test")


@pytest.fixture
def bob(beta):  # noqa: ANN001, ANN201
    return f.member(beta, Role.ADVOCATE, "bob@example.test")


@pytest.fixture
def charlie(gamma):  # noqa: ANN001, ANN201
    return f.member(gamma, Role.ADVOCATE, "charlie@example.test")


@pytest.fixture
def facility(db):  # noqa: ANN001, ANN201
    return f.FacilityFactory(name="Imperial Regional Detention Facility")


@pytest.fixture
def case(alice, alpha, facility):  # noqa: ANN001, ANN201
    """A family: a detained mother with an A-number and a child in an ORR shelter."""
    c = f.make_case(alice, alpha, reference="ALP-001")
    mother = f.make_person(alice, c, role="parent", first_name="Ana", a_number="A-201-555-019")
    f.detain(alice, mother, facility=facility, days_ago=40)
    child = f.make_person(alice, c, role="child", first_name="Lucía")
    f.detain(alice, child, days_ago=35, kind="orr_shelter")
    return c


@pytest.fixture
def victor(alpha, alice, case):  # noqa: ANN001, ANN201
    user = f.member(alpha, Role.VOLUNTEER, "victor@example.test")
    services.assignment_create(actor=alice, case=case, user=user)
    return user


@pytest.fixture
def shared_with_bob(alice, case, bob):  # noqa: ANN001, ANN201
    return services.share_create(actor=alice, case=case, access="view", user=bob)


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
    """Rate-limit counters and reused facts never leak from one test into the next."""
    from django.core.cache import cache

    from advocacy.letters import render
    from advocacy.targets import clear_directory_caches

    cache.clear()
    render._FACTS_CACHE.clear()
    clear_directory_caches()
    yield


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
