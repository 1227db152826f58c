"""Decision makers an organisation's staff enter and maintain: agency officials, judges, field
office directors. They belong to that organisation: only its admins, advocates and organizers
change them, and only its actions write to them. The shared directory (members of Congress,
imported; anything platform staff enter in the admin) is read-only here: a decision maker's
address is where supporters' letters go, so no organisation may change another's, or everyone's."""
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet

from accounts.models import Organization, User
from accounts.roles import CAN_EDIT_DECISION_MAKERS
from accounts.selectors import has_role_in, organizations_where
from cases.services import StaleVersion

from ..models import DecisionMaker, DecisionMakerKind
from ..targets import clear_directory_caches

# Members of Congress and the President come from public data (import_legislators,
# import_executives), never from a form.
ENTERED_KINDS = (DecisionMakerKind.AGENCY_OFFICIAL, DecisionMakerKind.JUDGE, DecisionMakerKind.GOVERNOR,
                 DecisionMakerKind.OTHER)


def usable_by(organization_id: int) -> Q:
    """The decision makers an organisation's actions may write to: the shared directory and its own."""
    return Q(organization__isnull=True) | Q(organization_id=organization_id)


def visible_decision_makers(*, user: User) -> QuerySet[DecisionMaker]:
    """The shared directory and the entries of the user's own organisations."""
    if not user.is_authenticated:
        return DecisionMaker.objects.none()
    orgs = organizations_where(user=user, roles={"admin", "advocate", "organizer", "volunteer"})
    return DecisionMaker.objects.filter(Q(organization__isnull=True) | Q(organization__in=orgs.values("pk")))


def _require_editor(actor: User, organization: Organization | None) -> None:
    if organization is None:
        raise PermissionDenied("The shared directory is maintained by import and by platform staff.")
    if not has_role_in(user=actor, organization=organization, roles=CAN_EDIT_DECISION_MAKERS):
        raise PermissionDenied("Only the organisation's admins, advocates and organizers edit its decision makers.")


def _check_kind(kind: str) -> None:
    if kind not in ENTERED_KINDS:
        raise ValidationError({"kind": "Members of Congress and the President come from public data "
                                       "(import_legislators, import_executives)."})


def decision_maker_create(*, actor: User, organization: Organization, **fields: Any) -> DecisionMaker:
    _require_editor(actor, organization)
    _check_kind(fields.get("kind", ""))
    dm = DecisionMaker(organization=organization, **fields)
    dm.full_clean()
    dm.save()
    clear_directory_caches()  # this process at once; the others within DIRECTORY_TTL
    return dm


def decision_maker_update(*, actor: User, decision_maker: DecisionMaker, version: int, **changes: Any) -> DecisionMaker:
    with transaction.atomic():
        locked = DecisionMaker.objects.select_for_update(of=("self",)).select_related("organization").get(
            pk=decision_maker.pk)
        _require_editor(actor, locked.organization)
        if locked.version != version:
            raise StaleVersion()
        if "kind" in changes:
            _check_kind(changes["kind"])
        for name, value in changes.items():
            setattr(locked, name, value)
        locked.full_clean()
        locked.version += 1
        locked.save()
    clear_directory_caches()
    return locked
