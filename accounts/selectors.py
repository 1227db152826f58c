from django.db.models import QuerySet

from .models import Membership, Organization, User


def active_memberships(*, user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user, is_active=True).select_related("organization")


def organizations_where(*, user: User, roles: frozenset[str] | set[str]) -> QuerySet[Organization]:
    """Organisations in which the user holds one of `roles` (active memberships only)."""
    return Organization.objects.filter(
        memberships__user=user, memberships__is_active=True, memberships__role__in=roles
    )


def has_role_in(*, user: User, organization: Organization, roles: frozenset[str] | set[str]) -> bool:
    return Membership.objects.filter(
        user=user, organization=organization, is_active=True, role__in=roles
    ).exists()


SESSION_ORG = "organization"


def request_memberships(request) -> list[Membership]:  # noqa: ANN001
    """The signed-in user's active memberships, read once per request (the page header and the
    view both ask)."""
    if not hasattr(request, "_active_memberships"):
        request._active_memberships = list(active_memberships(user=request.user))
    return request._active_memberships


def current_membership(request) -> Membership | None:  # noqa: ANN001
    """The membership the user is working in: the organisation they last chose (kept in the
    session) if they are still an active member, otherwise their first."""
    memberships = request_memberships(request)
    chosen = request.session.get(SESSION_ORG)
    return next((m for m in memberships if m.organization_id == chosen), memberships[0] if memberships else None)
