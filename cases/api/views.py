"""Thin viewsets: the queryset is the caller's selector, writes call one service each."""
from collections.abc import Callable
from typing import Any

from django.db.models import Model, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.audit import AccessVia, record_pii_shown
from accounts.roles import SHARE

from .. import selectors, services
from ..models import Case, CaseShare, CustodyEpisode, Facility, FieldOffice, Hearing
from ..permissions import require_case_perm
from . import serializers as s
from ..filters import CaseFilter, CaseSearchFilter, PersonFilter, PersonSearchFilter
from .permissions import CaseObjectPermission
from .pii import shown_pii_cases


SEARCH_LIMIT = 50


def _search(view: Any, filterset_class: type, serializer_class: type) -> Response:
    """Filters from the request body (so PII such as an A-number never travels in a URL);
    answers the first SEARCH_LIMIT matches, newest first."""
    if not isinstance(view.request.data, dict):  # a JSON string, number or list: not a set of filters
        raise ValidationError({"non_field_errors": ["Send the filters as a JSON object, e.g. "
                                                    '{"a_number": "A-123-456-789"}.']})
    filterset = filterset_class(data=view.request.data, queryset=view.get_queryset(), request=view.request)
    if not filterset.is_valid():
        raise ValidationError(filterset.errors)
    rows = list(filterset.qs.order_by("-id")[: SEARCH_LIMIT + 1])
    data = serializer_class(rows[:SEARCH_LIMIT], many=True, context=view.get_serializer_context()).data
    return Response({"results": data, "truncated": len(rows) > SEARCH_LIMIT})


def _log_pii(view: Any, request: Request, response: Response) -> None:
    """One access-log entry for a response that showed families' PII (accounts.audit): a search,
    or a read of a list, a record, or what a write answered with."""
    if not 200 <= response.status_code < 300:
        return
    what = f"{view.basename} {view.action or ''}".strip()
    record_pii_shown(request, shown_pii_cases(request), via=AccessVia.API, what=what,
                     search=view.action == "search", object_id=_int(view.kwargs.get("pk")))


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, str) and value.isdigit() and len(value) < 19 else None


IDEMPOTENCY_KEY = OpenApiParameter("Idempotency-Key", OpenApiTypes.UUID, OpenApiParameter.HEADER, description=(
    "A UUID the client makes once per record it means to create: a retried or repeated request with the "
    "same key creates nothing more and answers with what the first one created."))


def _once(request: Request, model: type[Model], work: Callable[[], Model]) -> Model:
    """`work` once per Idempotency-Key (cases.services.once); a replay answers with the first result."""
    token = services.parse_key(request.headers.get("Idempotency-Key"))
    result, first = services.run_once(actor=request.user, token=token, work=work)
    return result if first else services.replayed_as(result, model)


def _valid(serializer_class: type, request: Request, view: Any, **kwargs: Any) -> dict:
    serializer = serializer_class(data=request.data, context=view.get_serializer_context(), **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class LogsPiiReads:
    """A viewset whose answers show families' PII writes one access-log entry per answer."""

    def finalize_response(self, request: Request, response: Response, *args: Any, **kwargs: Any) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        _log_pii(self, request, response)
        return response


class CaseScopedViewSet(LogsPiiReads, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Base for everything that belongs to a case. Subclasses name their selector, how to reach
    the case, and the services for create and update."""

    permission_classes = [CaseObjectPermission]
    selector: Callable[..., QuerySet] = staticmethod(lambda user: None)  # type: ignore[assignment]
    create_input: type | None = None
    update_input: type | None = None

    def get_queryset(self) -> QuerySet:
        return type(self).selector(user=self.request.user)

    def get_detail_queryset(self) -> QuerySet:
        return self.get_queryset()

    @staticmethod
    def case_of(obj: Model) -> Case:
        return obj.case

    def create_object(self, data: dict) -> Model:
        raise NotImplementedError

    def update_object(self, obj: Model, version: int, data: dict) -> Model:
        raise NotImplementedError

    def respond(self, obj: Model, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_detail_queryset().filter(pk=obj.pk).first()
        if fresh is None:  # a replayed create whose row the caller may no longer see
            raise NotFound()
        return Response(self.get_serializer(fresh).data, status=code)

    @extend_schema(parameters=[IDEMPOTENCY_KEY])
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if self.create_input is None:
            return Response(status=status.HTTP_405_METHOD_NOT_ALLOWED)
        data = _valid(self.create_input, request, self)
        created = _once(request, self.get_queryset().model, lambda: self.create_object(data))
        return self.respond(created, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        obj = self.get_object()
        data = _valid(self.update_input, request, self, partial=True)
        if "version" not in data:
            raise ValidationError({"version": ["Send the version your change is based on."]})
        version = data.pop("version")
        if not data:
            raise ValidationError({"non_field_errors": ["Nothing to change."]})
        return self.respond(self.update_object(obj, version, data))


class CaseViewSet(CaseScopedViewSet, mixins.CreateModelMixin, mixins.UpdateModelMixin):
    """Families. List and detail show only cases you hold view_case on; PII only with view_case_pii."""

    http_method_names = ["get", "post", "patch", "head", "options"]
    filterset_class = CaseFilter
    create_input = s.CaseCreateInput
    update_input = s.CaseUpdateInput

    def get_queryset(self) -> QuerySet[Case]:
        if self.action in ("list", "search"):
            return selectors.case_list_rows(user=self.request.user)
        if self.action in ("history", "share", "assign", "consent", "mark_reunified"):
            # These need the case itself, not the related rows the detail page shows.
            return selectors.visible_cases(user=self.request.user)
        return selectors.case_detail(user=self.request.user)

    def get_detail_queryset(self) -> QuerySet[Case]:
        return selectors.case_detail(user=self.request.user)

    def get_serializer_class(self) -> type:
        return s.CaseListRowSerializer if self.action == "list" else s.CaseDetailSerializer

    @staticmethod
    def case_of(obj: Case) -> Case:
        return obj

    def create_object(self, data: dict) -> Case:
        return services.case_create(actor=self.request.user, **data)

    def update_object(self, obj: Case, version: int, data: dict) -> Case:
        return services.case_update(actor=self.request.user, case=obj, version=version, **data)

    @extend_schema(request=s.CaseSearchInput, responses=s.CaseSearchOutput)
    @action(detail=False, methods=["post"])
    def search(self, request: Request) -> Response:
        """The list's filters plus the exact A-number, in the body of a POST."""
        return _search(self, CaseSearchFilter, s.CaseListRowSerializer)

    @extend_schema(responses=s.CaseEventSerializer(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request: Request, pk: str | None = None) -> Response:
        case = self.get_object()
        page = self.paginate_queryset(selectors.case_history(case=case).order_by("-id"))
        return self.get_paginated_response(s.CaseEventSerializer(page, many=True, context=self.get_serializer_context()).data)

    @extend_schema(request=s.ConsentInput, responses=s.CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def consent(self, request: Request, pk: str | None = None) -> Response:
        case = self.get_object()
        return self.respond(services.consent_record(actor=request.user, case=case, **_valid(s.ConsentInput, request, self)))

    @extend_schema(request=s.ReunifiedInput, responses=s.CaseDetailSerializer)
    @action(detail=True, methods=["post"], url_path="mark-reunified")
    def mark_reunified(self, request: Request, pk: str | None = None) -> Response:
        case = self.get_object()
        return self.respond(services.case_mark_reunified(actor=request.user, case=case, **_valid(s.ReunifiedInput, request, self)))

    @extend_schema(request=s.ShareInput, responses={201: s.CaseShareSerializer})
    @action(detail=True, methods=["post"])
    def share(self, request: Request, pk: str | None = None) -> Response:
        case = self.get_object()
        # Before validating the grantee: an unknown email must not be told apart from a known one.
        require_case_perm(request.user, SHARE, case)
        share = services.share_create(actor=request.user, case=case, **_valid(s.ShareInput, request, self))
        return Response(s.CaseShareSerializer(share).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.AssignInput, responses={201: None})
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: str | None = None) -> Response:
        case = self.get_object()
        require_case_perm(request.user, SHARE, case)
        services.assignment_create(actor=request.user, case=case, **_valid(s.AssignInput, request, self))
        return Response(status=status.HTTP_201_CREATED)


class ShareViewSet(LogsPiiReads, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Who a case is shared with. Revoking takes effect on the grantee's next request."""

    serializer_class = s.CaseShareSerializer
    permission_classes = [CaseObjectPermission]
    filterset_fields = ["case"]

    def get_queryset(self) -> QuerySet[CaseShare]:
        return selectors.share_list(user=self.request.user).order_by("-id")

    @staticmethod
    def case_of(obj: CaseShare) -> Case:
        return obj.case

    @extend_schema(request=None, responses=s.CaseShareSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk: str | None = None) -> Response:
        share = self.get_object()
        require_case_perm(request.user, SHARE, share.case)
        return Response(s.CaseShareSerializer(services.share_revoke(actor=request.user, share=share)).data)


class PersonViewSet(CaseScopedViewSet, mixins.CreateModelMixin, mixins.UpdateModelMixin):
    http_method_names = ["get", "post", "patch", "head", "options"]
    serializer_class = s.PersonSerializer
    selector = staticmethod(selectors.person_list)
    filterset_class = PersonFilter
    create_input = s.PersonInput
    update_input = s.PersonUpdateInput

    def create_object(self, data: dict) -> Model:
        return services.person_create(actor=self.request.user, **data)

    def update_object(self, obj: Model, version: int, data: dict) -> Model:
        return services.person_update(actor=self.request.user, person=obj, version=version, **data)

    @extend_schema(request=s.PersonSearchInput, responses=s.PersonSearchOutput)
    @action(detail=False, methods=["post"])
    def search(self, request: Request) -> Response:
        """Find people by exact A-number (any formatting), in the body of a POST."""
        return _search(self, PersonSearchFilter, s.PersonSerializer)

    @extend_schema(request=s.TransferCustodyInput, responses={201: s.CustodyEpisodeSerializer},
                   parameters=[IDEMPOTENCY_KEY])
    @action(detail=True, methods=["post"], url_path="transfer-custody")
    def transfer_custody(self, request: Request, pk: str | None = None) -> Response:
        person = self.get_object()
        data = _valid(s.TransferCustodyInput, request, self)
        episode = _once(request, CustodyEpisode,
                        lambda: services.custody_transfer(actor=request.user, person=person, **data))
        return Response(s.CustodyEpisodeSerializer(episode).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ReleaseToSponsorInput, responses={201: s.CustodyEpisodeSerializer},
                   parameters=[IDEMPOTENCY_KEY])
    @action(detail=True, methods=["post"], url_path="release-to-sponsor")
    def release_to_sponsor(self, request: Request, pk: str | None = None) -> Response:
        person = self.get_object()
        data = _valid(s.ReleaseToSponsorInput, request, self)
        episode = _once(request, CustodyEpisode,
                        lambda: services.release_to_sponsor(actor=request.user, person=person, **data))
        return Response(s.CustodyEpisodeSerializer(episode).data, status=status.HTTP_201_CREATED)


class CustodyEpisodeViewSet(CaseScopedViewSet, mixins.CreateModelMixin, mixins.UpdateModelMixin):
    http_method_names = ["get", "post", "patch", "head", "options"]
    serializer_class = s.CustodyEpisodeSerializer
    selector = staticmethod(selectors.episode_list)
    filterset_fields = ["person", "kind", "facility"]
    create_input = s.CustodyEpisodeInput
    update_input = s.CustodyEpisodeUpdateInput

    @staticmethod
    def case_of(obj: Model) -> Case:
        return obj.person.case

    def create_object(self, data: dict) -> Model:
        return services.custody_episode_create(actor=self.request.user, **data)

    def update_object(self, obj: Model, version: int, data: dict) -> Model:
        return services.custody_episode_update(actor=self.request.user, episode=obj, version=version, **data)


class SponsorViewSet(CaseScopedViewSet, mixins.CreateModelMixin, mixins.UpdateModelMixin):
    http_method_names = ["get", "post", "patch", "head", "options"]
    serializer_class = s.SponsorSerializer
    selector = staticmethod(selectors.sponsor_list)
    filterset_fields = ["case", "status", "category"]
    create_input = s.SponsorInput
    update_input = s.SponsorUpdateInput

    def create_object(self, data: dict) -> Model:
        return services.sponsor_create(actor=self.request.user, **data)

    def update_object(self, obj: Model, version: int, data: dict) -> Model:
        return services.sponsor_update(actor=self.request.user, sponsor=obj, version=version, **data)


class FearProcessViewSet(CaseScopedViewSet, mixins.CreateModelMixin, mixins.UpdateModelMixin):
    http_method_names = ["get", "post", "patch", "head", "options"]
    serializer_class = s.FearProcessSerializer
    selector = staticmethod(selectors.fear_process_list)
    filterset_fields = ["person", "outcome", "kind"]
    create_input = s.FearProcessInput
    update_input = s.FearProcessUpdateInput

    @staticmethod
    def case_of(obj: Model) -> Case:
        return obj.person.case

    def create_object(self, data: dict) -> Model:
        return services.fear_process_create(actor=self.request.user, **data)

    def update_object(self, obj: Model, version: int, data: dict) -> Model:
        return services.fear_process_update(actor=self.request.user, process=obj, version=version, **data)

    @extend_schema(request=s.InterviewOutcomeInput, responses=s.FearProcessSerializer)
    @action(detail=True, methods=["post"], url_path="record-outcome")
    def record_outcome(self, request: Request, pk: str | None = None) -> Response:
        process = self.get_object()
        return self.respond(services.interview_outcome_record(actor=request.user, process=process,
                                                              **_valid(s.InterviewOutcomeInput, request, self)))

    @extend_schema(request=s.ReviewRequestInput, responses=s.FearProcessSerializer)
    @action(detail=True, methods=["post"], url_path="request-review")
    def request_review(self, request: Request, pk: str | None = None) -> Response:
        process = self.get_object()
        return self.respond(services.ij_review_request(actor=request.user, process=process,
                                                       **_valid(s.ReviewRequestInput, request, self)))

    @extend_schema(request=None, responses=s.FearProcessSerializer)
    @action(detail=True, methods=["post"], url_path="decline-review")
    def decline_review(self, request: Request, pk: str | None = None) -> Response:
        return self.respond(services.ij_review_decline(actor=request.user, process=self.get_object()))

    @extend_schema(request=s.ReviewResultInput, responses=s.FearProcessSerializer)
    @action(detail=True, methods=["post"], url_path="record-review")
    def record_review(self, request: Request, pk: str | None = None) -> Response:
        process = self.get_object()
        return self.respond(services.ij_review_record(actor=request.user, process=process,
                                                      **_valid(s.ReviewResultInput, request, self)))


class ProceedingViewSet(CaseScopedViewSet, mixins.CreateModelMixin, mixins.UpdateModelMixin):
    http_method_names = ["get", "post", "patch", "head", "options"]
    serializer_class = s.ProceedingSerializer
    selector = staticmethod(selectors.proceeding_list)
    filterset_fields = ["case", "kind", "status"]
    create_input = s.ProceedingInput
    update_input = s.ProceedingUpdateInput

    def create_object(self, data: dict) -> Model:
        return services.proceeding_create(actor=self.request.user, **data)

    def update_object(self, obj: Model, version: int, data: dict) -> Model:
        return services.proceeding_update(actor=self.request.user, proceeding=obj, version=version, **data)

    @extend_schema(request=s.HearingInput, responses={201: s.HearingSerializer}, parameters=[IDEMPOTENCY_KEY])
    @action(detail=True, methods=["post"], url_path="schedule-hearing")
    def schedule_hearing(self, request: Request, pk: str | None = None) -> Response:
        proceeding = self.get_object()
        data = _valid(s.HearingInput, request, self)
        hearing = _once(request, Hearing,
                        lambda: services.hearing_schedule(actor=request.user, proceeding=proceeding, **data))
        return Response(s.HearingSerializer(hearing).data, status=status.HTTP_201_CREATED)


class HearingViewSet(CaseScopedViewSet, mixins.UpdateModelMixin):
    http_method_names = ["get", "patch", "head", "options"]
    serializer_class = s.HearingSerializer
    selector = staticmethod(selectors.hearing_list)
    filterset_fields = ["proceeding", "status"]
    update_input = s.HearingUpdateInput

    @staticmethod
    def case_of(obj: Model) -> Case:
        return obj.proceeding.case

    def update_object(self, obj: Model, version: int, data: dict) -> Model:
        return services.hearing_update(actor=self.request.user, hearing=obj, version=version, **data)


class NoteViewSet(CaseScopedViewSet, mixins.CreateModelMixin):
    """Notes are PII: listed only on cases where you hold view_case_pii."""

    http_method_names = ["get", "post", "head", "options"]
    serializer_class = s.NoteSerializer
    selector = staticmethod(selectors.note_list)
    filterset_fields = ["case"]
    create_input = s.NoteInput

    def create_object(self, data: dict) -> Model:
        return services.note_create(actor=self.request.user, **data)


class ReferenceViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Facilities and field offices: public places, readable by any signed-in member, edited by
    legal staff through the reference services."""

    http_method_names = ["get", "post", "patch", "head", "options"]

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.reference_create(actor=self.request.user, model=self.queryset.model,
                                                        **serializer.validated_data)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        obj = self.get_object()
        version = _valid(s.VersionInput, request, self)["version"]
        serializer = self.get_serializer(obj, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        updated = services.reference_update(actor=request.user, obj=obj, version=version, **serializer.validated_data)
        return Response(self.get_serializer(updated).data)


class FacilityViewSet(ReferenceViewSet):
    queryset = Facility.objects.select_related("field_office").order_by("id")
    serializer_class = s.FacilitySerializer
    filterset_fields = ["kind", "field_office", "state"]


class FieldOfficeViewSet(ReferenceViewSet):
    queryset = FieldOffice.objects.order_by("id")
    serializer_class = s.FieldOfficeSerializer
    filterset_fields = ["code"]
