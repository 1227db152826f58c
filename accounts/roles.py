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
# Facilities and ICE field offices are shared by every organisation (letters are addressed through
# them): legal staff may add a facility they meet; changing one, or adding a field office, is an
# organisation admin's, and every change is recorded (cases.services.reference).
CAN_ADD_FACILITIES: frozenset[str] = frozenset({Role.ADMIN, Role.ADVOCATE})
CAN_EDIT_REFERENCE_DATA: frozenset[str] = frozenset({Role.ADMIN})
# Roles that read children's names, A-numbers and addresses: they sign in with a second factor
# (accounts.two_factor), always. An organisation's admin can require it of every member.
MUST_USE_TWO_FACTOR: frozenset[str] = frozenset({Role.ADMIN, Role.ADVOCATE})


# --- Advocacy actions (advocacy app) ---------------------------------------------------------
# An action's supporters (names, emails, street addresses, the letters they signed) are personal
# data of their own: reading them is a separate right, like PII on a case.
VIEW_ACTION = "view_action"
CHANGE_ACTION = "change_action"
VIEW_SUPPORTERS = "view_action_supporters"

# Rights each role's group holds on every action its organisation runs.
OWNED_ACTION_PERMS: dict[str, tuple[str, ...]] = {
    Role.ADMIN: (VIEW_ACTION, CHANGE_ACTION, VIEW_SUPPORTERS),
    Role.ADVOCATE: (VIEW_ACTION, CHANGE_ACTION, VIEW_SUPPORTERS),
    Role.ORGANIZER: (VIEW_ACTION, CHANGE_ACTION, VIEW_SUPPORTERS),
    # Volunteers help run campaigns: they follow progress and delivery, never supporters' details.
    Role.VOLUNTEER: (VIEW_ACTION,),
}
# An action shared with a coalition partner: read only (progress and delivery, no supporters) or
# run together (change, and the supporters who signed).
ACTION_SHARE_PERMS: dict[str, tuple[str, ...]] = {
    ShareAccess.VIEW: (VIEW_ACTION,),
    ShareAccess.CHANGE: (VIEW_ACTION, CHANGE_ACTION, VIEW_SUPPORTERS),
}
# Which roles of a partner organisation receive an action shared with that organisation.
ACTION_SHARE_RECIPIENT_ROLES: tuple[str, ...] = (Role.ADMIN, Role.ORGANIZER)
# Who may build an action (on cases they can see) in their organisation.
CAN_CREATE_ACTIONS: frozenset[str] = frozenset({Role.ADMIN, Role.ADVOCATE, Role.ORGANIZER})
# Agency officials, judges and field office directors are entered by staff.
CAN_EDIT_DECISION_MAKERS: frozenset[str] = frozenset({Role.ADMIN, Role.ADVOCATE, Role.ORGANIZER})
