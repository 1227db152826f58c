"""The API keeps its published contract (issue 11, item 7): schemathesis generates requests from the
OpenAPI schema for every operation, valid and not, sends them to the app in-process as a signed-in
advocate who owns a family, and checks every answer: never a server error, a status code the
schema lists, a body the schema describes. Bounded (a fixed number of examples per operation, a
fixed seed) so CI stays fast and a failure reproduces."""
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from knox.models import AuthToken
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from config.wsgi import application

from .two_factor import authenticator

pytestmark = pytest.mark.django_db

EXAMPLES = 15
_LOADED: dict = {}


@pytest.fixture
def api_schema(db, case):  # noqa: ANN001, ANN201
    """The published schema, read from the app once (it does not change between operations); each
    operation then runs against a database holding one family of alice's."""
    if "schema" not in _LOADED:
        _LOADED["schema"] = schemathesis.openapi.from_wsgi("/api/schema/", application)
    return _LOADED["schema"]


@pytest.fixture
def token(alice) -> str:  # noqa: ANN001
    authenticator(alice)  # an advocate's token needs both factors behind it
    return AuthToken.objects.create(user=alice)[1]


@pytest.fixture(autouse=True)
def _one_connection_for_the_test():
    """The app is called as a WSGI application, whose request signals close the database connection
    after each request: that would end the test's transaction (Django's test client does the same
    as this, for the same reason)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
          phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
def test_every_operation_keeps_the_contract(case, token):  # noqa: ANN001
    case.call_and_validate(headers={"Authorization": f"Token {token}"},
                           checks=[not_a_server_error, status_code_conformance, response_schema_conformance])


def schema_json() -> dict:
    from django.test import Client

    return Client().get("/api/schema/", HTTP_ACCEPT="application/json").json()


@pytest.mark.parametrize(("component", "field"), [
    ("CustodyEpisode", "days_detained"), ("CustodyEpisode", "facility_name"), ("FearProcess", "review_deadline"),
    ("Facility", "field_office_code"), ("Person", "age"), ("Person", "a_number"), ("Person", "first_name"),
    ("CaseShare", "user"), ("CaseShare", "organization"), ("Sponsor", "name"),
])
def test_the_schema_says_which_fields_may_be_null(component, field):  # noqa: ANN001
    # The list: each is null in real answers (released, no review asked, no field office,
    # no date of birth, redacted for a reader without the PII right, a share with an organisation).
    assert schema_json()["components"]["schemas"][component]["properties"][field].get("nullable") is True


def test_every_operation_lists_its_errors():
    paths = schema_json()["paths"]
    for path, operations in paths.items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            public = path == "/api/v1/auth/token/" or path.startswith("/api/v1/public/")
            assert public or {"401", "403"} <= codes, (method, path, codes)
            if "{" in path:
                assert "404" in codes, (method, path)
            if method in ("post", "patch"):
                assert "400" in codes, (method, path)
            for code in codes - {"200", "201", "202", "204"}:
                assert operation["responses"][code]["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/Error"}, (method, path, code)
