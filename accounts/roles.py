"""What each organisation role may do: the one place that says it.

Case-level rights are guardian object permissions. A role's rights on the cases its own
organisation owns are granted to that organisation's role group (one Django group per
organisation and role), so adding, moving or removing a member is one group change and takes
effect on the member's next request.
"""
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Organisation admin")
    ADVOCATE = "advocate", _("Legal advocate")
    ORGANIZER = "organizer", _("Organizer")
    VOLUNTEER = "volunteer", _("Volunteer")


VIEW = "view_case"
CHANGE = "change_case"
VIEW_PII = "view_case_pii"
SHARE = "share_case"

# Object permissions each role's group holds on every case its organisation owns.
OWNED_CASE_PERMS: dict[str, tuple[str, ...]] = {
    Role.ADMIN: (VIEW, CHANGE, VIEW_PII, SHARE),
    Role.ADVOCATE: (VIEW, CHANGE, VIEW_PII, SHARE),
    # Organizers build advocacy on cases: they read them, without PII.
    Role.ORGANIZER: (VIEW,),
    # Volunteers see nothing by default: only the cases assigned to them (ASSIGNED_CASE_PERMS).
    Role.VOLUNTEER: (),
}

# A volunteer assigned to a case reads it, redacted.
ASSIGNED_CASE_PERMS: tuple[str, ...] = (VIEW,)


class ShareAccess(models.TextChoices):
    VIEW = "view", _("Read only")
    CHANGE = "change", _("Read and change")


# A share with co-counsel (a user, or another organisation's legal staff) carries PII: they
# represent the family. It never carries the right to share further.
SHARE_PERMS: dict[str, tuple[str, ...]] = {
    ShareAccess.VIEW: (VIEW, VIEW_PII),
    ShareAccess.CHANGE: (VIEW, CHANGE, VIEW_PII),
}
# Which roles of a co-counsel organisation receive a case shared with that organisation.
SHARE_RECIPIENT_ROLES: tuple[str, ...] = (Role.ADMIN, Role.ADVOCATE)

# Organisation-level abilities.
CAN_CREATE_CASES: frozenset[str] = frozenset({Role.ADMIN, Role.ADVOCATE})
CAN_MANAGE_MEMBERS: frozenset[str] = frozenset({Role.ADMIN})
CAN_EDIT_REFERENCE_DATA: frozenset[str] = frozenset({Role.ADMIN, Role.ADVOCATE})
