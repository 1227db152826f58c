"""Decision makers staff enter or correct: agency officials, judges, field office directors, and
what the public data lacks for members of Congress (a Senate CWC office code, an email address)."""
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from accounts.models import User
from accounts.roles import CAN_EDIT_DECISION_MAKERS
from accounts.selectors import organizations_where
from cases.services import StaleVersion

from ..models import DecisionMaker
from ..targets import clear_directory_caches


def _require_editor(actor: User) -> None:
    if not organizations_where(user=actor, roles=CAN_EDIT_DECISION_MAKERS).exists():
        raise PermissionDenied("Only organisation staff may edit decision makers.")


def decision_maker_create(*, actor: User, **fields: Any) -> DecisionMaker:
    _require_editor(actor)
    dm = DecisionMaker(**fields)
    dm.full_clean()
    dm.save()
    clear_directory_caches()  # this process at once; the others within DIRECTORY_TTL
    return dm


def decision_maker_update(*, actor: User, decision_maker: DecisionMaker, version: int, **changes: Any) -> DecisionMaker:
    _require_editor(actor)
    with transaction.atomic():
        locked = DecisionMaker.objects.select_for_update().get(pk=decision_maker.pk)
        if locked.version != version:
            raise StaleVersion()
        for name, value in changes.items():
            setattr(locked, name, value)
        locked.full_clean()
        locked.version += 1
        locked.save()
    clear_directory_caches()
    return locked
