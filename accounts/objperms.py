"""Object permissions through django-guardian's direct foreign-key tables, for every model that
has them (cases, advocacy actions).

Every visibility question reads guardian's own rows (the user's, and their groups') and nothing
else: through get_objects_for_user with accept_global_perms=False and with_superuser=False, or as
the same rows in plain SQL where the ORM cost more than the query (_perm_rows_sql). A global
permission or a superuser flag never opens an object.
"""
from collections.abc import Iterable

from django.contrib.auth.models import Permission
from django.db import connection
from django.db.models import F, Lookup, Model, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from guardian.shortcuts import get_objects_for_user

from .models import OrganizationGroup


class AnyOf(Lookup):
    """`lhs = ANY(ARRAY(subquery))` on PostgreSQL, `lhs IN (subquery)` elsewhere.

    ARRAY(subquery) is computed once, and `id = ANY($1)` is then an index condition on the
    primary key: PostgreSQL fetches exactly the listed rows, whatever its row estimates.
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


def permission_id(model: type[Model], codename: str) -> Subquery:
    meta = model._meta
    return Subquery(
        Permission.objects.filter(
            content_type__app_label=meta.app_label, content_type__model=meta.model_name, codename=codename
        ).order_by().values("pk")[:1]
    )


def objects_with_perm(
    user, perm: str, klass: type[Model] | QuerySet, *,  # noqa: ANN001
    user_table: type[UserObjectPermissionBase], group_table: type[GroupObjectPermissionBase],
) -> QuerySet:
    """Objects on which `user` holds `perm`, directly or through one of their groups.

    guardian's get_objects_for_user(use_groups=True) filters `id IN (user rows) OR id IN (group
    rows)`; PostgreSQL cannot make a semi-join of an OR, so with ORDER BY id LIMIT 51 it walks the
    whole table testing each row (17 ms for a 60-case volunteer at 100k cases, growing with the
    table; docs/performance.md). So guardian answers for the user's own rows (use_groups=False: a
    single IN), the group rows are read from guardian's direct-FK group table with the same filters
    guardian would use, and the union is fetched by primary key: the cost follows what the caller
    may see, not the size of the table.
    """
    model = klass.model if isinstance(klass, QuerySet) else klass
    if not user.is_authenticated or not user.is_active:
        return model.objects.none()
    if not isinstance(klass, QuerySet):
        # Everything the user may see (a list): the same rows as below, as one fixed piece of SQL
        # (_perm_rows_sql) instead of three querysets built and compiled on every request.
        sql, params = _perm_rows_sql(user, perm, model, user_table=user_table, group_table=group_table)
        return model.objects.filter(AnyOf(F("pk"), RawSQL(sql, params)))
    by_user = get_objects_for_user(
        user, f"{model._meta.app_label}.{perm}", klass=klass, use_groups=False,
        accept_global_perms=False, with_superuser=False,
    ).order_by().values("pk")
    by_group = group_table.objects.filter(group__in=user.groups.all(), permission=permission_id(model, perm))
    if isinstance(klass, QuerySet):
        # A narrowed question (one object, one page): read only those rows, as guardian does.
        by_group = by_group.filter(content_object__in=klass.values("pk"))
    ids = by_user.union(by_group.order_by().values("content_object_id"), all=True)
    base = klass.all() if isinstance(klass, QuerySet) else klass.objects.all()
    return base.filter(AnyOf(F("pk"), ids))


def perms_on(
    user, obj: Model, *,  # noqa: ANN001
    user_table: type[UserObjectPermissionBase], group_table: type[GroupObjectPermissionBase],
) -> frozenset[str]:
    """Every codename `user` holds on `obj`, directly or through one of their groups, in one query:
    the rows objects_with_perm reads (no global permissions, no superuser shortcut)."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    direct = user_table.objects.filter(user=user, content_object=obj).order_by()
    grouped = group_table.objects.filter(group__in=user.groups.all(), content_object=obj).order_by()
    return frozenset(direct.values_list("permission__codename", flat=True).union(
        grouped.values_list("permission__codename", flat=True)))


def _perm_rows_sql(
    user, perm: str, model: type[Model], *,  # noqa: ANN001
    user_table: type[UserObjectPermissionBase], group_table: type[GroupObjectPermissionBase],
    among: list[int] | None = None,
) -> tuple[str, list]:
    """The ids of the objects `user` holds `perm` on (of `among` only, if given), directly or through
    one of their groups, as plain SQL and its parameters: the rows guardian reads, with no global
    permission and no superuser shortcut.

    Plain SQL: the ORM spent more time building and compiling these small, fixed queries than
    PostgreSQL spent running them (about 4 ms of a 36 ms case-list request; docs/performance.md).
    The user's groups go in as ANY(ARRAY(...)) on PostgreSQL: one value it cannot misjudge, so for a
    page it reads those objects' rows by the object index; with `group_id IN (subquery)` it read
    every row of a large organisation's group (72,000 at a million cases: 18 ms instead of 4)."""
    through = user.groups.through._meta
    groups = (f'SELECT "{through.get_field("group").column}" FROM "{through.db_table}" '
              f'WHERE "{through.get_field("user").column}" = %s')
    group_match = f"= ANY(ARRAY({groups}))" if connection.vendor == "postgresql" else f"IN ({groups})"
    meta = model._meta
    perm_sql = ('(SELECT p.id FROM auth_permission p JOIN django_content_type ct ON ct.id = p.content_type_id '
                'WHERE ct.app_label = %s AND ct.model = %s AND p.codename = %s)')
    perm_params = [meta.app_label, meta.model_name, perm]
    narrow, ids = "", []
    if among is not None:
        narrow, ids = f" AND content_object_id IN ({', '.join(['%s'] * len(among))})", list(among)
    sql = (f'SELECT content_object_id FROM "{user_table._meta.db_table}" '
           f"WHERE user_id = %s AND permission_id = {perm_sql}{narrow} "
           f'UNION ALL SELECT content_object_id FROM "{group_table._meta.db_table}" '
           f"WHERE group_id {group_match} AND permission_id = {perm_sql}{narrow}")
    return sql, [user.pk, *perm_params, *ids, user.pk, *perm_params, *ids]


def ids_with_perm(
    user, perm: str, model: type[Model], ids: Iterable[int], *,  # noqa: ANN001
    user_table: type[UserObjectPermissionBase], group_table: type[GroupObjectPermissionBase],
) -> set[int]:
    """Which of these objects `user` holds `perm` on, directly or through one of their groups, in one
    query: the rows objects_with_perm reads, for objects the caller has already read through it (a
    page: which of its rows show PII)."""
    ids = sorted(set(ids))
    if not ids or not user.is_authenticated or not user.is_active:
        return set()
    sql, params = _perm_rows_sql(user, perm, model, user_table=user_table, group_table=group_table, among=ids)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0] for row in cursor.fetchall()}


def _permissions(model: type[Model], codenames: Iterable[str]) -> dict[str, Permission]:
    meta = model._meta
    return {
        p.codename: p
        for p in Permission.objects.filter(
            content_type__app_label=meta.app_label, content_type__model=meta.model_name, codename__in=set(codenames)
        )
    }


def grant_role_perms(
    objects: list[Model], *, organization_of: str, perms_by_role: dict[str, tuple[str, ...]],
    group_table: type[GroupObjectPermissionBase],
) -> None:
    """Give each owning organisation's role groups their role's rights on new objects (bulk)."""
    if not objects:
        return
    model = type(objects[0])
    perms = _permissions(model, {c for codes in perms_by_role.values() for c in codes})
    org_ids = {getattr(obj, f"{organization_of}_id") for obj in objects}
    by_org: dict[int, list[OrganizationGroup]] = {}
    for og in OrganizationGroup.objects.filter(organization__in=org_ids):
        by_org.setdefault(og.organization_id, []).append(og)
    rows = [
        group_table(group_id=og.group_id, permission=perms[code], content_object=obj)
        for obj in objects
        for og in by_org.get(getattr(obj, f"{organization_of}_id"), [])
        for code in perms_by_role.get(og.role, ())
    ]
    group_table.objects.bulk_create(rows, ignore_conflicts=True)


def set_user_perms(
    obj: Model, user, codenames: tuple[str, ...], *, user_table: type[UserObjectPermissionBase],  # noqa: ANN001
) -> None:
    """Make the user's direct rights on the object exactly `codenames`."""
    user_table.objects.filter(content_object=obj, user=user).delete()
    perms = _permissions(type(obj), codenames)
    user_table.objects.bulk_create(
        [user_table(user=user, permission=perms[c], content_object=obj) for c in codenames]
    )


def set_group_perms(
    obj: Model, group_ids: list[int], codenames: tuple[str, ...], *,
    group_table: type[GroupObjectPermissionBase],
) -> None:
    group_table.objects.filter(content_object=obj, group_id__in=group_ids).delete()
    perms = _permissions(type(obj), codenames)
    group_table.objects.bulk_create(
        [group_table(group_id=g, permission=perms[c], content_object=obj) for g in group_ids for c in codenames]
    )
