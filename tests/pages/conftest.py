"""Fixtures for the staff pages. The family and the cast are the API matrix's (tests/api), so a
page is held to the same outcomes as the endpoint behind it."""
from collections.abc import Callable

import pytest
from django.test import Client

from tests.api.conftest import family, gamma_case, signed_in  # noqa: F401  (fixtures shared with the API matrix)


@pytest.fixture
def page_for(request: pytest.FixtureRequest) -> Callable[[str], Client]:
    """A fresh browser-like client (form posts, not JSON) signed in as a cast member, or anonymous."""
    return signed_in(request, Client)
