"""Object permissions on cases, through django-guardian's direct-FK tables.

Every visibility question goes through get_objects_for_user with accept_global_perms=False and
with_superuser=False: a global permission or a superuser flag never opens a family's record.
"""
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db.models import F, Lookup, QuerySet, Subquery
from guardian.shortcuts import get_objects_for_user

from accounts.models import OrganizationGroup
from accounts.roles import OWNED_CASE_PERMS

from .models import Case, CaseGroupObjectPermission, CaseUserObjectPermission


class AnyOf(Lookup):
    """`lhs = ANY(ARRAY(subquery))` on PostgreSQL, `lhs IN (subquery)` elsewhere.

    ARRAY(subquery) is computed once, and `id = ANY($1)` is then an index condition on the
    primary key: PostgreSQL fetches exactly the listed cases, whatever its row estimates.
    """

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):  # noqa: ANN001, ANN201
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} IN {rhs}", (*lhs_params, *rhs_params)

    def as_postgresql(self, compiler, connection):  # noqa: ANN001, ANN201
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY(ARRAY{rhs})", (*lhs_params, *rhs_params)


def _permission_id(perm: str) -> Subquery:
    return Subquery(
        Permission.objects.filter(content_type__app_label="cases", content_type__model="case", codename=perm)
        .order_by().values("pk")[:1]
    )


def cases_with_perm(user, perm: str, klass: type[Case] | QuerySet[Case] = Case) -> QuerySet[Case]:  # noqa: ANN001
    """Cases on which `user` holds `perm`, directly or through one of their groups.

    guardian's get_objects_for_user(use_groups=True) filters `id IN (user rows) OR id IN (group
    rows)`; PostgreSQL cannot make a semi-join of an OR, so with ORDER BY id LIMIT 51 it walks the
    whole case table testing each row (17 ms for a 60-case volunteer at 100k cases, growing with
    the table; docs/performance.md). So guardian answers for the user's own rows (use_groups=False:
    a single IN), the group rows are read from guardian's direct-FK group table with the same
    filters guardian would use, and the union is fetched by primary key: the cost follows what the
    caller may see, not the size of the table.
    """
    if not user.is_authenticated or not user.is_active:
        return Case.objects.none()
    by_user = get_objects_for_user(
        user, f"cases.{perm}", klass=klass, use_groups=False, accept_global_perms=False, with_superuser=False
    ).order_by().values("pk")
    by_group = CaseGroupObjectPermission.objects.filter(
        group__in=user.groups.all(), permission=_permission_id(perm)
    )
    if isinstance(klass, QuerySet):
        # A narrowed question (one case, one page): read only those rows, as guardian does.
        by_group = by_group.filter(content_object__in=klass.values("pk"))
    ids = by_user.union(by_group.order_by().values("content_object_id"), all=True)
    base = klass.all() if isinstance(klass, QuerySet) else klass.objects.all()
    return base.filter(AnyOf(F("pk"), ids))


def has_case_perm(user, perm: str, case: Case) -> bool:  # noqa: ANN001
    return cases_with_perm(user, perm, Case.objects.filter(pk=case.pk)).exists()


def require_case_perm(user, perm: str, case: Case) -> None:  # noqa: ANN001
    if not has_case_perm(user, perm, case):
        raise PermissionDenied("You may not do this on this case.")


def _permissions(codenames) -> dict[str, Permission]:  # noqa: ANN001
    return {
        p.codename: p
        for p in Permission.objects.filter(content_type__app_label="cases", codename__in=set(codenames))
    }


def grant_owner_perms(cases: list[Case]) -> None:
    """Give the owning organisation's role groups their role's rights on new cases (bulk)."""
    perms = _permissions({c for codes in OWNED_CASE_PERMS.values() for c in codes})
    groups = OrganizationGroup.objects.filter(organization__in={c.organization_id for c in cases})
    by_org: dict[int, list[OrganizationGroup]] = {}
    for og in groups:
        by_org.setdefault(og.organization_id, []).append(og)
    rows = [
        CaseGroupObjectPermission(group_id=og.group_id, permission=perms[code], content_object=case)
        for case in cases
        for og in by_org.get(case.organization_id, [])
        for code in OWNED_CASE_PERMS[og.role]
    ]
    CaseGroupObjectPermission.objects.bulk_create(rows, ignore_conflicts=True)


def set_user_perms(case: Case, user, codenames: tuple[str, ...]) -> None:  # noqa: ANN001
    """Make the user's direct rights on the case exactly `codenames`."""
    CaseUserObjectPermission.objects.filter(content_object=case, user=user).delete()
    perms = _permissions(codenames)
    CaseUserObjectPermission.objects.bulk_create(
        [CaseUserObjectPermission(user=user, permission=perms[c], content_object=case) for c in codenames]
    )


def set_group_perms(case: Case, group_ids: list[int], codenames: tuple[str, ...]) -> None:
    CaseGroupObjectPermission.objects.filter(content_object=case, group_id__in=group_ids).delete()
    perms = _permissions(codenames)
    CaseGroupObjectPermission.objects.bulk_create(
        [
            CaseGroupObjectPermission(group_id=g, permission=perms[c], content_object=case)
            for g in group_ids
            for c in codenames
        ]
    )
