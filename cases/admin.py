"""Admin for the case domain, under the same object permissions as the API.

- Every list starts from the caller's selector (visible_cases and friends, built with
  with_superuser=False): a staff user, even a superuser, sees only the families their memberships
  and shares open to them. Anything else answers like a record that does not exist (a redirect to
  the admin index), never a 403 that confirms it exists.
- Viewing and changing one object check guardian's view_case / change_case on its case; without
  view_case_pii the PII fields (cases.pii) are left out of the page, and list columns that carry
  names show "(redacted)". A-numbers never appear in a list.
- Changes are made by the domain's services (which lock, re-check permission, validate and write
  the history entry), called from the form once it is valid, so a service's refusal shows on the
  form. The form carries the version it was opened at: a stale save changes nothing.
- Nothing is added here (use the API, which runs the creation rules) and nothing is deleted: the
  record of a family is kept, and history is append-only.
"""
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, Model, OuterRef, QuerySet
from django.http import HttpRequest

from accounts.audit import AccessVia, record_pii_shown
from accounts.models import User
from accounts.roles import CHANGE, VIEW, VIEW_PII

from . import selectors, services
from .fields import EncryptedTextField
from .models import (
    Assignment, Case, CaseEvent, CaseShare, CredibleFearProcess, CustodyEpisode, Facility, FieldOffice, Hearing,
    Note, Person, Proceeding, Sponsor,
)
from .permissions import cases_with_perm, has_case_perm
from .pii import PII_FIELDS, redact
from .services import StaleVersion

REDACTED = "(redacted)"
VERSION_FIELD = "based_on_version"


class ServiceForm(forms.ModelForm):
    """A model form whose save is a service call.

    Field and model validation run as usual; then, if anything changed, `admin.apply(...)` makes
    the change through the domain service inside the admin's transaction. What the service refuses
    (a stale version, a rule such as "one open custody episode") becomes a form error, and the
    admin's own save_model then has nothing left to write.
    """

    based_on_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    actor: User | None = None
    admin: "ServiceAdmin | None" = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and hasattr(self.instance, "version"):
            self.fields[VERSION_FIELD].initial = self.instance.version
            self.fields[VERSION_FIELD].required = True
        if self.admin is not None:
            self.admin.limit_choices(self)

    def _post_clean(self) -> None:
        super()._post_clean()
        if self.errors or self.admin is None:
            return
        # A new row (reference data) takes every field; an existing one only what the user changed.
        names = self.changed_data if self.instance.pk else self.cleaned_data
        changes = {name: self.cleaned_data[name] for name in names if name != VERSION_FIELD}
        if not changes:
            return
        try:
            # All or nothing, even when one save is two transitions (a case edit and its consent).
            with transaction.atomic():
                self.instance = self.admin.apply(self.actor, self.instance, self.cleaned_data.get(VERSION_FIELD),
                                                 changes)
        except StaleVersion:
            self.add_error(None, "Someone changed this record after you opened it. Reload the page and "
                                 "make your change again.")
        except PermissionDenied:
            self.add_error(None, "You may not make this change.")
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                self.add_error(None, exc)
                return
            for field, errors in exc.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)


class ServiceAdmin(admin.ModelAdmin):
    """Saves through `apply`; subclasses name the service. No admin action, no delete."""

    form = ServiceForm
    actions = None
    formfield_overrides = {EncryptedTextField: {"widget": forms.TextInput}}

    def apply(self, actor: User, obj: Model, version: int | None, changes: dict[str, Any]) -> Model:
        raise NotImplementedError

    def limit_choices(self, form: ServiceForm) -> None:
        """Narrow the related-object choices on the form (hook)."""

    def get_form(self, request: HttpRequest, obj: Model | None = None, change: bool = False, **kwargs: Any) -> type:
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user, "admin": self})

    def get_fields(self, request: HttpRequest, obj: Model | None = None) -> list[str]:
        fields = list(super().get_fields(request, obj))
        if obj is None or not self.has_change_permission(request, obj):
            fields = [f for f in fields if f != VERSION_FIELD]
        return fields

    def save_model(self, request: HttpRequest, obj: Model, form: forms.ModelForm, change: bool) -> None:
        """Nothing to write: the form's service call already saved the change and its history."""

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


def _staff(request: HttpRequest) -> bool:
    return bool(request.user.is_active and request.user.is_staff)


class CaseDomainAdmin(ServiceAdmin):
    """Base for everything that belongs to a case.

    `selector` gives the caller's queryset, `case_path` the lookup from this model to its case, and
    `pii_subject` the key in cases.pii.PII_FIELDS. Without `update` the admin is read-only.
    """

    selector: Callable[..., QuerySet] = staticmethod(selectors.visible_cases)
    case_path = "case"
    pii_subject = ""
    update: Callable[..., Model] | None = None
    list_per_page = 50

    # --- the caller's rows ---------------------------------------------------------------------
    def get_queryset(self, request: HttpRequest) -> QuerySet:
        qs = type(self).selector(user=request.user)
        if self.case_path != "pk":
            qs = qs.select_related(self.case_path)
        # One EXISTS per row instead of one permission query per row, for list columns with PII.
        pii_cases = cases_with_perm(request.user, VIEW_PII).filter(pk=OuterRef(self.case_path))
        return qs.annotate(pii_ok=Exists(pii_cases))

    def case_of(self, obj: Model) -> Case:
        if self.case_path == "pk":
            return obj
        for part in self.case_path.split("__"):
            obj = getattr(obj, part)
        return obj

    def _perm(self, request: HttpRequest, perm: str, obj: Model | None) -> bool:
        """Object permission on obj's case, asked once per request (the admin asks often)."""
        cache = request.__dict__.setdefault("_case_perm_cache", {})
        if obj is None:
            key = (perm, None)
            if key not in cache:
                cache[key] = cases_with_perm(request.user, perm).exists()
            return cache[key]
        case = self.case_of(obj)
        key = (perm, case.pk)
        if key not in cache:
            cache[key] = has_case_perm(request.user, perm, case)
        return cache[key]

    # --- permissions -----------------------------------------------------------------------------
    def has_module_permission(self, request: HttpRequest) -> bool:
        return _staff(request)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # The list needs no check of its own: its rows are already the caller's.
        return _staff(request) and (obj is None or self._perm(request, VIEW, obj))

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.update is not None and _staff(request) and self._perm(request, CHANGE, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        """Added through the API (/api/v1/), which runs the creation rules and permissions."""
        return False

    # --- PII -------------------------------------------------------------------------------------
    def hidden_fields(self, request: HttpRequest, obj: Model | None) -> frozenset[str]:
        if obj is not None and self._perm(request, VIEW_PII, obj):
            return frozenset()
        return PII_FIELDS.get(self.pii_subject, frozenset())

    # --- the access log (accounts.audit) -----------------------------------------------------------
    list_shows_pii = False  # a list column shows names (_name_column)

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "",
                    extra_context: dict | None = None) -> Any:
        response = super().change_view(request, object_id, form_url, extra_context)
        obj = (getattr(response, "context_data", None) or {}).get("original")
        if obj is not None and self.pii_subject and not self.hidden_fields(request, obj):
            record_pii_shown(request, {self.case_of(obj).pk}, via=AccessVia.ADMIN,
                             what=f"{self.opts.model_name} admin page", object_id=obj.pk)
        return response

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> Any:
        response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if changelist is not None and self.list_shows_pii:
            shown = {self.case_of(o).pk for o in changelist.result_list if getattr(o, "pii_ok", False)}
            record_pii_shown(request, shown, via=AccessVia.ADMIN, what=f"{self.opts.model_name} admin list")
        return response

    def get_exclude(self, request: HttpRequest, obj: Model | None = None) -> list[str]:
        return [*(super().get_exclude(request, obj) or ()), *self.hidden_fields(request, obj)]

    def get_fields(self, request: HttpRequest, obj: Model | None = None) -> list[str]:
        hidden = self.hidden_fields(request, obj)
        return [f for f in super().get_fields(request, obj) if f not in hidden]

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> list[str]:
        hidden = self.hidden_fields(request, obj)
        return [f for f in super().get_readonly_fields(request, obj) if f not in hidden]

    # --- saving ----------------------------------------------------------------------------------
    def apply(self, actor: User, obj: Model, version: int | None, changes: dict[str, Any]) -> Model:
        return type(self).update(actor, obj, version, changes)

    def limit_choices(self, form: ServiceForm) -> None:
        # Related rows offered on the form are this family's only.
        case = self.case_of(form.instance)
        for field in form.fields.values():
            model = getattr(getattr(field, "queryset", None), "model", None)
            if model in (Person, Sponsor, Proceeding):
                field.queryset = field.queryset.filter(case=case)


def _name_column(obj: Model, text: str) -> str:
    return text if getattr(obj, "pii_ok", False) else REDACTED


def _case_update(actor: User, case: Case, version: int, changes: dict[str, Any]) -> Case:
    """Consent is its own transition (consent_record: who recorded it and when)."""
    level = changes.pop("consent_level", None)
    if changes:
        case = services.case_update(actor=actor, case=case, version=version, **changes)
    elif Case.objects.filter(pk=case.pk).values_list("version", flat=True).get() != version:
        raise StaleVersion()
    if level is not None:
        case = services.consent_record(actor=actor, case=case, level=level)
    return case


@admin.register(Case)
class CaseAdmin(CaseDomainAdmin):
    selector = staticmethod(selectors.visible_cases)
    case_path = "pk"
    pii_subject = "case"
    update = staticmethod(_case_update)
    list_display = ("reference", "organization", "separated_on", "port_of_entry", "consent_level", "updated_at")
    list_filter = ("consent_level",)
    search_fields = ("reference",)
    list_select_related = ("organization", "port_of_entry")
    # Closing and reopening a file are transitions with a reason (case page, services.case_close).
    readonly_fields = ("organization", "consent_recorded_by", "consent_recorded_at", "status", "closed_on",
                       "closed_reason", "version", "created_at", "updated_at")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Case]:
        return super().get_queryset(request).select_related("organization", "port_of_entry")


@admin.register(Person)
class PersonAdmin(CaseDomainAdmin):
    selector = staticmethod(selectors.person_list)
    pii_subject = "person"
    list_shows_pii = True
    update = staticmethod(lambda actor, obj, version, changes: services.person_update(
        actor=actor, person=obj, version=version, **changes))
    list_display = ("__str__", "case", "role", "name", "country_of_birth", "languages")
    list_filter = ("role",)
    list_select_related = ("case",)
    readonly_fields = ("case", "version", "created_at", "updated_at")

    @admin.display(description="name")
    def name(self, obj: Person) -> str:
        return _name_column(obj, f"{obj.first_name} {obj.last_name}".strip())


@admin.register(CustodyEpisode)
class CustodyEpisodeAdmin(CaseDomainAdmin):
    """Corrections to a recorded episode. A move to new custody is a transfer: use the API's
    /people/{id}/transfer-custody/ so the current episode is closed on the same day."""

    selector = staticmethod(selectors.episode_list)
    case_path = "person__case"
    form = type("CorrectionForm", (ServiceForm,), {
        "reason": forms.CharField(max_length=500, help_text="Why this entry is corrected (kept in the timeline).")})
    update = staticmethod(lambda actor, obj, version, changes: services.custody_episode_update(
        actor=actor, episode=obj, version=version, **changes))
    list_display = ("__str__", "person", "case", "kind", "facility", "started_on", "ended_on", "days_detained")
    list_filter = ("kind",)
    list_select_related = ("person__case", "facility")
    readonly_fields = ("person", "detained_since", "version", "updated_at")

    @admin.display(description="case")
    def case(self, obj: CustodyEpisode) -> str:
        return obj.person.case.reference

    def limit_choices(self, form: ServiceForm) -> None:
        if "sponsor" in form.fields:
            form.fields["sponsor"].queryset = Sponsor.objects.filter(case_id=form.instance.person.case_id)


@admin.register(Sponsor)
class SponsorAdmin(CaseDomainAdmin):
    selector = staticmethod(selectors.sponsor_list)
    pii_subject = "sponsor"
    list_shows_pii = True
    update = staticmethod(lambda actor, obj, version, changes: services.sponsor_update(
        actor=actor, sponsor=obj, version=version, **changes))
    list_display = ("__str__", "case", "sponsor_name", "relationship", "category", "status")
    list_filter = ("status", "category")
    list_select_related = ("case",)
    readonly_fields = ("case", "version", "updated_at")

    @admin.display(description="name")
    def sponsor_name(self, obj: Sponsor) -> str:
        return _name_column(obj, obj.name)


@admin.register(CredibleFearProcess)
class CredibleFearProcessAdmin(CaseDomainAdmin):
    """Corrections. The usual steps (record the outcome, request and record the judge's review)
    are the API's transitions on /credible-fear/{id}/."""

    selector = staticmethod(selectors.fear_process_list)
    case_path = "person__case"
    update = staticmethod(lambda actor, obj, version, changes: services.fear_process_update(
        actor=actor, process=obj, version=version, **changes))
    list_display = ("__str__", "person", "case", "kind", "outcome", "decided_on", "review", "review_deadline")
    list_filter = ("outcome", "kind", "review")
    list_select_related = ("person__case",)
    readonly_fields = ("person", "review_deadline", "version", "updated_at")

    @admin.display(description="case")
    def case(self, obj: CredibleFearProcess) -> str:
        return obj.person.case.reference


@admin.register(Proceeding)
class ProceedingAdmin(CaseDomainAdmin):
    selector = staticmethod(selectors.proceeding_list)
    pii_subject = "proceeding"
    update = staticmethod(lambda actor, obj, version, changes: services.proceeding_update(
        actor=actor, proceeding=obj, version=version, **changes))
    list_display = ("__str__", "case", "kind", "court", "status", "agency_position")
    list_filter = ("kind", "status", "agency_position")
    list_select_related = ("case", "court")
    readonly_fields = ("case", "version", "updated_at")


@admin.register(Hearing)
class HearingAdmin(CaseDomainAdmin):
    selector = staticmethod(selectors.hearing_list)
    case_path = "proceeding__case"
    update = staticmethod(lambda actor, obj, version, changes: services.hearing_update(
        actor=actor, hearing=obj, version=version, **changes))
    list_display = ("__str__", "proceeding", "case", "scheduled_at", "purpose", "status")
    list_filter = ("status",)
    list_select_related = ("proceeding__case",)
    readonly_fields = ("proceeding", "version", "updated_at")

    @admin.display(description="case")
    def case(self, obj: Hearing) -> str:
        return obj.proceeding.case.reference


@admin.register(Note)
class NoteAdmin(CaseDomainAdmin):
    """Read-only: notes are not edited (add one through the API). Notes are PII, so the list holds
    only cases where the caller has view_case_pii."""

    selector = staticmethod(selectors.note_list)
    pii_subject = "note"
    list_display = ("__str__", "case", "author", "created_at")
    list_select_related = ("case", "author")


@admin.register(CaseShare)
class CaseShareAdmin(CaseDomainAdmin):
    """Read-only: share and revoke through the API (/cases/{id}/share/, /shares/{id}/revoke/),
    which also grants and removes the permission rows."""

    selector = staticmethod(selectors.share_list)
    list_display = ("__str__", "case", "user", "organization", "access", "created_at", "revoked_at")
    list_filter = ("access",)
    list_select_related = ("case", "user", "organization")


def _assignments(*, user: User) -> QuerySet[Assignment]:
    return Assignment.objects.filter(case__in=selectors.visible_cases(user=user)).select_related("user")


@admin.register(Assignment)
class AssignmentAdmin(CaseDomainAdmin):
    """Read-only: assign and unassign through the API, which also grants the volunteer's access."""

    selector = staticmethod(_assignments)
    list_display = ("__str__", "case", "user", "created_at")
    list_select_related = ("case", "user")


def _events(*, user: User) -> QuerySet[CaseEvent]:
    return CaseEvent.objects.filter(case__in=selectors.visible_cases(user=user)).select_related("actor")


@admin.register(CaseEvent)
class CaseEventAdmin(CaseDomainAdmin):
    """The history: read-only and never deleted. Before/after values that are PII are shown only
    with view_case_pii on the case."""

    selector = staticmethod(_events)
    list_display = ("at", "case", "action", "subject_type", "subject_id", "actor")
    list_filter = ("action", "subject_type")
    list_select_related = ("case", "actor")
    fields = ("case", "at", "actor", "action", "subject_type", "subject_id", "before_values", "after_values")
    readonly_fields = fields

    @admin.display(description="before")
    def before_values(self, obj: CaseEvent) -> dict:
        return obj.before if obj.pii_ok else redact(obj.subject_type, obj.before)

    @admin.display(description="after")
    def after_values(self, obj: CaseEvent) -> dict:
        return obj.after if obj.pii_ok else redact(obj.subject_type, obj.after)


class ReferenceAdmin(ServiceAdmin):
    """Facilities and field offices: shared, public reference data. Every staff user reads them;
    legal staff add facilities, organisation admins change them and add field offices, all through
    reference_create/update (which record every change)."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _staff(request)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return _staff(request)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return _staff(request) and services.can_edit_reference_data(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        if self.model is Facility:
            return _staff(request) and services.can_add_facilities(request.user)
        return self.has_change_permission(request)

    def apply(self, actor: User, obj: Model, version: int | None, changes: dict[str, Any]) -> Model:
        if obj.pk is None:
            return services.reference_create(actor=actor, model=type(obj), **changes)
        return services.reference_update(actor=actor, obj=obj, version=version, **changes)


@admin.register(FieldOffice)
class FieldOfficeAdmin(ReferenceAdmin):
    list_display = ("code", "name", "city", "state")
    search_fields = ("code", "name")
    readonly_fields = ("version", "updated_at")


@admin.register(Facility)
class FacilityAdmin(ReferenceAdmin):
    list_display = ("name", "kind", "city", "state", "field_office")
    list_filter = ("kind", "state")
    search_fields = ("name", "city")
    list_select_related = ("field_office",)
    readonly_fields = ("version", "updated_at")
