"""The shared shape of every change: lock, check, validate, save, write history."""
import datetime as dt
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from accounts.models import User

from ..fields import EncryptedTextField
from ..models import Case, CaseEvent
from ..permissions import require_case_perm
from .errors import StaleVersion

M = TypeVar("M", bound=models.Model)


def _jsonable(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return value


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """Field values for the history. Encrypted values are never copied: only that they exist."""
    out: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        if isinstance(field, EncryptedTextField):
            out[name] = "[set]" if getattr(obj, name) else ""
        elif field.is_relation:
            out[name] = getattr(obj, field.attname)
        else:
            out[name] = _jsonable(getattr(obj, name))
    return out


def editable_fields(obj: models.Model) -> list[str]:
    skip = {"id", "version", "updated_at", "created_at", "a_number_index"}
    return [f.name for f in obj._meta.concrete_fields if f.name not in skip]


def record_event(
    *, case: Case, actor: User | None, action: str, subject: models.Model,
    before: dict | None = None, after: dict | None = None,
) -> CaseEvent:
    event = CaseEvent.objects.create(
        case=case, actor=actor, action=action, subject_type=subject._meta.model_name,
        subject_id=subject.pk, before=before or {}, after=after or {},
    )
    # "Recently changed" lists sort on the case's updated_at, whichever part changed.
    Case.objects.filter(pk=case.pk).update(updated_at=timezone.now())
    return event


def validate(obj: models.Model, *, exclude: Iterable[str] = ()) -> None:
    # Field and clean() validation; the database constraints stay the last line for races.
    obj.full_clean(exclude=list(exclude), validate_constraints=False)


def create_on_case(
    *, actor: User, case: Case, obj: M, action: str, perm: str = "change_case",
    checks: Callable[[M], None] | None = None,
) -> M:
    with transaction.atomic():
        require_case_perm(actor, perm, case)
        validate(obj)
        if checks:
            checks(obj)
        obj.save()
        record_event(case=case, actor=actor, action=action, subject=obj, after=snapshot(obj, editable_fields(obj)))
    return obj


def update_versioned(
    *, actor: User, obj: M, case_of: Callable[[M], Case], version: int, changes: dict[str, Any],
    action: str, checks: Callable[[M], None] | None = None, perm: str = "change_case",
    prepare: Callable[[M, dict[str, Any]], None] | None = None, about: dict[str, Any] | None = None,
) -> M:
    """Apply `changes` if `version` is still current; otherwise raise StaleVersion. `about` goes
    into the history entry unchanged (e.g. whose custody an episode is), for the timeline."""
    with transaction.atomic():
        # Lock the row so two writers based on the same version cannot both pass the check.
        locked = type(obj).objects.select_for_update().get(pk=obj.pk)
        case = case_of(locked)
        require_case_perm(actor, perm, case)
        if locked.version != version:
            raise StaleVersion()
        before = snapshot(locked, changes)
        for name, value in changes.items():
            setattr(locked, name, value)
        if prepare:
            prepare(locked, changes)
        validate(locked)
        if checks:
            checks(locked)
        locked.version += 1
        locked.save()
        after = snapshot(locked, changes)
        changed = [k for k in changes if before.get(k) != after.get(k) or after.get(k) == "[set]"]
        if changed:
            record_event(
                case=case, actor=actor, action=action, subject=locked,
                before={**(about or {}), **{k: before[k] for k in changed}},
                after={**(about or {}), **{k: after[k] for k in changed}},
            )
    return locked


def field_error(field: str, message: str, code: str = "invalid") -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})
