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
