"""Fixtures for the case-domain behaviour tests, on top of the cast in tests/conftest.py."""
import pytest

from tests import factories as f

from .helpers import client_for


@pytest.fixture
def mother(case):  # noqa: ANN001, ANN201
    """Ana: in ICE detention at `facility` for 40 days, A-number A-201-555-019."""
    return case.people.get(role="parent")


@pytest.fixture
def child(case):  # noqa: ANN001, ANN201
    """Lucía: in an ORR shelter for 35 days."""
    return case.people.get(role="child")


@pytest.fixture
def alice_api(alice):  # noqa: ANN001, ANN201
    return client_for(alice)


@pytest.fixture
def other_facility(db):  # noqa: ANN001, ANN201
    office = f.FieldOfficeFactory(code="LOS", name="Los Angeles Field Office", city="Los Angeles")
    return f.FacilityFactory(name="Adelanto ICE Processing Center", city="Adelanto", field_office=office)


@pytest.fixture
def olga_api(olga):  # noqa: ANN001, ANN201
    return client_for(olga)
