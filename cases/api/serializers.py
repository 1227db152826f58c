"""Output serializers (what the API shows) and input serializers (what a write may carry).
Writes never go through serializer.save(): views hand validated data to a service."""
import dataclasses
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from accounts.models import Organization, User
from accounts.roles import CAN_CREATE_CASES, ShareAccess
from accounts.selectors import organizations_where

from .. import facts
from ..models import (
    Case, CaseEvent, CaseShare, ConsentLevel, CredibleFearProcess, CustodianKind, CustodyEpisode, Facility,
    FieldOffice, Hearing, Note, Person, Proceeding, ReleaseType, Sponsor,
)
from ..pii import redact
from ..selectors import ListMember, list_members, visible_cases
from .pii import PiiListSerializer, PiiRedactingSerializer, mark_pii_shown, may_see_pii


# --- reference data ------------------------------------------------------------------------
class FieldOfficeSerializer(serializers.ModelSerializer):
    class Meta:
        model = FieldOffice
        fields = ["id", "code", "name", "city", "state", "version"]
        read_only_fields = ["version"]


class FacilitySerializer(serializers.ModelSerializer):
    field_office_code = serializers.CharField(source="field_office.code", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Facility
        fields = ["id", "name", "kind", "address", "city", "state", "field_office", "field_office_code", "version"]
        read_only_fields = ["version"]


# --- custody -------------------------------------------------------------------------------
class CustodyEpisodeSerializer(serializers.ModelSerializer):
    facility_name = serializers.CharField(source="facility.name", read_only=True, allow_null=True, default=None)
    field_office = serializers.CharField(source="facility.field_office.code", read_only=True, allow_null=True, default=None)
    days_detained = serializers.IntegerField(read_only=True, allow_null=True)  # none once released
    is_open = serializers.BooleanField(read_only=True)

    class Meta:
        model = CustodyEpisode
        fields = [
            "id", "person", "kind", "facility", "facility_name", "field_office", "release_type", "removed_to",
            "sponsor", "started_on", "ended_on", "is_open", "detained_since", "days_detained", "version",
        ]


class CurrentCustodySerializer(CustodyEpisodeSerializer):
    class Meta(CustodyEpisodeSerializer.Meta):
        fields = ["id", "kind", "facility", "facility_name", "field_office", "release_type", "removed_to",
                  "started_on", "detained_since", "days_detained"]


class PersonSerializer(PiiRedactingSerializer):
    pii_subject = "person"
    label = serializers.SerializerMethodField()
    age = serializers.IntegerField(read_only=True, allow_null=True)  # none without a date of birth
    current_custody = serializers.SerializerMethodField()
    detained_over_30_days = serializers.SerializerMethodField()
    a_number = serializers.CharField(read_only=True, allow_null=True)
    a_number_duplicate = serializers.BooleanField(read_only=True, default=False)

    class Meta(PiiRedactingSerializer.Meta):
        model = Person
        fields = [
            "id", "case", "role", "label", "first_name", "last_name", "date_of_birth", "age", "country_of_birth",
            "languages", "address", "a_number", "a_number_duplicate", "current_custody", "detained_over_30_days",
            "redacted", "version",
        ]

    def get_label(self, person: Person) -> str:
        return f"{person.get_role_display()} #{person.pk}"

    def get_current_custody(self, person: Person) -> dict | None:
        ep = facts.current_episode(person)
        return CurrentCustodySerializer(ep, context=self.context).data if ep else None

    def get_detained_over_30_days(self, person: Person) -> bool:
        return facts.detained_over(person)


class SponsorSerializer(PiiRedactingSerializer):
    pii_subject = "sponsor"
    is_secured = serializers.BooleanField(read_only=True)
    is_vetted = serializers.BooleanField(read_only=True)

    class Meta(PiiRedactingSerializer.Meta):
        model = Sponsor
        fields = ["id", "case", "person", "name", "relationship", "category", "status", "contact", "step_due_on",
                  "is_secured", "is_vetted", "redacted", "version"]


class FearProcessSerializer(serializers.ModelSerializer):
    review_deadline = serializers.DateField(read_only=True, allow_null=True)  # none until a review is asked
    case = serializers.IntegerField(source="person.case_id", read_only=True)

    class Meta:
        model = CredibleFearProcess
        fields = ["id", "case", "person", "kind", "interview_on", "outcome", "decided_on", "review",
                  "review_requested_on", "referred_on", "review_decided_on", "review_deadline", "version"]


class HearingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Hearing
        fields = ["id", "proceeding", "scheduled_at", "purpose", "location", "status", "outcome", "version"]


class ProceedingSerializer(PiiRedactingSerializer):
    pii_subject = "proceeding"
    hearings = HearingSerializer(many=True, read_only=True)
    next_hearing = serializers.SerializerMethodField()

    class Meta(PiiRedactingSerializer.Meta):
        model = Proceeding
        fields = ["id", "case", "person", "kind", "court", "docket", "status", "agency_position", "outcome",
                  "hearings", "next_hearing", "redacted", "version"]

    def get_next_hearing(self, p: Proceeding) -> str | None:
        from django.utils import timezone

        now = timezone.now()
        upcoming = [h.scheduled_at for h in p.hearings.all() if h.status == "scheduled" and h.scheduled_at >= now]
        return min(upcoming).isoformat() if upcoming else None


class NoteSerializer(serializers.ModelSerializer):
    author = serializers.EmailField(source="author.email", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Note
        fields = ["id", "case", "author", "body", "created_at"]

    def to_representation(self, instance: Note) -> dict:
        mark_pii_shown(self.context, instance.case_id)  # the access log counts a note as the family's PII
        return super().to_representation(instance)


class FamilySummarySerializer(serializers.Serializer):
    members = serializers.IntegerField()
    detained = serializers.IntegerField()
    longest_detention_days = serializers.IntegerField(allow_null=True)
    detained_over_30_days = serializers.BooleanField()
    removed = serializers.IntegerField()
    reunified = serializers.BooleanField()


class MemberSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    role = serializers.CharField()
    custody = serializers.CharField(allow_null=True)
    facility = serializers.CharField(allow_null=True)
    field_office = serializers.CharField(allow_null=True)
    days_detained = serializers.IntegerField(allow_null=True)


class CaseListSerializer(PiiRedactingSerializer):
    pii_subject = "case"
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    family = serializers.SerializerMethodField()
    members = serializers.SerializerMethodField()

    class Meta(PiiRedactingSerializer.Meta):
        model = Case
        fields = ["id", "reference", "organization", "organization_name", "separated_on", "separation_place",
                  "consent_level", "status", "family", "members", "redacted", "updated_at", "version"]

    @staticmethod
    def case_id_of(instance: Case) -> int:
        return instance.pk

    # Plain dicts, not nested serializers: this runs for every row of every case-list page.
    @extend_schema_field(FamilySummarySerializer)
    def get_family(self, case: Case) -> dict:
        return dataclasses.asdict(facts.family_summary(case))

    @extend_schema_field(MemberSummarySerializer(many=True))
    def get_members(self, case: Case) -> list[dict]:
        out = []
        for p in case.people.all():
            ep = facts.current_episode(p)
            out.append({
                "id": p.pk, "role": p.role, "custody": ep.kind if ep else None,
                "facility": ep.facility.name if ep and ep.facility else None,
                "field_office": ep.facility.field_office.code if ep and ep.facility and ep.facility.field_office else None,
                "days_detained": ep.days_detained if ep else None,
            })
        return out


_DATE = serializers.DateField()
_DATETIME = serializers.DateTimeField()


def _member_row(m: ListMember) -> dict:
    return {"id": m.id, "role": m.role, "custody": m.kind, "facility": m.facility, "field_office": m.field_office,
            "days_detained": m.days_detained}


class CaseListRows(PiiListSerializer):
    """A page of CaseListRowSerializer: its members in one query of plain values for the page."""

    def to_representation(self, data: Any) -> list:
        items = list(data.all() if hasattr(data, "all") else data)
        self.child.page_members = list_members(page=items)
        return super().to_representation(items)


# CaseListSerializer's output, built as one dict per row instead of through DRF's field machinery
# and model instances: the case list is the API's busiest read and this was most of its Python time
# (docs/performance.md). The schema is CaseListSerializer's (it declares the fields; no docstring
# here, so the schema's description stays its), and tests/api/test_case_list_output.py checks that
# both give the same JSON for the same rows.
@extend_schema_serializer(component_name="CaseList")
class CaseListRowSerializer(CaseListSerializer):
    page_members: dict[int, list[ListMember]] | None = None

    class Meta(CaseListSerializer.Meta):
        list_serializer_class = CaseListRows

    def to_representation(self, case: Case) -> dict:
        people = (self.page_members if self.page_members is not None else list_members(page=[case])).get(case.pk, [])
        summary = facts.family_summary(case, people=people, episodes=[m if m.kind else None for m in people])
        return {
            "id": case.pk,
            "reference": case.reference,
            "organization": case.organization_id,
            "organization_name": case.organization.name,
            "separated_on": _DATE.to_representation(case.separated_on) if case.separated_on else None,
            "separation_place": case.separation_place,
            "consent_level": case.consent_level,
            "status": case.status,
            "family": {
                "members": summary.members, "detained": summary.detained,
                "longest_detention_days": summary.longest_detention_days,
                "detained_over_30_days": summary.detained_over_30_days,
                "removed": summary.removed, "reunified": summary.reunified,
            },
            "members": [_member_row(m) for m in people],
            # The list shows none of the case's PII fields (PII_FIELDS["case"]): only the flag.
            "redacted": not may_see_pii(self.context, case.pk),
            "updated_at": _DATETIME.to_representation(case.updated_at),
            "version": case.version,
        }


class CaseDetailSerializer(CaseListSerializer):
    people = PersonSerializer(many=True, read_only=True)
    sponsors = SponsorSerializer(many=True, read_only=True)
    fear_processes = serializers.SerializerMethodField()
    proceedings = ProceedingSerializer(many=True, read_only=True)

    class Meta(CaseListSerializer.Meta):
        fields = [*CaseListSerializer.Meta.fields, "summary", "port_of_entry", "consent_recorded_at", "closed_on",
                  "closed_reason", "people", "sponsors", "fear_processes", "proceedings", "created_at"]

    def get_fear_processes(self, case: Case) -> list[dict]:
        processes = [fp for p in case.people.all() for fp in p.fear_processes.all()]
        return FearProcessSerializer(processes, many=True, context=self.context).data


class CaseEventSerializer(serializers.ModelSerializer):
    actor = serializers.EmailField(source="actor.email", read_only=True, allow_null=True, default=None)

    class Meta:
        model = CaseEvent
        fields = ["id", "at", "actor", "action", "subject_type", "subject_id", "before", "after"]
        list_serializer_class = PiiListSerializer

    @staticmethod
    def case_id_of(e: CaseEvent) -> int:
        return e.case_id

    def to_representation(self, event: CaseEvent) -> dict:
        data = super().to_representation(event)
        if not may_see_pii(self.context, event.case_id):
            data["before"] = redact(event.subject_type, event.before)
            data["after"] = redact(event.subject_type, event.after)
        return data


class CaseShareSerializer(serializers.ModelSerializer):
    user = serializers.EmailField(source="user.email", read_only=True, allow_null=True, default=None)
    organization = serializers.CharField(source="organization.name", read_only=True, allow_null=True, default=None)

    class Meta:
        model = CaseShare
        fields = ["id", "case", "user", "organization", "access", "created_at", "revoked_at"]


# --- inputs --------------------------------------------------------------------------------
@extend_schema_field(OpenApiTypes.INT)
class VisibleCaseField(serializers.PrimaryKeyRelatedField):
    """A case the caller can see; any other id is 'does not exist', never 'forbidden'."""

    def get_queryset(self):  # noqa: ANN201
        return visible_cases(user=self.context["request"].user)


class VersionInput(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, help_text="The version your change is based on.")


class CaseCreateInput(serializers.ModelSerializer):
    organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.none())

    class Meta:
        model = Case
        fields = ["organization", "reference", "separated_on", "separation_place", "port_of_entry", "summary"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            self.fields["organization"].queryset = organizations_where(user=request.user, roles=CAN_CREATE_CASES)

    def get_validators(self) -> list:
        return []  # uniqueness is checked by the service, with a field error


class CaseUpdateInput(VersionInput, serializers.ModelSerializer):
    class Meta:
        model = Case
        fields = ["version", "reference", "separated_on", "separation_place", "port_of_entry", "summary"]

    def get_validators(self) -> list:
        return []


class PersonInput(serializers.ModelSerializer):
    case = VisibleCaseField()
    a_number = serializers.CharField(required=False, allow_blank=True, max_length=20)

    class Meta:
        model = Person
        fields = ["case", "role", "first_name", "last_name", "date_of_birth", "country_of_birth", "languages",
                  "address", "a_number"]


class PersonUpdateInput(VersionInput, PersonInput):
    class Meta(PersonInput.Meta):
        fields = ["version", *[f for f in PersonInput.Meta.fields if f != "case"]]


@extend_schema_field(OpenApiTypes.INT)
class VisiblePersonField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):  # noqa: ANN201
        return Person.objects.filter(case__in=visible_cases(user=self.context["request"].user))


@extend_schema_field(OpenApiTypes.INT)
class VisibleSponsorField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):  # noqa: ANN201
        return Sponsor.objects.filter(case__in=visible_cases(user=self.context["request"].user))


class CustodyEpisodeInput(serializers.ModelSerializer):
    person = VisiblePersonField()
    sponsor = VisibleSponsorField(required=False, allow_null=True)

    class Meta:
        model = CustodyEpisode
        fields = ["person", "kind", "facility", "release_type", "removed_to", "sponsor", "started_on", "ended_on"]
        validators: list = []


class CustodyEpisodeUpdateInput(VersionInput, serializers.ModelSerializer):
    """A correction of a recorded episode: the reason is required and kept in the timeline."""

    reason = serializers.CharField(max_length=500, help_text="Why this entry is corrected (kept in the history).")

    class Meta:
        model = CustodyEpisode
        fields = ["version", "reason", "kind", "facility", "release_type", "removed_to", "started_on", "ended_on"]
        validators: list = []


class TransferCustodyInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=CustodianKind.choices)
    on = serializers.DateField()
    facility = serializers.PrimaryKeyRelatedField(queryset=Facility.objects.all(), required=False, allow_null=True)
    release_type = serializers.ChoiceField(choices=ReleaseType.choices, required=False, allow_blank=True)
    removed_to = serializers.CharField(required=False, allow_blank=True, max_length=80)


class ReleaseToSponsorInput(serializers.Serializer):
    sponsor = VisibleSponsorField()
    on = serializers.DateField()


class SponsorInput(serializers.ModelSerializer):
    case = VisibleCaseField()
    person = VisiblePersonField(required=False, allow_null=True)

    class Meta:
        model = Sponsor
        fields = ["case", "person", "name", "relationship", "category", "status", "contact", "step_due_on"]


class SponsorUpdateInput(VersionInput, serializers.ModelSerializer):
    person = VisiblePersonField(required=False, allow_null=True)
    class Meta:
        model = Sponsor
        fields = ["version", "person", "name", "relationship", "category", "status", "contact", "step_due_on"]


class FearProcessInput(serializers.ModelSerializer):
    person = VisiblePersonField()

    class Meta:
        model = CredibleFearProcess
        fields = ["person", "kind", "interview_on"]


class FearProcessUpdateInput(VersionInput, serializers.ModelSerializer):
    class Meta:
        model = CredibleFearProcess
        fields = ["version", "kind", "interview_on"]


class InterviewOutcomeInput(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=[("positive", "Positive"), ("negative", "Negative")])
    decided_on = serializers.DateField()
    interview_on = serializers.DateField(required=False)


class ReviewRequestInput(serializers.Serializer):
    requested_on = serializers.DateField()
    referred_on = serializers.DateField(
        required=False, help_text="The referral to the immigration judge; required for reasonable fear, whose "
                                  "10-day review deadline runs from it (8 CFR 208.31(g)).")


class ReviewResultInput(serializers.Serializer):
    result = serializers.ChoiceField(choices=[("affirmed", "Affirmed"), ("vacated", "Vacated")])
    decided_on = serializers.DateField()


class ProceedingInput(serializers.ModelSerializer):
    case = VisibleCaseField()
    person = VisiblePersonField(required=False, allow_null=True)

    class Meta:
        model = Proceeding
        fields = ["case", "person", "kind", "court", "docket", "status", "agency_position", "outcome"]


class ProceedingUpdateInput(VersionInput, serializers.ModelSerializer):
    class Meta:
        model = Proceeding
        fields = ["version", "court", "docket", "status", "agency_position", "outcome"]


class HearingInput(serializers.Serializer):
    scheduled_at = serializers.DateTimeField()
    purpose = serializers.CharField(required=False, allow_blank=True, max_length=120)
    location = serializers.CharField(required=False, allow_blank=True, max_length=200)


class HearingUpdateInput(VersionInput, serializers.ModelSerializer):
    class Meta:
        model = Hearing
        fields = ["version", "scheduled_at", "purpose", "location", "status", "outcome"]


class NoteInput(serializers.Serializer):
    case = VisibleCaseField()
    body = serializers.CharField(max_length=10000)


class ConsentInput(serializers.Serializer):
    level = serializers.ChoiceField(choices=ConsentLevel.choices)


class ReunifiedInput(serializers.Serializer):
    on = serializers.DateField()


# The same answer for an address with no account, a deactivated one, or an unknown organisation:
# sharing never tells anyone whether an email address has an account here.
NOT_SHAREABLE = {"does_not_exist": "We could not share with that person or organisation.",
                 "invalid": "We could not share with that person or organisation."}


class ShareInput(serializers.Serializer):
    access = serializers.ChoiceField(choices=ShareAccess.choices)
    user = serializers.SlugRelatedField(slug_field="email", queryset=User.objects.filter(is_active=True),
                                        required=False, allow_null=True, error_messages=NOT_SHAREABLE)
    organization = serializers.SlugRelatedField(slug_field="slug", queryset=Organization.objects.all(),
                                                required=False, allow_null=True, error_messages=NOT_SHAREABLE)

    def validate(self, attrs: dict) -> dict:
        if bool(attrs.get("user")) == bool(attrs.get("organization")):
            raise serializers.ValidationError({"user": ["Give either a user's email or an organisation's slug."]})
        return attrs


class AssignInput(serializers.Serializer):
    user = serializers.SlugRelatedField(slug_field="email", queryset=User.objects.filter(is_active=True),
                                        error_messages={"does_not_exist": "We could not assign that person.",
                                                        "invalid": "We could not assign that person."})


class CaseSearchInput(serializers.Serializer):
    """Documents the body of POST /cases/search/: the list's filters plus the exact A-number."""

    a_number = serializers.CharField(required=False)
    custodian_kind = serializers.ChoiceField(choices=CustodianKind.choices, required=False)
    facility = serializers.IntegerField(required=False)
    field_office = serializers.CharField(required=False)
    detained_more_than = serializers.IntegerField(required=False, min_value=0)
    sponsor_status = serializers.ChoiceField(choices=Sponsor.Status.choices, required=False)
    credible_fear_outcome = serializers.ChoiceField(choices=CredibleFearProcess.Outcome.choices, required=False)
    hearing_within = serializers.IntegerField(required=False, min_value=0)
    reference = serializers.CharField(required=False)


class PersonSearchInput(serializers.Serializer):
    a_number = serializers.CharField(required=False)
    case = serializers.IntegerField(required=False)
    role = serializers.ChoiceField(choices=Person.Role.choices, required=False)


class CaseSearchOutput(serializers.Serializer):
    results = CaseListRowSerializer(many=True)
    truncated = serializers.BooleanField()


class PersonSearchOutput(serializers.Serializer):
    results = PersonSerializer(many=True)
    truncated = serializers.BooleanField()

