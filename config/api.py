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
