from rest_framework import permissions

from accounts.roles import CHANGE

from ..permissions import has_case_perm


class CaseObjectPermission(permissions.IsAuthenticated):
    """Reads were already scoped by the queryset (404 outside it); writes need change_case (403)."""

    # Subclassing IsAuthenticated: anonymous requests are refused (401/403) before any lookup.

    def has_object_permission(self, request, view, obj) -> bool:  # noqa: ANN001
        if request.method in permissions.SAFE_METHODS:
            return True
        return has_case_perm(request.user, CHANGE, view.case_of(obj))
