"""Object permissions on cases, through django-guardian's direct-FK tables.

Every visibility question goes through get_objects_for_user with accept_global_perms=False and
with_superuser=False: a global permission or a superuser flag never opens a family's record.
"""
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from guardian.shortcuts import get_objects_for_user

from accounts.models import OrganizationGroup
from accounts.roles import OWNED_CASE_PERMS

from .models import Case, CaseGroupObjectPermission, CaseUserObjectPermission


def cases_with_perm(user, perm: str, klass: type[Case] | QuerySet[Case] = Case) -> QuerySet[Case]:  # noqa: ANN001
    if not user.is_authenticated or not user.is_active:
        return Case.objects.none()
    return get_objects_for_user(
        user, f"cases.{perm}", klass=klass, accept_global_perms=False, with_superuser=False
    )


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
