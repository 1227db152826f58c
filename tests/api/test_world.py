"""tests/world.py: a module's world is built once, yet every test starts from it as built. Each of
the two runs below first checks that nothing of the other's is left (whichever runs second on a
worker would see it), then writes to the database and changes the objects it was given."""
import pytest

from accounts.models import Organization
from cases import services
from cases.models import CaseShare, Note
from tests.world import *  # noqa: F403  (the cast and the family, built once for the module)

pytestmark = pytest.mark.django_db

NOTE = "Written by one test of tests/api/test_world.py only."
SUMMARY = "Mother asks about her daughter at every call."  # what tests/cast.py wrote


@pytest.mark.parametrize("run", ["first", "second"])
def test_each_test_starts_from_the_world_as_built(run, family, alice, bob, client_for):  # noqa: ANN001
    # As built: one of each organisation (a world left over from another module would make two),
    # the family's summary and bob's share, and none of the other run's changes.
    assert sorted(Organization.objects.values_list("name", flat=True)) == ["Alpha Legal", "Beta Law", "Gamma Justice"]
    assert not Note.objects.filter(body=NOTE).exists()
    assert family.case.summary == SUMMARY and alice.first_name != run
    assert CaseShare.objects.filter(case=family.case, user=bob, revoked_at__isnull=True).exists()
    assert client_for("bob").get(f"/api/v1/cases/{family.case.pk}/").status_code == 200

    services.note_create(actor=alice, case=family.case, body=NOTE)
    services.share_revoke(actor=alice, share=family.share)
    assert client_for("bob").get(f"/api/v1/cases/{family.case.pk}/").status_code == 404
    family.case.summary = f"changed in memory by the {run} run"
    alice.first_name = run
