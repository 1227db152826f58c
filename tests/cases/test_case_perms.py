"""case_perms (one query for every right on a case) answers exactly as has_case_perm does, one
right at a time, for every member of the cast - and never from a global permission or the
superuser flag."""
import pytest
from django.contrib.auth.models import Permission

from accounts.roles import CHANGE, SHARE, VIEW, VIEW_PII
from cases.permissions import case_perms, has_case_perm

pytestmark = pytest.mark.django_db

CAST = ["alice", "adam", "olga", "victor", "vera", "bob", "charlie"]


@pytest.mark.parametrize("who", CAST)
def test_one_query_agrees_with_each_check(request, case, shared_with_bob, who, django_assert_num_queries):  # noqa: ANN001
    user = request.getfixturevalue(who)
    with django_assert_num_queries(1):
        perms = case_perms(user, case)
    assert perms == {p for p in (VIEW, CHANGE, VIEW_PII, SHARE) if has_case_perm(user, p, case)}
    assert (VIEW in perms) is (who not in ("vera", "charlie"))


def test_global_rights_and_superuser_open_nothing(charlie, case):  # noqa: ANN001
    charlie.user_permissions.add(*Permission.objects.filter(codename__in=[VIEW, CHANGE, VIEW_PII, SHARE]))
    charlie.is_superuser = True
    charlie.save()
    assert case_perms(charlie, case) == frozenset()


def test_an_inactive_user_holds_nothing(alice, case):  # noqa: ANN001
    alice.is_active = False
    alice.save()
    assert case_perms(alice, case) == frozenset()


# --- The visible set (cases_with_perm without a narrowing queryset) is one piece of plain SQL -----

@pytest.fixture
def world(alice, alpha, case, shared_with_bob, victor, bob, charlie, gamma):  # noqa: ANN001, ANN201
    """Three more families: one of alpha's shared with gamma (the organisation), one of beta's, one
    of gamma's; beside `case` (alpha's, shared with bob, assigned to the volunteer victor)."""
    from cases import services
    from tests import factories as f

    with_gamma = f.make_case(alice, alpha, reference="ALP-002")
    services.share_create(actor=alice, case=with_gamma, access="view", organization=gamma)
    betas = f.make_case(bob, bob.memberships.get().organization, reference="BET-001")
    gammas = f.make_case(charlie, gamma, reference="GAM-001")
    return {"case": case, "with_gamma": with_gamma, "beta": betas, "gamma": gammas}


@pytest.mark.parametrize("who", CAST)
@pytest.mark.parametrize("perm", [VIEW, CHANGE, VIEW_PII, SHARE])
def test_the_visible_set_is_what_guardian_reads(request, world, who, perm, django_assert_num_queries):  # noqa: ANN001
    """cases_with_perm(user, perm) answers with the cases guardian's own get_objects_for_user finds
    (user rows and group rows, no global permission, no superuser), in one query."""
    from guardian.shortcuts import get_objects_for_user

    from cases.models import Case
    from cases.permissions import cases_with_perm

    user = request.getfixturevalue(who)
    with django_assert_num_queries(1):
        mine = set(cases_with_perm(user, perm).values_list("reference", flat=True))
    guardian = set(get_objects_for_user(user, f"cases.{perm}", klass=Case, use_groups=True,
                                        accept_global_perms=False, with_superuser=False)
                   .values_list("reference", flat=True))
    assert mine == guardian


def test_who_sees_which_family(world, alice, adam, olga, vera, victor, bob, charlie):  # noqa: ANN001
    """By the sharing rules (docs/DESIGN): an organisation's advocates and admin see its families; a
    volunteer only the family assigned to them; a share opens one family to a user or to every
    advocate of another organisation; nothing else."""
    from cases.permissions import cases_with_perm

    def seen(user):  # noqa: ANN001, ANN202
        return set(cases_with_perm(user, VIEW).values_list("reference", flat=True))

    assert seen(alice) == seen(adam) == {"ALP-001", "ALP-002"}
    assert seen(vera) == set()
    assert seen(victor) == {"ALP-001"}
    assert seen(bob) == {"ALP-001", "BET-001"}
    assert seen(charlie) == {"ALP-002", "GAM-001"}
    assert "BET-001" not in seen(olga) and "GAM-001" not in seen(olga)


def test_the_visible_set_ignores_global_rights_and_the_superuser_flag(world, charlie):  # noqa: ANN001
    from cases.permissions import cases_with_perm

    charlie.user_permissions.add(*Permission.objects.filter(codename__in=[VIEW, CHANGE, VIEW_PII, SHARE]))
    charlie.is_superuser = True
    charlie.save()
    assert set(cases_with_perm(charlie, VIEW).values_list("reference", flat=True)) == {"ALP-002", "GAM-001"}
    charlie.is_active = False
    charlie.save()
    assert not cases_with_perm(charlie, VIEW).exists()
