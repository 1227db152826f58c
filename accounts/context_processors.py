"""What every staff page's header shows: the user's organisations and the one they work in.
Computed on first use only, so pages that do not show it (the public action pages) pay nothing."""
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .roles import CAN_MANAGE_MEMBERS
from .selectors import current_membership, request_memberships


def staff(request: HttpRequest) -> dict:
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    memberships = SimpleLazyObject(lambda: request_memberships(request))
    current = SimpleLazyObject(lambda: current_membership(request))
    return {
        "memberships": memberships,
        "current_membership": current,
        "can_manage_members": SimpleLazyObject(lambda: bool(current) and current.role in CAN_MANAGE_MEMBERS),
    }
