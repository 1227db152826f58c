"""Writes for organisations and memberships. Role rights reach cases through the
organisation's role groups (see roles.py), so a membership change is a group change."""
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.text import slugify

from .models import Membership, Organization, OrganizationGroup, User
from .roles import CAN_MANAGE_MEMBERS, Role
from .tokens import tokens_end_for


@transaction.atomic
def organization_create(*, name: str, kind: str = Organization.Kind.LEGAL, slug: str = "") -> Organization:
    org = Organization(name=name, kind=kind, slug=slug or slugify(name)[:80])
    org.full_clean()
    org.save()
    for role in Role.values:
        group = Group.objects.create(name=f"org:{org.pk}:{role}")
        OrganizationGroup.objects.create(organization=org, role=role, group=group)
    return org


def role_group(organization: Organization, role: str) -> Group:
    return OrganizationGroup.objects.select_related("group").get(
        organization=organization, role=role
    ).group


def _require_member_manager(actor: User | None, organization: Organization) -> None:
    # actor=None is the system itself (management commands, demo loader).
    if actor is None:
        return
    if not Membership.objects.filter(
        user=actor, organization=organization, is_active=True, role__in=CAN_MANAGE_MEMBERS
    ).exists():
        raise PermissionDenied("Only an organisation admin may manage its members.")


@transaction.atomic
def membership_add(
    *, organization: Organization, user: User, role: str, actor: User | None
) -> Membership:
    _require_member_manager(actor, organization)
    if role not in Role.values:
        raise ValidationError({"role": f"Unknown role {role!r}."})
    membership, _ = Membership.objects.update_or_create(
        user=user, organization=organization, defaults={"role": role, "is_active": True}
    )
    _sync_groups(membership)
    return membership


@transaction.atomic
def membership_change_role(*, membership: Membership, role: str, actor: User | None) -> Membership:
    _require_member_manager(actor, membership.organization)
    if role not in Role.values:
        raise ValidationError({"role": f"Unknown role {role!r}."})
    membership.role = role
    membership.save(update_fields=["role"])
    _sync_groups(membership)
    return membership


@transaction.atomic
def membership_deactivate(*, membership: Membership, actor: User | None) -> Membership:
    _require_member_manager(actor, membership.organization)
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    _sync_groups(membership)
    # Assignments are personal grants, not group rights: they end with the membership.
    from cases.services import assignments_end_for_member  # lazy: cases builds on accounts

    assignments_end_for_member(user=membership.user, organization=membership.organization)
    # API tokens are the user's, not the membership's: all of them end, so none outlives the
    # membership it was used for (the user asks again, with both factors, for other memberships).
    tokens_end_for(user=membership.user)
    return membership


def _sync_groups(membership: Membership) -> None:
    """The user is in exactly the role group of their active membership in this organisation."""
    org_groups = OrganizationGroup.objects.filter(organization=membership.organization)
    membership.user.groups.remove(*[og.group_id for og in org_groups])
    if membership.is_active:
        membership.user.groups.add(
            next(og.group_id for og in org_groups if og.role == membership.role)
        )
