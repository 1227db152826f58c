"""Case-level changes: creation, edits, consent, sharing, assignment, notes, reunification."""
import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from accounts.models import Membership, Organization, OrganizationGroup, User
from accounts.roles import (
    ASSIGNED_CASE_PERMS, CAN_CREATE_CASES, CHANGE, SHARE, SHARE_PERMS, SHARE_RECIPIENT_ROLES, VIEW_PII,
)
from accounts.selectors import has_role_in

from ..models import Assignment, Case, CaseShare, ConsentLevel, Note
from ..permissions import grant_owner_perms, require_case_perm, set_group_perms, set_user_perms
from ._base import create_on_case, editable_fields, field_error, record_event, snapshot, update_versioned, validate

CASE_EDITABLE = ("reference", "separated_on", "separation_place", "port_of_entry", "summary")


def case_create(*, actor: User, organization: Organization, **fields: Any) -> Case:
    if not has_role_in(user=actor, organization=organization, roles=CAN_CREATE_CASES):
        raise PermissionDenied("Only the organisation's admins and advocates may open cases.")
    with transaction.atomic():
        case = Case(organization=organization, **fields)
        validate(case)
        if Case.objects.filter(organization=organization, reference=case.reference).exists():
            raise field_error("reference", "Your organisation already has a case with this reference.", "unique")
        case.save()
        grant_owner_perms([case])
        record_event(case=case, actor=actor, action="case.opened", subject=case,
                     after=snapshot(case, CASE_EDITABLE))
    return case


def case_update(*, actor: User, case: Case, version: int, **changes: Any) -> Case:
    if "reference" in changes and not has_role_in(user=actor, organization=case.organization, roles=CAN_CREATE_CASES):
        # The uniqueness check would otherwise tell co-counsel which references the owner uses.
        raise PermissionDenied("Only the owning organisation's staff may change a case's reference.")
    def unique_reference(c: Case) -> None:
        if "reference" in changes and Case.objects.filter(
            organization_id=c.organization_id, reference=c.reference
        ).exclude(pk=c.pk).exists():
            raise field_error("reference", "Your organisation already has a case with this reference.", "unique")

    return update_versioned(
        actor=actor, obj=case, case_of=lambda c: c, version=version, changes=changes,
        action="case.updated", checks=unique_reference,
    )


def consent_record(*, actor: User, case: Case, level: str) -> Case:
    """Record (or revoke, with level 'none') what the family agreed may be used in advocacy.

    Takes effect at once: letters read consent when they are rendered.
    """
    if level not in ConsentLevel.values:
        raise field_error("level", f"Choose one of: {', '.join(ConsentLevel.values)}.", "invalid_choice")
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        require_case_perm(actor, CHANGE, locked)
        before = {"consent_level": locked.consent_level}
        locked.consent_level = level
        locked.consent_recorded_by = actor
        locked.consent_recorded_at = timezone.now()
        locked.version += 1
        locked.save(update_fields=["consent_level", "consent_recorded_by", "consent_recorded_at", "version", "updated_at"])
        action = "consent.revoked" if level == ConsentLevel.NONE else "consent.recorded"
        record_event(case=locked, actor=actor, action=action, subject=locked, before=before,
                     after={"consent_level": level})
    return locked


def share_create(
    *, actor: User, case: Case, access: str, user: User | None = None,
    organization: Organization | None = None,
) -> CaseShare:
    if (user is None) == (organization is None):
        raise field_error("grantee", "Share with either a user or an organisation.")
    if access not in SHARE_PERMS:
        raise field_error("access", "Choose 'view' or 'change'.", "invalid_choice")
    if organization is not None and organization.pk == case.organization_id:
        raise field_error("organization", "The case already belongs to this organisation.")
    with transaction.atomic():
        require_case_perm(actor, SHARE, case)
        live = CaseShare.objects.select_for_update().filter(
            case=case, revoked_at__isnull=True, user=user, organization=organization
        ).first()
        before = {"access": live.access} if live else {}
        share = live or CaseShare(case=case, user=user, organization=organization, created_by=actor)
        share.access = access
        share.save()
        codes = SHARE_PERMS[access]
        if user is not None:
            set_user_perms(case, user, codes)
        else:
            groups = list(
                OrganizationGroup.objects.filter(organization=organization, role__in=SHARE_RECIPIENT_ROLES)
                .values_list("group_id", flat=True)
            )
            set_group_perms(case, groups, codes)
        record_event(case=case, actor=actor, action="case.shared", subject=share, before=before,
                     after={"access": access, "user": user.pk if user else None,
                            "organization": organization.pk if organization else None})
    return share


def share_revoke(*, actor: User, share: CaseShare) -> CaseShare:
    with transaction.atomic():
        share = CaseShare.objects.select_for_update().select_related("case").get(pk=share.pk)
        require_case_perm(actor, SHARE, share.case)
        if share.revoked_at:
            return share
        share.revoked_at = timezone.now()
        share.save(update_fields=["revoked_at"])
        if share.user_id:
            set_user_perms(share.case, share.user, _user_perms_after_revoke(share))
        else:
            groups = list(
                OrganizationGroup.objects.filter(organization_id=share.organization_id, role__in=SHARE_RECIPIENT_ROLES)
                .values_list("group_id", flat=True)
            )
            set_group_perms(share.case, groups, ())
        record_event(case=share.case, actor=actor, action="case.share_revoked", subject=share,
                     before={"access": share.access}, after={})
    return share


def _user_perms_after_revoke(share: CaseShare) -> tuple[str, ...]:
    # A volunteer assignment is a separate grant: revoking a share leaves it in place.
    if Assignment.objects.filter(case_id=share.case_id, user_id=share.user_id).exists():
        return ASSIGNED_CASE_PERMS
    return ()


def assignment_create(*, actor: User, case: Case, user: User) -> Assignment:
    require_case_perm(actor, SHARE, case)
    if not Membership.objects.filter(user=user, organization_id=case.organization_id, is_active=True).exists():
        raise field_error("user", "Only members of the case's organisation can be assigned.")
    with transaction.atomic():
        require_case_perm(actor, SHARE, case)
        assignment, created = Assignment.objects.get_or_create(case=case, user=user)
        if created:
            has_share = CaseShare.objects.filter(case=case, user=user, revoked_at__isnull=True).first()
            if not has_share:
                set_user_perms(case, user, ASSIGNED_CASE_PERMS)
            record_event(case=case, actor=actor, action="case.assigned", subject=assignment,
                         after={"user": user.pk})
    return assignment


def assignments_end_for_member(*, user: User, organization: Organization) -> None:
    """A member who leaves the organisation loses the cases they were assigned to (a live share
    with them personally, granted separately, stays)."""
    for assignment in Assignment.objects.filter(user=user, case__organization=organization).select_related("case"):
        share = CaseShare.objects.filter(case=assignment.case, user=user, revoked_at__isnull=True).first()
        set_user_perms(assignment.case, user, SHARE_PERMS[share.access] if share else ())
        record_event(case=assignment.case, actor=None, action="case.unassigned", subject=assignment,
                     before={"user": user.pk})
        assignment.delete()


def assignment_delete(*, actor: User, assignment: Assignment) -> None:
    with transaction.atomic():
        require_case_perm(actor, SHARE, assignment.case)
        share = CaseShare.objects.filter(case=assignment.case, user=assignment.user, revoked_at__isnull=True).first()
        set_user_perms(assignment.case, assignment.user, SHARE_PERMS[share.access] if share else ())
        record_event(case=assignment.case, actor=actor, action="case.unassigned", subject=assignment,
                     before={"user": assignment.user_id})
        assignment.delete()


def note_create(*, actor: User, case: Case, body: str) -> Note:
    # Writing a note needs change rights and PII rights: notes are PII.
    require_case_perm(actor, VIEW_PII, case)
    return create_on_case(actor=actor, case=case, obj=Note(case=case, author=actor, body=body), action="note.added")


def case_mark_reunified(*, actor: User, case: Case, on: dt.date) -> Case:
    """Every member's custody becomes 'reunified with family' from `on`."""
    from .people import custody_transfer

    with transaction.atomic():
        require_case_perm(actor, CHANGE, case)
        for person in case.people.all():
            current = person.custody_episodes.filter(ended_on__isnull=True).first()
            if current is None or current.kind != "reunified":
                custody_transfer(actor=actor, person=person, kind="reunified", on=on)
        record_event(case=case, actor=actor, action="case.reunified", subject=case, after={"on": on.isoformat()})
    return case


def case_close(*, actor: User, case: Case, reason: str, on: dt.date | None = None) -> Case:
    """Close the family's file, saying why (reunified, representation ended, transferred to other
    counsel...). Nothing is deleted: the record stays readable, and can be reopened."""
    reason, on = (reason or "").strip(), on or timezone.localdate()
    if not reason:
        raise field_error("reason", "Say why the file is closed (it is kept in the timeline).")
    if on > timezone.localdate():
        raise field_error("on", "A file cannot be closed in the future.")
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        require_case_perm(actor, CHANGE, locked)
        if locked.status == Case.Status.CLOSED:
            raise field_error("reason", f"This file was already closed on {locked.closed_on.isoformat()}.")
        locked.status, locked.closed_on, locked.closed_reason = Case.Status.CLOSED, on, reason
        locked.version += 1
        locked.save(update_fields=["status", "closed_on", "closed_reason", "version", "updated_at"])
        record_event(case=locked, actor=actor, action="case.closed", subject=locked, before={"status": "open"},
                     after={"status": "closed", "closed_on": on.isoformat(), "reason": reason})
    return locked


def case_reopen(*, actor: User, case: Case, reason: str) -> Case:
    reason = (reason or "").strip()
    if not reason:
        raise field_error("reason", "Say why the file is reopened (it is kept in the timeline).")
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        require_case_perm(actor, CHANGE, locked)
        if locked.status == Case.Status.OPEN:
            raise field_error("reason", "This file is open.")
        before = {"status": "closed", "closed_on": locked.closed_on.isoformat(), "reason": locked.closed_reason}
        locked.status, locked.closed_on, locked.closed_reason = Case.Status.OPEN, None, ""
        locked.version += 1
        locked.save(update_fields=["status", "closed_on", "closed_reason", "version", "updated_at"])
        record_event(case=locked, actor=actor, action="case.reopened", subject=locked, before=before,
                     after={"status": "open", "reason": reason})
    return locked


def advocacy_link_record(*, actor: User, case: Case, action_id: int, linked: bool) -> None:
    """The family's timeline says when an advocacy action started (or stopped) drawing on it."""
    record_event(case=case, actor=actor, action="advocacy.linked" if linked else "advocacy.unlinked",
                 subject=case, after={"action": action_id})


__all__ = [
    "CASE_EDITABLE", "advocacy_link_record", "assignment_create", "assignment_delete", "case_close", "case_create",
    "case_mark_reunified", "case_reopen",
    "case_update", "consent_record", "editable_fields", "note_create", "share_create", "share_revoke",
]
