"""Candidate replacements for cases.permissions.cases_with_perm, measured by bench/case_list.py.

guardian's get_objects_for_user(user, perm, klass=Case) filters

    WHERE id IN (user-permission rows) OR id IN (group-permission rows)

PostgreSQL cannot turn an OR of two IN-subqueries into a semi-join: it runs both subqueries
once into hashes and tests case rows against them. With ORDER BY id DESC LIMIT 51 (the cursor
page) the plan walks the primary key backwards through every case that is not the caller's
until 51 match, so the cost grows with the table, not with what the caller sees.

Each variant keeps the permission decision in guardian's direct-FK tables, takes the same
arguments as cases_with_perm and returns a Case queryset the API can order by -id and paginate.
Like cases_with_perm they ignore global permissions and the superuser flag.
"""
from django.contrib.auth.models import Permission
from django.db.models import F, QuerySet, Subquery
from guardian.shortcuts import get_objects_for_group, get_objects_for_user

from cases.models import Case, CaseGroupObjectPermission, CaseUserObjectPermission
from accounts.objperms import AnyOf  # now the product's own lookup


def cases_with_perm_guardian(user, perm: str, klass: type[Case] | QuerySet[Case] = Case) -> QuerySet[Case]:  # noqa: ANN001
    """The baseline: cases_with_perm as it was up to commit c348a90, guardian's own OR."""
    if not user.is_authenticated or not user.is_active:
        return Case.objects.none()
    return get_objects_for_user(user, f"cases.{perm}", klass=klass, accept_global_perms=False, with_superuser=False)


def _queryset(klass: type[Case] | QuerySet[Case]) -> QuerySet[Case]:
    return klass.all() if isinstance(klass, QuerySet) else klass.objects.all()


def _permission(perm: str) -> Subquery:
    return Subquery(
        Permission.objects.filter(content_type__app_label="cases", content_type__model="case", codename=perm)
        .order_by().values("pk")[:1]
    )


def _permitted_case_ids(user, perm: str, klass: type[Case] | QuerySet[Case]) -> QuerySet:  # noqa: ANN001
    """Ids of the cases the user holds `perm` on, directly or through a group: guardian's two
    row sets as one UNION ALL. The permission is a scalar subquery, evaluated once and used as
    an index condition on guardian's unique (user|group, permission, object) indexes; joined
    instead, PostgreSQL reads every row of the caller's groups for all four case permissions."""
    permission = _permission(perm)
    by_user = CaseUserObjectPermission.objects.filter(user=user, permission=permission)
    by_group = CaseGroupObjectPermission.objects.filter(group__in=user.groups.all(), permission=permission)
    if isinstance(klass, QuerySet):
        # A narrowed question (one case, one page of cases): read only those rows, as guardian does.
        by_user = by_user.filter(content_object__in=klass.values("pk"))
        by_group = by_group.filter(content_object__in=klass.values("pk"))
    return by_user.values("content_object_id").union(by_group.values("content_object_id"), all=True)


def cases_with_perm_array(user, perm: str, klass: type[Case] | QuerySet[Case] = Case) -> QuerySet[Case]:  # noqa: ANN001
    """Recommended: id = ANY(ARRAY(user rows UNION ALL group rows)). Cost follows what the
    caller sees (their permission rows, then those cases by primary key), not the table."""
    if not user.is_authenticated or not user.is_active:
        return Case.objects.none()
    return _queryset(klass).filter(AnyOf(F("pk"), _permitted_case_ids(user, perm, klass)))


def cases_with_perm_guardian_array(user, perm: str, klass: type[Case] | QuerySet[Case] = Case) -> QuerySet[Case]:  # noqa: ANN001
    """The same ANY(ARRAY(...)), with the user's own rows still asked of guardian's
    get_objects_for_user (use_groups=False, so no OR) and the group rows read from guardian's
    group table. Keeps the project's rule "selectors are built on get_objects_for_user" (and
    tests/test_guardian_calls.py) at no measurable cost."""
    if not user.is_authenticated or not user.is_active:
        return Case.objects.none()
    by_user = get_objects_for_user(
        user, f"cases.{perm}", klass=klass, use_groups=False, accept_global_perms=False, with_superuser=False
    ).order_by().values("pk")
    by_group = CaseGroupObjectPermission.objects.filter(group__in=user.groups.all(), permission=_permission(perm))
    if isinstance(klass, QuerySet):
        by_group = by_group.filter(content_object__in=klass.values("pk"))
    ids = by_user.union(by_group.values("content_object_id"), all=True)
    return _queryset(klass).filter(AnyOf(F("pk"), ids))


def cases_with_perm_union(user, perm: str, klass: type[Case] | QuerySet[Case] = Case) -> QuerySet[Case]:  # noqa: ANN001
    """id IN (user rows UNION ALL group rows): a real semi-join, but the planner may still pick
    a merge join against the primary key walked backwards when it overestimates the union
    (it assumes the caller's cases are spread evenly over the id range)."""
    if not user.is_authenticated or not user.is_active:
        return Case.objects.none()
    return _queryset(klass).filter(pk__in=_permitted_case_ids(user, perm, klass))


def cases_with_perm_guardian_union(user, perm: str, klass: type[Case] | QuerySet[Case] = Case) -> QuerySet[Case]:  # noqa: ANN001
    """The union with every branch built by guardian's shortcuts: the user's own rows by
    get_objects_for_user(use_groups=False), one branch per group by get_objects_for_group.
    any_perm=True: with a single permission it means the same, and without it guardian reads
    the group's whole pk list into Python. Costs one query more (the user's groups)."""
    if not user.is_authenticated or not user.is_active:
        return Case.objects.none()
    full = f"cases.{perm}"
    by_user = get_objects_for_user(
        user, full, klass=klass, use_groups=False, accept_global_perms=False, with_superuser=False
    )
    by_groups = [
        get_objects_for_group(group, full, klass=klass, any_perm=True, accept_global_perms=False)
        for group in user.groups.all()
    ]
    ids = by_user.order_by().values("pk").union(*(g.order_by().values("pk") for g in by_groups))
    return _queryset(klass).filter(pk__in=ids)


def case_list_org_prefetched(*, user):  # noqa: ANN001, ANN201
    """cases.selectors.case_list with the organisation prefetched (one more query) instead of
    joined. Joined, PostgreSQL hashes the organisation table and must sort all the caller's cases
    before the LIMIT; without the join, the primary-key scan with `id = ANY(...)` comes out
    already in id order and stops after 51 rows, so even a caller who sees thousands of cases
    reads 51 of them."""
    from django.db.models import Prefetch

    from cases import selectors
    from cases.models import Person

    return selectors.visible_cases(user=user).prefetch_related(
        "organization", Prefetch("people", queryset=Person.objects.prefetch_related(selectors._open_episodes()))
    )


VARIANTS = {
    "guardian": cases_with_perm_guardian,
    "array": cases_with_perm_array,
    "guardian-array": cases_with_perm_guardian_array,
    "union": cases_with_perm_union,
    "guardian-union": cases_with_perm_guardian_union,
    "array+org-prefetch": cases_with_perm_array,
}
# Variants that also replace cases.selectors.case_list.
CASE_LISTS = {"array+org-prefetch": case_list_org_prefetched}
