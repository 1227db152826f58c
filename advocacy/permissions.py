"""Object permissions on actions: the same machinery as cases (accounts.objperms), with rights of
their own - view, change, and seeing the supporters who signed."""
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from accounts import objperms
from accounts.roles import OWNED_ACTION_PERMS

from .models import Action, ActionGroupObjectPermission, ActionUserObjectPermission


def actions_with_perm(user, perm: str, klass: type[Action] | QuerySet[Action] = Action) -> QuerySet[Action]:  # noqa: ANN001
    return objperms.objects_with_perm(user, perm, klass, group_table=ActionGroupObjectPermission,
                                     user_table=ActionUserObjectPermission)


def has_action_perm(user, perm: str, action: Action) -> bool:  # noqa: ANN001
    return actions_with_perm(user, perm, Action.objects.filter(pk=action.pk)).exists()


def require_action_perm(user, perm: str, action: Action) -> None:  # noqa: ANN001
    if not has_action_perm(user, perm, action):
        raise PermissionDenied("You may not do this on this action.")


def grant_owner_perms(action: Action) -> None:
    objperms.grant_role_perms([action], organization_of="organization", perms_by_role=OWNED_ACTION_PERMS,
                              group_table=ActionGroupObjectPermission)


def set_user_perms(action: Action, user, codenames: tuple[str, ...]) -> None:  # noqa: ANN001
    objperms.set_user_perms(action, user, codenames, user_table=ActionUserObjectPermission)


def set_group_perms(action: Action, group_ids: list[int], codenames: tuple[str, ...]) -> None:
    objperms.set_group_perms(action, group_ids, codenames, group_table=ActionGroupObjectPermission)
