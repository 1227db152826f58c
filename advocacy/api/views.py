"""Thin viewsets: the queryset is the caller's selector (404 outside it), writes call one service."""
import csv
import io
import zipfile
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action as route
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from accounts import audit
from accounts.client_ip import client_ip
from accounts.roles import CHANGE_ACTION, VIEW_SUPPORTERS
from cases.services import parse_key

from .. import selectors
from ..letters.render import preview
from ..models import PENDING_STATUSES, Action, DecisionMaker, Letter, LetterStatus, PdfBatch
from ..permissions import actions_with_perm, has_action_perm, require_action_perm
from ..services import actions as services
from ..services import batches, decision_makers
from ..services.channels import automatic_channels
from . import serializers as s


class LazyIds:
    """A set computed on first use, so a request that never asks pays no query."""

    def __init__(self, compute: Any) -> None:
        self._compute, self._ids = compute, None

    def __contains__(self, pk: object) -> bool:
        if self._ids is None:
            self._ids = self._compute()
        return pk in self._ids


def _valid(serializer_class: type, request: Request, view: Any, **kwargs: Any) -> dict:
    serializer = serializer_class(data=request.data, context=view.get_serializer_context(), **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class ActionObjectPermission(permissions.IsAuthenticated):
    """Reads were scoped by the queryset (404 outside it); writes need change_action (403)."""

    def has_object_permission(self, request, view, obj) -> bool:  # noqa: ANN001
        if request.method in permissions.SAFE_METHODS:
            return True
        return has_action_perm(request.user, CHANGE_ACTION, view.action_of(obj))


class ActionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Advocacy actions you may see. Creating one needs view_case on every linked case."""

    permission_classes = [ActionObjectPermission]
    filterset_fields = ["status", "organization"]

    def get_queryset(self) -> QuerySet[Action]:
        return selectors.action_list(user=self.request.user)

    def get_serializer_class(self) -> type:
        return s.ActionSerializer if self.action == "list" else s.ActionDetailSerializer

    def get_serializer_context(self) -> dict:
        context = super().get_serializer_context()
        # Which actions the caller may change (they see the families it draws on): one query.
        context["changeable"] = LazyIds(lambda: set(
            actions_with_perm(self.request.user, CHANGE_ACTION).values_list("pk", flat=True)))
        return context

    @staticmethod
    def action_of(obj: Action) -> Action:
        return obj

    def respond(self, action: Action, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=action.pk)
        return Response(s.ActionDetailSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=s.ActionCreateInput, responses={201: s.ActionDetailSerializer}, parameters=[
        OpenApiParameter("Idempotency-Key", OpenApiTypes.UUID, OpenApiParameter.HEADER, description=(
            "A UUID the client makes once per action it means to create: a retried or repeated request "
            "with the same key returns the action the first one created instead of a second one."))])
    def create(self, request: Request) -> Response:
        token = parse_key(request.headers.get("Idempotency-Key"))
        data = _valid(s.ActionCreateInput, request, self)
        created = services.action_create(actor=request.user, request_token=token, **data)
        return self.respond(created, status.HTTP_201_CREATED)

    @extend_schema(request=s.ActionUpdateInput, responses=s.ActionDetailSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        obj = self.get_object()
        data = _valid(s.ActionUpdateInput, request, self, partial=True)
        if "version" not in data:
            raise ValidationError({"version": ["Send the version your change is based on."]})
        version = data.pop("version")
        return self.respond(services.action_update(actor=request.user, action=obj, version=version, **data))

    def _transition(self, service: Any) -> Response:
        obj = self.get_object()
        return self.respond(service(actor=self.request.user, action=obj))

    @extend_schema(request=None, responses=s.ActionDetailSerializer)
    @route(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str | None = None) -> Response:
        """Checks consent on every linked family and every merge field, then opens the public page."""
        return self._transition(services.action_publish)

    @extend_schema(request=None, responses=s.ActionDetailSerializer)
    @route(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        return self._transition(services.action_close)

    @extend_schema(request=None, responses=s.ActionDetailSerializer)
    @route(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: str | None = None) -> Response:
        """Open a closed action's page again, before its deadline (publishing's checks apply)."""
        return self._transition(services.action_reopen)

    @extend_schema(request=None, responses=s.ActionDetailSerializer)
    @route(detail=True, methods=["post"], url_path="mark-won")
    def mark_won(self, request: Request, pk: str | None = None) -> Response:
        return self._transition(services.action_mark_won)

    @extend_schema(request=None, responses=s.ActionDetailSerializer)
    @route(detail=True, methods=["post"])
    def resume(self, request: Request, pk: str | None = None) -> Response:
        """Lift a pause: the letter must no longer use a fact that lost its consenting families."""
        return self._transition(services.action_resume)

    @extend_schema(request=s.PreviewInput, responses=s.PreviewOutput)
    @route(detail=True, methods=["post"], url_path="preview")
    def preview_letter(self, request: Request, pk: str | None = None) -> Response:
        """The letter for a sample supporter, from the facts as they stand; unsaved text welcome."""
        obj = self.get_object()
        require_action_perm(request.user, CHANGE_ACTION, obj)
        data = _valid(s.PreviewInput, request, self)
        result = preview(action=obj, language=data["language"], subject=data.get("letter_subject"),
                         body=data.get("letter_body"), decision_maker=data.get("decision_maker"))
        return Response(s.PreviewOutput(result).data)

    @extend_schema(responses=s.ReportSerializer)
    @route(detail=True, methods=["get"])
    def report(self, request: Request, pk: str | None = None) -> Response:
        """Delivery by decision maker and status, progress, and referrals (counts only)."""
        obj = self.get_object()
        rows = selectors.delivery_report(obj)
        by_status = {st: sum(r.counts[st] for r in rows) for st in LetterStatus.values}
        return Response(s.ReportSerializer({
            "progress": selectors.progress(obj), "by_decision_maker": rows, "by_status": by_status,
            "referrals": selectors.referral_counts(obj),
        }).data)

    @extend_schema(request=s.TallyInput, responses={201: s.TallySerializer})
    @route(detail=True, methods=["post"])
    def tallies(self, request: Request, pk: str | None = None) -> Response:
        """Record pledges or offline (handwritten) letters; a negative count corrects."""
        obj = self.get_object()
        tally = services.tally_record(actor=request.user, action=obj, **_valid(s.TallyInput, request, self))
        return Response(s.TallySerializer(tally).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ActionShareInput, responses={201: s.ActionShareSerializer})
    @route(detail=True, methods=["post"])
    def share(self, request: Request, pk: str | None = None) -> Response:
        obj = self.get_object()
        require_action_perm(request.user, CHANGE_ACTION, obj)
        share = services.action_share_create(actor=request.user, action=obj, **_valid(s.ActionShareInput, request, self))
        return Response(s.ActionShareSerializer(share).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, "text/csv"): OpenApiResponse(description="One row per letter")})
    @route(detail=True, methods=["get"], url_path="letters-csv")
    def letters_csv(self, request: Request, pk: str | None = None) -> HttpResponse:
        """Every letter with its supporter and delivery state (needs the supporters right)."""
        obj = self.get_object()
        require_action_perm(request.user, VIEW_SUPPORTERS, obj)
        response = StreamingHttpResponse(_csv_rows(obj), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="action-{obj.pk}-letters.csv"'
        _log_export(request, obj, "letters CSV")
        return response

    @extend_schema(responses={(200, "application/zip"): OpenApiResponse(description="One XML file per letter")})
    @route(detail=True, methods=["get"], url_path="cwc-export")
    def cwc_export(self, request: Request, pk: str | None = None) -> HttpResponse:
        """The validated CWC 2.0 messages of letters to congressional offices not yet delivered."""
        obj = self.get_object()
        require_action_perm(request.user, VIEW_SUPPORTERS, obj)
        batches.require_not_paused(obj)
        pending = Letter.objects.filter(action=obj, status__in=PENDING_STATUSES, channel=Letter.Channel.CWC) \
            .exclude(channel__in=automatic_channels()).order_by("pk").values_list("pk", flat=True)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            # Rendered again now: an export states only what the families consent to at this moment.
            for letter in batches.rendered_now(list(pending)):
                archive.writestr(f"{letter.key.hex}.xml", letter.cwc_xml)
        response = HttpResponse(buffer.getvalue(), content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="action-{obj.pk}-cwc.zip"'
        _log_export(request, obj, "CWC export")
        return response


def _log_export(request: Request, action: Action, what: str) -> None:
    """An export or download is in the access log: who, which action (and so which organisation)
    and the families its letters speak of."""
    audit.record(request, audit.AccessKind.EXPORT, via=audit.AccessVia.API, what=what, object_id=action.pk,
                 organization=action.organization_id, case_ids=action.cases.values_list("pk", flat=True))


CSV_COLUMNS = ["letter_id", "letter_key", "created_at", "decision_maker", "decision_maker_kind", "state", "district",
               "channel", "status", "attempts", "sent_at", "last_error", "prefix", "first_name", "last_name", "email",
               "street", "city", "supporter_state", "zip_code", "language", "subject", "body"]


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    # A cell a spreadsheet would run as a formula is quoted (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv_rows(action: Action) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        value = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return value

    writer.writerow(CSV_COLUMNS)
    yield flush()
    rows = Letter.objects.filter(action=action).order_by("pk").values_list(
        "pk", "key", "created_at", "decision_maker__salutation", "decision_maker__kind", "decision_maker__state",
        "decision_maker__district", "channel", "status", "attempts", "sent_at", "last_error", "submission__prefix",
        "submission__first_name", "submission__last_name", "submission__email", "submission__street",
        "submission__city", "submission__state", "submission__zip_code", "language", "subject", "body",
    )
    for row in rows.iterator(chunk_size=2000):
        writer.writerow([_cell(v) for v in row])
        yield flush()


class SupporterScopedViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [ActionObjectPermission]

    @staticmethod
    def action_of(obj: Any) -> Action:
        return obj.action


class SubmissionViewSet(SupporterScopedViewSet):
    """Who signed, on actions whose supporters you may see."""

    serializer_class = s.SubmissionSerializer
    filterset_fields = ["action", "language"]

    def get_queryset(self) -> QuerySet:
        return selectors.submission_list(user=self.request.user).order_by("-id")


class LetterViewSet(SupporterScopedViewSet):
    """Every letter: the exact text sent, its channel, status, attempts and the reason of a failure."""

    filterset_fields = ["action", "status", "channel", "decision_maker", "submission"]

    def get_queryset(self) -> QuerySet:
        return selectors.letter_list(user=self.request.user).order_by("-id")

    def get_serializer_class(self) -> type:
        return s.LetterSerializer if self.action == "list" else s.LetterDetailSerializer

    @extend_schema(request=None, responses=s.LetterDetailSerializer)
    @route(detail=True, methods=["post"])
    def retry(self, request: Request, pk: str | None = None) -> Response:
        letter = self.get_object()
        services.letter_retry(actor=request.user, letter=letter)
        return Response(s.LetterDetailSerializer(self.get_queryset().get(pk=letter.pk)).data)


class PdfBatchViewSet(SupporterScopedViewSet):
    """Printable batches of an action's letters to one decision maker, built in the background."""

    serializer_class = s.PdfBatchSerializer
    filterset_fields = ["action", "decision_maker", "status"]

    def get_queryset(self) -> QuerySet:
        return selectors.batch_list(user=self.request.user).order_by("-id")

    @extend_schema(request=s.PdfBatchInput, responses={202: s.PdfBatchSerializer})
    def create(self, request: Request) -> Response:
        data = _valid(s.PdfBatchInput, request, self)
        action = get_object_or_404(selectors.visible_actions(user=request.user), pk=data.pop("action"))
        batch = batches.batch_request(actor=request.user, action=action, **data)
        return Response(s.PdfBatchSerializer(batch).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses={(200, "application/pdf"): OpenApiResponse(description="The batch")})
    @route(detail=True, methods=["get"])
    def download(self, request: Request, pk: str | None = None) -> FileResponse:
        batch = self.get_object()
        if batch.status != PdfBatch.Status.READY or not batch.file:
            raise ValidationError({"status": ["This batch is not ready yet."]})
        _log_export(request, batch.action, f"printable batch {batch.pk}")
        return FileResponse(batch.file.open("rb"), as_attachment=True, filename=batch.file.name.rsplit("/", 1)[-1],
                            content_type="application/pdf")

    @extend_schema(request=None, responses={200: OpenApiResponse(description="{'marked': n}")})
    @route(detail=True, methods=["post"], url_path="mark-delivered")
    def mark_delivered(self, request: Request, pk: str | None = None) -> Response:
        """The printed letters were handed over: they count as sent."""
        return Response({"marked": batches.batch_mark_delivered(actor=request.user, batch=self.get_object())})


class ActionShareViewSet(SupporterScopedViewSet):
    serializer_class = s.ActionShareSerializer
    filterset_fields = ["action"]

    def get_queryset(self) -> QuerySet:
        return selectors.share_list(user=self.request.user).order_by("-id")

    @extend_schema(request=None, responses=s.ActionShareSerializer)
    @route(detail=True, methods=["post"])
    def revoke(self, request: Request, pk: str | None = None) -> Response:
        share = services.action_share_revoke(actor=request.user, share=self.get_object())
        return Response(s.ActionShareSerializer(share).data)


class DecisionMakerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Public officials: the shared directory (members of Congress, imported) and the agency
    officials, judges and field office directors your organisations entered, which only your
    organisations' staff change."""

    serializer_class = s.DecisionMakerSerializer
    filterset_fields = ["kind", "state", "district", "active", "field_office", "organization"]

    def get_queryset(self) -> QuerySet[DecisionMaker]:
        return decision_makers.visible_decision_makers(user=self.request.user).select_related("field_office") \
            .order_by("id")

    @extend_schema(request=s.DecisionMakerInput, responses={201: s.DecisionMakerSerializer})
    def create(self, request: Request) -> Response:
        dm = decision_makers.decision_maker_create(actor=request.user, **_valid(s.DecisionMakerInput, request, self))
        return Response(s.DecisionMakerSerializer(dm).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.DecisionMakerUpdateInput, responses=s.DecisionMakerSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        dm = self.get_object()
        data = _valid(s.DecisionMakerUpdateInput, request, self, partial=True)
        if "version" not in data:
            raise ValidationError({"version": ["Send the version your change is based on."]})
        version = data.pop("version")
        dm = decision_makers.decision_maker_update(actor=request.user, decision_maker=dm, version=version, **data)
        return Response(s.DecisionMakerSerializer(dm).data)


class PublicProgressThrottle(AnonRateThrottle):
    scope = "public_progress"

    def get_ident(self, request: Request) -> str:
        return client_ip(request)  # the project's one source, never a client-sent header


class PublicProgress(APIView):
    """An action's live progress toward its goal: public, no login."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    throttle_classes = [PublicProgressThrottle]

    @extend_schema(responses=s.ProgressSerializer)
    def get(self, request: Request, slug: str) -> Response:
        action = get_object_or_404(selectors.public_actions(), slug=slug)
        return Response(s.ProgressSerializer(selectors.progress(action)).data)

