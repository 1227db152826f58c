"""Fixtures for the API permission matrix: one family with a record of every kind, and a
client per member of the cast (see tests/conftest.py for who is who)."""
from collections.abc import Callable

import pytest
from django.test import Client
from rest_framework.test import APIClient

from .. import cast

ANONYMOUS = "anonymous"


def signed_in(request: pytest.FixtureRequest, client_class: type[Client]) -> Callable[[str], Client]:
    """A maker of fresh clients signed in as a cast member named by fixture ("alice"), or anonymous."""

    def make(who: str) -> Client:
        client = client_class()
        if who != ANONYMOUS:
            client.force_login(request.getfixturevalue(who))
        return client

    return make


@pytest.fixture
def client_for(request: pytest.FixtureRequest) -> Callable[[str], APIClient]:
    """A fresh signed-in API client for a cast member named by fixture, or an anonymous one."""
    return signed_in(request, APIClient)


@pytest.fixture
def family(case, alice, adam, olga, victor, vera, bob, shared_with_bob, charlie, facility):  # noqa: ANN001, ANN201
    """`case` with one record behind every endpoint (tests/cast.py: `family_records`)."""
    return cast.family_records(case, alice, shared_with_bob)


@pytest.fixture
def gamma_case(charlie, gamma):  # noqa: ANN001, ANN201
    """Charlie's own family, so that "not in the list" is never true merely because a list is empty."""
    return cast.gamma_family(charlie, gamma)
