"""The advocacy modules' world, built once per module (tests/world.py): the cast with `case`
(victor assigned, nothing shared), California's delegation and ZIP codes, the field office
director and the family's story consent. The action itself stays per test: some tests count the
actions they create."""
from types import SimpleNamespace

from tests import cast
from tests.world import module_world

from .conftest import field_office_director, load_congress, story_consent

NAMES = ("alpha", "beta", "gamma", *cast.MEMBERS, "facility", "case", "victor", "congress", "director",
         "consented_case")


def campaign() -> SimpleNamespace:
    w = cast.people_and_case()
    load_congress()
    w.congress = None
    w.director = field_office_director(w.alpha)
    w.consented_case = story_consent(w.alice, w.case)
    return w


CAMPAIGN_WORLD = module_world(campaign, NAMES)
globals().update(CAMPAIGN_WORLD)
__all__ = list(CAMPAIGN_WORLD)
