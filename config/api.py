"""API plumbing shared by every app: pagination and the error shape."""
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
import django_filters
from django import forms
from django.db import IntegrityError, models
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions, status
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class Pagination(CursorPagination):
    """Keyset pagination: each page is an index range scan, and no page counts the table."""

    def decode_cursor(self, request):  # noqa: ANN001, ANN201
        # A cursor that is not one of ours is a bad request (400), not a missing page (DRF's 404).
        try:
            return super().decode_cursor(request)
        except exceptions.NotFound:
            raise exceptions.ValidationError({"cursor": [self.invalid_cursor_message]}) from None

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "-id"


class IdFilter(django_filters.NumberFilter):
    """A raw id: a whole number a database column can hold (anything else is a 400, not a 500)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


class IdFilterSet(django_filters.FilterSet):
    """Foreign keys filter by raw id: validating the id against the whole table would tell an
    outsider which hidden rows exist (400 for a missing id, 200 for a hidden one)."""

    FILTER_DEFAULTS = {
        **django_filters.FilterSet.FILTER_DEFAULTS,
        models.ForeignKey: {"filter_class": IdFilter},
    }


class FilterBackend(DjangoFilterBackend):
    filterset_base = IdFilterSet


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "This record changed since you read it. Reload and apply your change again."
    default_code = "stale_version"


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """Services raise Django's exceptions; the API answers them as 400/403/409, never 500."""
    from cases.services.errors import StaleVersion

    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail=detail)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(detail=str(exc) or None)
    elif isinstance(exc, StaleVersion):
        exc = Conflict()
    elif isinstance(exc, IntegrityError):
        # A concurrent write won a race the service's own checks could not see.
        exc = Conflict(detail="A conflicting change was saved at the same time. Reload and retry.")
    return drf_exception_handler(exc, context)


# --- The schema's error answers -------------------------------------------------------------------

ERROR_SCHEMA = {
    "type": "object",
    "description": "An error. `detail` says what went wrong in words; `code` names it for programs "
                   "(e.g. `two_factor_required`, `stale_version`); a 400 also names each field "
                   "that was refused, with its messages.",
    "properties": {"detail": {"type": "string"},
                   "non_field_errors": {"type": "array", "items": {"type": "string"}}},
    "additionalProperties": {},
}
ERRORS = {
    "400": "The request was refused as it stands: a field, a filter or the body's shape.",
    "401": "No valid token or session: missing, expired or ended (`WWW-Authenticate: Token`).",
    "403": "Signed in, but not allowed: the right is missing, or two-factor sign-in is required first.",
    "404": "No such object, or not one you may see.",
    "409": "The object changed since you read it (send the current `version`), or a conflicting change won.",
    "429": "Too many requests or sign-in failures from here: wait (`Retry-After`) and try again.",
}
PUBLIC_OPERATIONS = {"/api/v1/auth/token/": {"400", "403", "429"}}


def error_codes(path: str, method: str, operation: dict) -> set[str]:
    """Which errors an operation can answer, from what it is: signed in or public, reading or
    writing, one object or a list."""
    if path in PUBLIC_OPERATIONS:
        return PUBLIC_OPERATIONS[path]
    if path.startswith("/api/v1/public/"):
        return {"400", "404", "429"}
    codes = {"401", "403"}
    if "{" in path:
        codes.add("404")
    if operation.get("parameters") or operation.get("requestBody") or method in ("post", "patch", "put"):
        codes.add("400")
    if method in ("post", "patch", "put"):
        codes.update({"404", "409"})
    return codes


def add_error_responses(result: dict, generator: object, request: object, public: bool) -> dict:
    """drf-spectacular postprocessing hook: every operation lists the errors it can answer, each
    with the one error shape (components/schemas/Error)."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for code in sorted(error_codes(path, method, operation)):
                responses.setdefault(code, {"description": ERRORS[code], "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}})
    return result
