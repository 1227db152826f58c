"""A module's read-only world, built once and rolled back to before every test.

Most of a permission matrix's time went into building the same cast and family for each of its
hundreds of tests (about 100 ms each). A module that imports these fixtures instead of the
per-test ones in tests/conftest.py gets the same people and records (tests/cast.py builds both),
but built once per module and worker:

- `module_world(build, names)` makes the fixtures. Its `_module_world` builds the objects inside
  a transaction that stays open for the module and is rolled back after its last test, so
  nothing outlives the module.
- Each test runs, as before, in pytest-django's own transaction (a savepoint inside that one),
  so whatever a test writes is rolled back before the next test.
- Each test gets its own deep copy of the built objects, as Django's `TestCase.setUpTestData`
  gives, so a test that changes an instance in memory does not change the next test's.

Only for modules whose tests all run in a transaction (`django_db`, not `transaction=True`, no
live server or second connection): those need the database empty between tests, and a test of
theirs in such a module is refused with a message saying so.
"""
import copy
from collections.abc import Callable
from types import SimpleNamespace

import pytest
from django.db import transaction

from . import cast

NAMES = ("alpha", "beta", "gamma", *cast.MEMBERS, "facility", "case", "victor", "shared_with_bob", "family",
         "gamma_case")


def module_world(build: Callable[[], SimpleNamespace], names: tuple[str, ...]) -> dict:
    """The fixtures that give a module `build()`'s objects under `names`, built once per module."""

    # autouse: every test of the module sees the world, whether or not it asks for part of it, so
    # what a test sees never depends on which test ran before it.
    @pytest.fixture(scope="module", name="_module_world", autouse=True)
    def built_once(django_db_setup, django_db_blocker):  # noqa: ANN001, ANN202
        with django_db_blocker.unblock(), transaction.atomic():
            built = build()
            yield built
            transaction.set_rollback(True)

    @pytest.fixture(name="_world")
    def copied(_module_world: SimpleNamespace, db) -> SimpleNamespace:  # noqa: ANN001
        return copy.deepcopy(_module_world)

    @pytest.fixture(autouse=True, name="_no_transactional_test_beside_the_world")
    def refuse_transactional(request: pytest.FixtureRequest) -> None:
        marker = request.node.get_closest_marker("django_db")
        if (marker and marker.kwargs.get("transaction")) or {"transactional_db", "live_server"} & set(
                request.fixturenames):
            raise pytest.UsageError(f"{request.node.nodeid} needs the database empty between tests, so it cannot "
                                    "share a module with a world built once (tests/world.py): move it to another module.")

    def taken_from_world(name: str):  # noqa: ANN202
        @pytest.fixture(name=name)
        def fixture(_world: SimpleNamespace):  # noqa: ANN202
            return getattr(_world, name)

        fixture.__doc__ = f"`{name}` of the module's world, a fresh copy for each test."
        return fixture

    return {"_module_world": built_once, "_world": copied, "_no_transactional_test_beside_the_world": refuse_transactional,
            **{name: taken_from_world(name) for name in names}}


# The cast of tests/conftest.py, the family with a record of every kind and gamma's family
# (tests/api/conftest.py): `from tests.world import *` in a module gives it these, built once.
FAMILY_WORLD = module_world(cast.everyone, NAMES)
globals().update(FAMILY_WORLD)
__all__ = list(FAMILY_WORLD)
