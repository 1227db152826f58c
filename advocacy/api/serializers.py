"""Advocacy API: output serializers show, input serializers check shape; services do the work."""
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Organization
from accounts.roles import CAN_CREATE_ACTIONS, CAN_EDIT_DECISION_MAKERS
from accounts.selectors import organizations_where
from cases.api.serializers import ShareInput, VersionInput, VisibleCaseField

from ..models import (
    Action, ActionShare, DecisionMaker, Language, Letter, PdfBatch, Submission, SupporterEditing, Tally, TallyKind,
)


# --- decision makers ---------------------------------------------------------------------------
class DecisionMakerSerializer(serializers.ModelSerializer):
    class Meta:
        model = DecisionMaker
        fields = ["id", "kind", "name", "salutation", "state", "district", "senate_class", "bioguide_id",
                  "cwc_office_code", "email", "contact_form_url", "phone", "fax", "postal_address", "field_office",
                  "organization", "active", "version"]
        read_only_fields = ["bioguide_id", "senate_class", "organization", "version"]


_DM_FIELDS = ["kind", "name", "salutation", "state", "district", "email", "contact_form_url", "phone", "fax",
              "postal_address", "field_office", "active"]


class DecisionMakerInput(serializers.ModelSerializer):
    """An official your organisation writes to; it belongs to `organization` (one of yours)."""

    organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.none())

    class Meta:
        model = DecisionMaker
        fields = ["organization", *_DM_FIELDS]

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            self.fields["organization"].queryset = organizations_where(user=request.user,
                                                                       roles=CAN_EDIT_DECISION_MAKERS)


class DecisionMakerUpdateInput(VersionInput, serializers.ModelSerializer):
    class Meta:
        model = DecisionMaker
        fields = ["version", *_DM_FIELDS]


class DecisionMakerBrief(serializers.ModelSerializer):
    class Meta:
        model = DecisionMaker
        fields = ["id", "kind", "salutation", "state", "district"]


# --- actions -----------------------------------------------------------------------------------
class ProgressSerializer(serializers.Serializer):
    goal = serializers.IntegerField()
    letters_sent = serializers.IntegerField()
    pledges = serializers.IntegerField()
    offline_letters = serializers.IntegerField()
    counts_pledges = serializers.BooleanField(help_text="Whether pledges count toward the goal (the action's "
                                                        "goal_counts_pledges); `total` follows it.")
    total = serializers.IntegerField()
    percent = serializers.IntegerField()
    supporters = serializers.IntegerField(help_text="People who wrote (one submission each); on an action's own "
                                                    "page and report, 0 in lists.")
    letters_waiting = serializers.IntegerField(help_text="Their letters not sent yet: on their way, or waiting for "
                                                         "the organizers to print or send them (0 in lists).")


class ActionSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    cases = serializers.SerializerMethodField()
    fixed_targets = serializers.SerializerMethodField()
    public_url = serializers.SerializerMethodField()

    class Meta:
        model = Action
        fields = [
            "id", "organization", "organization_name", "title", "slug", "intro", "letter_subject", "letter_body",
            "title_es", "intro_es", "letter_subject_es", "letter_body_es", "languages", "supporter_editing",
            "target_senators", "target_representative", "target_case_officials", "fixed_targets", "cases", "goal", "goal_counts_pledges", "collects_handwritten",
            "deadline", "status", "paused_reason", "won_suggested_at", "published_at", "closed_at", "public_url",
            "created_at", "updated_at", "version",
        ]

    def to_representation(self, action: Action) -> dict:
        data = super().to_representation(action)
        if action.pk not in self.context.get("changeable", ()):
            # Following an action (a volunteer, a partner) shows its progress, not which families it
            # draws on, nor whether they are all out (that is custody, read without consent).
            data["cases"] = None
            data["won_suggested_at"] = None
        return data

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField(), allow_null=True))
    def get_cases(self, action: Action) -> list[int]:
        return sorted(link.case_id for link in action.action_cases.all())

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_fixed_targets(self, action: Action) -> list[int]:
        return sorted(dm.pk for dm in action.fixed_targets.all())

    def get_public_url(self, action: Action) -> str:
        return f"/act/{action.slug}/"


class ActionDetailSerializer(ActionSerializer):
    progress = serializers.SerializerMethodField()
    tallies = serializers.SerializerMethodField()
    warnings = serializers.SerializerMethodField(help_text=(
        "A draft's texts that use facts unavailable now, by field, with the reason: saved, but it "
        "cannot be published until the records, the consent or the text change. Empty once published."))

    class Meta(ActionSerializer.Meta):
        fields = [*ActionSerializer.Meta.fields, "progress", "tallies", "warnings"]

    @extend_schema_field(serializers.DictField(child=serializers.ListField(child=serializers.CharField())))
    def get_warnings(self, action: Action) -> dict[str, list[str]]:
        from ..letters.render import draft_warnings
        from ..models import ActionStatus

        return draft_warnings(action) if action.status == ActionStatus.DRAFT else {}

    @extend_schema_field(ProgressSerializer)
    def get_progress(self, action: Action) -> dict:
        from ..selectors import progress

        return ProgressSerializer(progress(action)).data

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_tallies(self, action: Action) -> list[dict]:
        return TallySerializer(action.tallies.all()[:50], many=True).data


_TEXT_FIELDS = ["title", "slug", "intro", "letter_subject", "letter_body", "title_es", "intro_es",
                "letter_subject_es", "letter_body_es", "languages", "supporter_editing", "target_senators",
                "target_representative", "target_case_officials", "goal", "goal_counts_pledges",
                "collects_handwritten", "deadline"]


@extend_schema_field(OpenApiTypes.INT)
class ActiveDecisionMakerField(serializers.PrimaryKeyRelatedField):
    """An active decision maker of the shared directory or of one of your organisations."""

    def get_queryset(self):  # noqa: ANN201
        from ..services.decision_makers import visible_decision_makers

        return visible_decision_makers(user=self.context["request"].user).filter(active=True)


class ActionInputBase(serializers.ModelSerializer):
    languages = serializers.ListField(child=serializers.ChoiceField(choices=Language.choices), required=False)
    supporter_editing = serializers.ChoiceField(choices=SupporterEditing.choices, required=False)
    cases = VisibleCaseField(many=True)
    fixed_targets = ActiveDecisionMakerField(many=True, required=False)

    def get_validators(self) -> list:
        return []  # the slug's uniqueness is the service's, with a field error


class ActionCreateInput(ActionInputBase):
    organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.none())

    class Meta:
        model = Action
        fields = ["organization", "cases", "fixed_targets", *_TEXT_FIELDS]
        extra_kwargs = {"slug": {"required": False, "validators": []}}

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            self.fields["organization"].queryset = organizations_where(user=request.user, roles=CAN_CREATE_ACTIONS)


class ActionUpdateInput(VersionInput, ActionInputBase):
    cases = VisibleCaseField(many=True, required=False)

    class Meta:
        model = Action
        fields = ["version", "cases", "fixed_targets", *_TEXT_FIELDS]
        extra_kwargs = {"slug": {"validators": []}}


class PreviewInput(serializers.Serializer):
    """Unsaved text to try out (what the organizer is typing), or the saved letter when absent."""

    letter_subject = serializers.CharField(required=False, allow_blank=True)
    letter_body = serializers.CharField(required=False, allow_blank=True)
    language = serializers.ChoiceField(choices=Language.choices, default=Language.EN)
    decision_maker = ActiveDecisionMakerField(required=False, allow_null=True)


class FieldValueSerializer(serializers.Serializer):
    name = serializers.CharField()
    help = serializers.CharField()
    value = serializers.CharField(allow_null=True)
    available = serializers.BooleanField()
    reason = serializers.CharField(allow_blank=True)


class PreviewOutput(serializers.Serializer):
    subject = serializers.CharField(allow_blank=True)
    body = serializers.CharField(allow_blank=True)
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    fields = FieldValueSerializer(many=True)


class NeedSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=["failed", "unconfirmed", "print", "cwc", "contact_form"],
        help_text="What waits for a person: `failed` (look into the reasons, fix the office's address, retry), "
                  "`unconfirmed` (handed to the mail server without confirmation: ask the office), `print` (build "
                  "a printable batch and deliver it), `cwc` (no CWC credentials: export the CWC file, or add them), "
                  "`contact_form` (supporters were asked to use the office's contact form; nothing to do).")
    letters = serializers.IntegerField()
    reasons = serializers.ListField(child=serializers.CharField(), help_text="Failure reasons (codes, no text).")


class ReportRowSerializer(serializers.Serializer):
    decision_maker = DecisionMakerBrief()
    counts = serializers.DictField(child=serializers.IntegerField())
    total = serializers.IntegerField()
    needs = NeedSerializer(many=True)


class ReportSerializer(serializers.Serializer):
    progress = ProgressSerializer()
    by_decision_maker = ReportRowSerializer(many=True)
    by_status = serializers.DictField(child=serializers.IntegerField())
    referrals = serializers.DictField(child=serializers.IntegerField())


class TallySerializer(serializers.ModelSerializer):
    class Meta:
        model = Tally
        fields = ["id", "kind", "count", "note", "received_on", "received_from", "recorded_at"]


class TallyInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=TallyKind.choices)
    count = serializers.IntegerField(min_value=-1_000_000, max_value=1_000_000)
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)
    received_on = serializers.DateField(required=False, allow_null=True,
                                        help_text="A batch of handwritten letters: the day it reached you.")
    received_from = serializers.CharField(required=False, allow_blank=True, max_length=120,
                                          help_text="From whom: a group or an event, never a child's name.")


class ActionShareSerializer(serializers.ModelSerializer):
    user = serializers.EmailField(source="user.email", read_only=True, allow_null=True, default=None)
    organization = serializers.CharField(source="organization.name", read_only=True, allow_null=True, default=None)

    class Meta:
        model = ActionShare
        fields = ["id", "action", "user", "organization", "access", "created_at", "revoked_at"]


# Sharing an action takes the same body as sharing a case: an access level and one grantee.
ActionShareInput = ShareInput


# --- supporters and letters --------------------------------------------------------------------
class SubmissionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Submission
        fields = ["id", "action", "prefix", "first_name", "last_name", "email", "street", "city", "state",
                  "zip_code", "district", "phone", "note", "edited_body", "language", "referral_code", "referred_by",
                  "created_at", "updated_at"]


class LetterSerializer(serializers.ModelSerializer):
    decision_maker_name = serializers.CharField(source="decision_maker.salutation", read_only=True)

    class Meta:
        model = Letter
        fields = ["id", "action", "submission", "decision_maker", "decision_maker_name", "key", "channel", "status",
                  "language", "subject", "body", "attempts", "last_error", "next_attempt_at", "rendered_at",
                  "sent_at", "created_at", "updated_at"]


class LetterDetailSerializer(LetterSerializer):
    class Meta(LetterSerializer.Meta):
        fields = [*LetterSerializer.Meta.fields, "cwc_xml"]


class PdfBatchSerializer(serializers.ModelSerializer):
    progress = serializers.IntegerField(read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = PdfBatch
        fields = ["id", "action", "decision_maker", "status", "total", "done", "pages", "progress",
                  "error", "download_url", "created_at", "finished_at"]

    def get_download_url(self, batch: PdfBatch) -> str | None:
        return f"/api/v1/pdf-batches/{batch.pk}/download/" if batch.status == PdfBatch.Status.READY else None


class PdfBatchInput(serializers.Serializer):
    action = serializers.IntegerField()
    decision_maker = serializers.PrimaryKeyRelatedField(queryset=DecisionMaker.objects.all())
