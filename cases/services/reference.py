"""Facilities and ICE field offices: shared reference data. Every organisation's custody records
and letters point at the same rows (the field office a letter is addressed to is the facility's),
so a change here changes what other organisations' letters say: legal staff may add a facility,
only organisation admins change one or add a field office, every change is recorded with who and
when, and a facility that other organisations' families are held at is never re-pointed to
another field office by an admin of one organisation."""
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models, transaction

from accounts.models import User
from accounts.roles import CAN_ADD_FACILITIES, CAN_EDIT_REFERENCE_DATA
from accounts.selectors import organizations_where

from ..models import Case, CustodyEpisode, Facility, FieldOffice, Proceeding, ReferenceChange
from ..models.people import CUSTODY_FACILITY_KINDS
from ._base import field_error, snapshot
from .errors import StaleVersion

__all__ = ["can_add_facilities", "can_edit_reference_data", "field_office_request", "reference_create",
           "reference_update"]

FIELDS = {Facility: ("name", "kind", "address", "city", "state", "field_office"),
          FieldOffice: ("code", "name", "city", "state")}


def can_add_facilities(user: User) -> bool:
    return organizations_where(user=user, roles=CAN_ADD_FACILITIES).exists()


def can_edit_reference_data(user: User) -> bool:
    return organizations_where(user=user, roles=CAN_EDIT_REFERENCE_DATA).exists()


def _record(*, actor: User, obj: Facility | FieldOffice, action: str, before: dict, after: dict) -> None:
    ReferenceChange.objects.create(subject_type=obj._meta.model_name, subject_id=obj.pk, actor=actor,
                                   action=action, before=before, after=after)


def reference_create(*, actor: User, model: type[Facility] | type[FieldOffice], **fields: Any) -> models.Model:
    allowed = can_add_facilities(actor) if model is Facility else can_edit_reference_data(actor)
    if not allowed:
        raise PermissionDenied("Only legal staff may add a facility, and only organisation admins a field office.")
    with transaction.atomic():
        obj = model(**fields)
        # Reference rows are not contended: validate everything, database constraints included.
        obj.full_clean()
        obj.save()
        _record(actor=actor, obj=obj, action="created", before={}, after=snapshot(obj, FIELDS[model]))
    return obj


def _cases_using(facility: Facility) -> models.QuerySet[Case]:
    """Every family the facility appears in: custody there (past or present), its port of entry,
    a proceeding in its court."""
    return Case.objects.filter(
        models.Q(port_of_entry=facility)
        | models.Q(pk__in=CustodyEpisode.objects.filter(facility=facility).values("person__case_id"))
        | models.Q(pk__in=Proceeding.objects.filter(court=facility).values("case_id"))
    )


def _check_facility_change(actor: User, facility: Facility, before: dict[str, Any]) -> None:
    if facility.field_office_id != before["field_office"]:
        own = organizations_where(user=actor, roles=CAN_EDIT_REFERENCE_DATA).values("pk")
        if _cases_using(facility).exclude(organization__in=own).exists():
            raise field_error("field_office", (
                "Other organisations' families are recorded at this facility, and their letters go to its "
                "field office: it cannot be moved to another one from here. Add the facility again under "
                "the right field office, or ask the project's operators to correct it for everyone."))
    if facility.kind != before["kind"]:
        held = CustodyEpisode.objects.filter(facility=facility).values_list("kind", flat=True).distinct()
        if any(facility.kind not in CUSTODY_FACILITY_KINDS.get(kind, ()) for kind in held):
            raise field_error("kind", "Custody is recorded at this facility that its new kind would not fit.")


def reference_update(*, actor: User, obj: Facility | FieldOffice, version: int, **changes: Any) -> models.Model:
    if not can_edit_reference_data(actor):
        raise PermissionDenied("Only organisation admins may change a facility or a field office.")
    with transaction.atomic():
        locked = type(obj).objects.select_for_update().get(pk=obj.pk)
        if locked.version != version:
            raise StaleVersion()
        fields = FIELDS[type(locked)]
        before = snapshot(locked, fields)
        for k, v in changes.items():
            setattr(locked, k, v)
        locked.full_clean()
        if isinstance(locked, Facility):
            _check_facility_change(actor, locked, before)
        locked.version += 1
        locked.save()
        after = snapshot(locked, fields)
        changed = [k for k in fields if before[k] != after[k]]
        if changed:
            _record(actor=actor, obj=locked, action="updated",
                    before={k: before[k] for k in changed}, after={k: after[k] for k in changed})
    return locked


def field_office_request(*, actor: User, facility: Facility, request: str, organization: Any) -> None:
    """An advocate added `facility` but its ICE field office is not listed: the request is recorded
    with the facility's history and emailed to the admins of the organisation they work in, who
    may add the office and set it. Only public places are named, never a family."""
    from django.core.mail import send_mail

    from accounts.models import Membership
    from accounts.roles import Role

    _record(actor=actor, obj=facility, action="office_requested", before={},
            after={"field_office_request": request})
    admins = list(Membership.objects.filter(organization=organization, role=Role.ADMIN, is_active=True)
                  .values_list("user__email", flat=True)) if organization is not None else []
    if admins:
        send_mail(
            f"Field office needed for {facility.name}",
            f"{actor.email} added the facility {facility.name} ({facility.city}, {facility.state}) without an ICE "
            f"field office and asks for this one: {request}\n\nAdd the field office if it is missing, then set "
            f"it on the facility (admin, Facilities).",
            None, admins,
        )
