"""Facilities and ICE field offices: shared reference data, edited by legal staff."""
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models, transaction

from accounts.models import User
from accounts.roles import CAN_EDIT_REFERENCE_DATA
from accounts.selectors import organizations_where

from ..models import Facility, FieldOffice
from .errors import StaleVersion


def can_edit_reference_data(user: User) -> bool:
    return organizations_where(user=user, roles=CAN_EDIT_REFERENCE_DATA).exists()


def _require(user: User) -> None:
    if not can_edit_reference_data(user):
        raise PermissionDenied("Only legal staff may edit facilities and field offices.")


def reference_create(*, actor: User, model: type[Facility] | type[FieldOffice], **fields: Any) -> models.Model:
    _require(actor)
    obj = model(**fields)
    # Reference rows are not contended: validate everything, database constraints included.
    obj.full_clean()
    obj.save()
    return obj


def reference_update(*, actor: User, obj: Facility | FieldOffice, version: int, **changes: Any) -> models.Model:
    _require(actor)
    with transaction.atomic():
        locked = type(obj).objects.select_for_update().get(pk=obj.pk)
        if locked.version != version:
            raise StaleVersion()
        for k, v in changes.items():
            setattr(locked, k, v)
        locked.full_clean()
        locked.version += 1
        locked.save()
    return locked
