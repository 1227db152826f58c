"""The case modules' world, built once per module (tests/world.py): the organisations, their
members (no victor: an assignment is history of its own), `facility` and `case` (Ana detained
40 days, Lucía in an ORR shelter), nothing shared."""
from functools import partial

from tests import cast
from tests.world import module_world

NAMES = ("alpha", "beta", "gamma", *cast.MEMBERS, "facility", "case")

CASE_WORLD = module_world(partial(cast.people_and_case, with_victor=False), NAMES)
globals().update(CASE_WORLD)
__all__ = list(CASE_WORLD)
