"""Object permissions on cases, through django-guardian's direct-FK tables (accounts.objperms).

Every visibility question reads guardian's rows only (accounts.objperms): a global permission or a
superuser flag never opens a family's record.
"""
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from accounts import objperms
from accounts.roles import OWNED_CASE_PERMS

from .models import Case, CaseGroupObjectPermission, CaseUserObjectPermission


def cases_with_perm(user, perm: str, klass: type[Case] | QuerySet[Case] = Case) -> QuerySet[Case]:  # noqa: ANN001
    """Cases on which `user` holds `perm`, directly or through one of their groups (see
    objperms.objects_with_perm for why it is not a plain get_objects_for_user)."""
    return objperms.objects_with_perm(user, perm, klass, group_table=CaseGroupObjectPermission,
                                     user_table=CaseUserObjectPermission)


def case_ids_with_perm(user, perm: str, ids: Iterable[int]) -> set[int]:  # noqa: ANN001
    """Which of these cases (already read through cases_with_perm: a page) `user` holds `perm` on."""
    return objperms.ids_with_perm(user, perm, Case, ids, user_table=CaseUserObjectPermission,
                                  group_table=CaseGroupObjectPermission)


def has_case_perm(user, perm: str, case: Case) -> bool:  # noqa: ANN001
    """The rows cases_with_perm reads, for one case, in one plain query: every service call asks this
    before it writes, and guardian's queryset cost about 5 ms to build for a 1 ms answer."""
    return case.pk in case_ids_with_perm(user, perm, [case.pk])


def case_perms(user, case: Case) -> frozenset[str]:  # noqa: ANN001
    """Every right `user` holds on `case` (codenames), in one query: for a page that asks several."""
    return objperms.perms_on(user, case, user_table=CaseUserObjectPermission, group_table=CaseGroupObjectPermission)


def require_case_perm(user, perm: str, case: Case) -> None:  # noqa: ANN001
    if not has_case_perm(user, perm, case):
        raise PermissionDenied("You may not do this on this case.")


def grant_owner_perms(cases: list[Case]) -> None:
    """Give the owning organisation's role groups their role's rights on new cases (bulk)."""
    objperms.grant_role_perms(cases, organization_of="organization", perms_by_role=OWNED_CASE_PERMS,
                              group_table=CaseGroupObjectPermission)


def set_user_perms(case: Case, user, codenames: tuple[str, ...]) -> None:  # noqa: ANN001
    """Make the user's direct rights on the case exactly `codenames`."""
    objperms.set_user_perms(case, user, codenames, user_table=CaseUserObjectPermission)


def set_group_perms(case: Case, group_ids: list[int], codenames: tuple[str, ...]) -> None:
    objperms.set_group_perms(case, group_ids, codenames, group_table=CaseGroupObjectPermission)
