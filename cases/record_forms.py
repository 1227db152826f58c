"""Editing one recorded row of a family from its own page: a person, a sponsor, a proceeding, a
hearing (reschedule, cancel, record the outcome), and the correction of a custody entry. Each form
starts from the row as recorded and sends only what changed, with the version it was read at, to
the row's update service (which keeps the rules and writes the history)."""
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import User

from . import services
from .forms import DATE, PersonFields, ProceedingFields, ServiceErrors, SponsorFields, full_name, person_label
from .models import (
    Case, CustodianKind, CustodyEpisode, Facility, Hearing, Person, Proceeding, ReleaseType, Sponsor,
)


class RecordForm(ServiceErrors, forms.Form):
    """The version the row was read at, and the page's one-time token (a double submit saves once)."""

    once = forms.UUIDField(widget=forms.HiddenInput, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, case: Case, row: Model, **kwargs: Any) -> None:
        model_fields = {f.name for f in row._meta.concrete_fields}
        initial = {name: _initial(row, name) for name in self.base_fields if name in model_fields}
        super().__init__(*args, initial={**initial, "version": row.version, "once": uuid.uuid4()}, **kwargs)
        self.case, self.row = case, row

    def changes(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.changed_data if name not in ("once", "version")}


def _initial(row: Model, name: str) -> Any:
    field = row._meta.get_field(name)
    # A related row by its id (facility_id), without loading it.
    return getattr(row, field.attname)


class PersonForm(RecordForm, PersonFields):
    address = forms.CharField(label=_("Address"), max_length=255, required=False)


class SponsorForm(RecordForm, SponsorFields):
    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, case=case, **kwargs)
        self.fields["person"].set_rows(sorted(case.people.all(), key=lambda p: p.pk), person_label)
        self.initial["person"] = str(self.row.person_id) if self.row.person_id else ""


class ProceedingForm(RecordForm, ProceedingFields):
    field_order = ["court", "docket", "status", "agency_position", "outcome"]
    status = forms.ChoiceField(label=_("Status"), choices=Proceeding.Status.choices)
    outcome = forms.CharField(label=_("Outcome"), max_length=200, required=False)


class HearingForm(RecordForm):
    scheduled_at = forms.DateTimeField(label=_("Date and time"),
                                       widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                                  format="%Y-%m-%dT%H:%M"))
    purpose = forms.CharField(label=_("Purpose"), max_length=120, required=False)
    location = forms.CharField(label=_("Location"), max_length=200, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=Hearing.Status.choices,
                               help_text=_("Held or cancelled: record what happened below."))
    outcome = forms.CharField(label=_("Outcome"), max_length=200, required=False)


class CustodyCorrectionForm(RecordForm):
    """A correction: the entry as it should have been recorded, and why. Moving a transfer day
    moves it for the neighbouring entry too (services.custody_episode_update)."""

    kind = forms.ChoiceField(label=_("Custody"), choices=CustodianKind.choices)
    facility = forms.ModelChoiceField(label=_("Facility"), queryset=Facility.objects.order_by("name"), required=False)
    started_on = forms.DateField(label=_("From"), widget=DATE)
    ended_on = forms.DateField(label=_("Until"), widget=DATE, required=False,
                               help_text=_("Empty while this is the person's current custody."))
    release_type = forms.ChoiceField(label=_("Release type"), choices=[("", "—"), *ReleaseType.choices],
                                     required=False)
    removed_to = forms.CharField(label=_("Removed to (country)"), max_length=80, required=False)
    reason = forms.CharField(label=_("Why is this corrected?"), max_length=500,
                             help_text=_("Kept in the family's timeline with the correction."))

    def changes(self) -> dict[str, Any]:
        changes = super().changes()
        changes.pop("reason", None)
        return changes


@dataclass(frozen=True)
class Editable:
    """A kind of row a writer may edit: its form, how to find it in a family, how to save it, what
    the page is called."""

    form: type[RecordForm]
    rows: Callable[[Case], QuerySet]
    save: Callable[[User, Model, RecordForm], Model]
    title: Any
    label: Callable[[Model], str]


def _save_person(actor: User, row: Person, form: RecordForm) -> Model:
    return services.person_update(actor=actor, person=row, version=form.cleaned_data["version"], **form.changes())


def _save_sponsor(actor: User, row: Sponsor, form: RecordForm) -> Model:
    return services.sponsor_update(actor=actor, sponsor=row, version=form.cleaned_data["version"], **form.changes())


def _save_proceeding(actor: User, row: Proceeding, form: RecordForm) -> Model:
    return services.proceeding_update(actor=actor, proceeding=row, version=form.cleaned_data["version"],
                                      **form.changes())


def _save_hearing(actor: User, row: Hearing, form: RecordForm) -> Model:
    return services.hearing_update(actor=actor, hearing=row, version=form.cleaned_data["version"], **form.changes())


def _save_custody(actor: User, row: CustodyEpisode, form: RecordForm) -> Model:
    return services.custody_episode_update(actor=actor, episode=row, version=form.cleaned_data["version"],
                                           reason=form.cleaned_data["reason"], **form.changes())


EDITABLE: dict[str, Editable] = {
    "person": Editable(PersonForm, lambda c: Person.objects.filter(case=c), _save_person,
                       _("Edit a family member"), full_name),
    "sponsor": Editable(SponsorForm, lambda c: Sponsor.objects.filter(case=c), _save_sponsor,
                        _("Edit a sponsor"), lambda s: s.name),
    "proceeding": Editable(ProceedingForm, lambda c: Proceeding.objects.filter(case=c), _save_proceeding,
                           _("Edit a proceeding"), lambda p: " · ".join(x for x in (p.get_kind_display(), p.docket) if x)),
    "hearing": Editable(HearingForm, lambda c: Hearing.objects.filter(proceeding__case=c).select_related("proceeding"),
                        _save_hearing, _("Reschedule, cancel or record a hearing"),
                        lambda h: h.purpose or h.proceeding.get_kind_display()),
    "custody": Editable(CustodyCorrectionForm,
                        lambda c: CustodyEpisode.objects.filter(person__case=c).select_related("person"),
                        _save_custody, _("Correct a custody entry"),
                        lambda e: f"{full_name(e.person)} · {e.get_kind_display()}"),
}
