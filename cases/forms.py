"""The case page's forms: one per transition. Shapes only - every rule is the service's, and a
service's refusal comes back onto the field it concerns."""
import uuid

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import ShareAccess

from .models import (
    Assignment, Case, CaseShare, ConsentLevel, CredibleFearProcess, CustodianKind, Document, Facility, FieldOffice,
    Person,
    Proceeding, ReleaseType, Sponsor,
)
from .models.story import STORY_MAX_LENGTH

DATE = forms.DateInput(attrs={"type": "date"})


class ServiceErrors:
    """For a form whose rules are a service's: the service's refusal comes back onto the field it
    names (or above the form), with everything the user typed kept."""

    def add_service_errors(self, exc: ValidationError) -> None:
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc)
            return
        for field, errors in exc.error_dict.items():
            self.add_error(field if field in self.fields else None, errors)


class CaseForm(ServiceErrors, forms.Form):
    """A form about one family: its choices are that family's people, sponsors, processes. Each
    rendering carries a fresh one-time token (kept when the form comes back with errors), so the
    same submission sent twice makes one change (see cases.views.case_transition)."""

    once = forms.UUIDField(widget=forms.HiddenInput, required=False)
    # staff/_form.html, drawn by Jinja2 (config.form_renderer): the family page draws ~19 of these.
    template_name = "staff/form.html"

    def __init__(self, *args, case: Case, **kwargs) -> None:  # noqa: ANN002, ANN003
        kwargs.setdefault("auto_id", f"id_{self.prefix_name}_%s")
        super().__init__(*args, **kwargs)
        self.case = case
        self.fields["once"].initial = uuid.uuid4

    prefix_name = "form"


class LoadedChoiceField(forms.ChoiceField):
    """A choice among rows the page has already loaded (the case page prefetches the family's
    sponsors): rendering and cleaning it cost no query. Cleans to the row, or None."""

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, choices=[], **kwargs)
        self.rows: dict[str, object] = {}

    def set_rows(self, rows: list, label) -> None:  # noqa: ANN001
        self.rows = {str(row.pk): row for row in rows}
        self.choices = [("", "—"), *((key, label(row)) for key, row in self.rows.items())]
        if self.required and len(self.rows) == 1:  # the only possible answer is already chosen
            self.initial = next(iter(self.rows))

    def clean(self, value):  # noqa: ANN001, ANN201
        value = super().clean(value)
        return self.rows.get(value) if value else None


# The case page's forms choose among the family's own rows, already loaded with the page
# (selectors.case_detail), and name them - these forms are only shown to readers of the family's
# names (change rights come with PII rights).

def full_name(person: Person) -> str:
    return f"{person.first_name} {person.last_name}".strip()


def person_label(person: Person) -> str:
    return f"{full_name(person)} ({person.get_role_display()})"


def sponsor_label(sponsor: Sponsor) -> str:
    relationship = f", {sponsor.relationship}" if sponsor.relationship else ""
    return f"{sponsor.name}{relationship} ({sponsor.get_status_display()})"


def proceeding_label(proceeding: Proceeding, people: dict[int, Person]) -> str:
    parts = [proceeding.get_kind_display(), proceeding.docket]
    if proceeding.person_id in people:
        parts.append(full_name(people[proceeding.person_id]))
    return " · ".join(p for p in parts if p)


def _people(case: Case) -> list[Person]:
    return sorted(case.people.all(), key=lambda p: p.pk)


class PersonFields(forms.Form):
    """A family member's own details: one set of fields for every form that writes them."""

    role = forms.ChoiceField(label=_("Role in the family"), choices=Person.Role.choices)
    first_name = forms.CharField(label=_("First name"), max_length=80)
    last_name = forms.CharField(label=_("Last name"), max_length=80, required=False)
    date_of_birth = forms.DateField(label=_("Date of birth"), widget=DATE, required=False)
    country_of_birth = forms.CharField(label=_("Country of birth"), max_length=80, required=False)
    languages = forms.CharField(label=_("Languages"), max_length=120, required=False)
    a_number = forms.CharField(label=_("A-number"), max_length=20, required=False,
                               widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))


class SponsorFields(forms.Form):
    """A sponsor's details; `person` chooses among the family's members (set_rows)."""

    person = LoadedChoiceField(label=_("For which child"), required=False,
                               help_text=_("Empty: the sponsor is for the whole family."))
    name = forms.CharField(label=_("Name"), max_length=160)
    relationship = forms.CharField(label=_("Relationship"), max_length=80, required=False)
    category = forms.ChoiceField(label=_("ORR sponsor category"), choices=Sponsor.Category.choices)
    status = forms.ChoiceField(label=_("Vetting"), choices=Sponsor.Status.choices, initial=Sponsor.Status.IDENTIFIED)
    contact = forms.CharField(label=_("Contact"), max_length=255, required=False)
    step_due_on = forms.DateField(label=_("Next vetting step due on"), required=False, widget=DATE,
                                  help_text=_("Fingerprints, papers or the home study: the assigned advocates are "
                                              "reminded of it."))


class ProceedingFields(forms.Form):
    court = forms.ModelChoiceField(label=_("Court"), queryset=Facility.objects.filter(kind=Facility.Kind.COURT)
                                   .order_by("name"), required=False)
    docket = forms.CharField(label=_("Docket"), max_length=60, required=False)
    agency_position = forms.ChoiceField(label=_("Child-welfare agency's position"),
                                        choices=Proceeding.AgencyPosition.choices, required=False)


class TransferCustodyForm(CaseForm):
    prefix_name = "transfer"
    person = LoadedChoiceField(label=_("Who"))
    kind = forms.ChoiceField(label=_("Now in"), choices=CustodianKind.choices)
    facility = forms.ModelChoiceField(label=_("Facility"), queryset=Facility.objects.order_by("name"), required=False)
    on = forms.DateField(label=_("Since"), widget=DATE, initial=timezone.localdate)
    release_type = forms.ChoiceField(label=_("Release type"), choices=[("", "—"), *ReleaseType.choices],
                                     required=False)
    removed_to = forms.CharField(label=_("Removed to (country)"), required=False, max_length=80)
    sponsor = LoadedChoiceField(label=_("Sponsor (for 'with sponsor')"), required=False)

    def __init__(self, *args, case: Case, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, case=case, **kwargs)
        self.fields["person"].set_rows(_people(case), person_label)
        self.fields["sponsor"].set_rows(list(case.sponsors.all()), sponsor_label)


class InterviewOutcomeForm(CaseForm):
    prefix_name = "interview"
    process = LoadedChoiceField(label=_("Credible-fear process"))
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[(CredibleFearProcess.Outcome.POSITIVE, _("Positive")),
                                                            (CredibleFearProcess.Outcome.NEGATIVE, _("Negative"))])
    decided_on = forms.DateField(label=_("Decided on"), widget=DATE)

    def __init__(self, *args, case: Case, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, case=case, **kwargs)
        processes = sorted(((fp, p) for p in case.people.all() for fp in p.fear_processes.all()), key=lambda x: x[0].pk)
        labels = {fp.pk: f"{full_name(p)} · {fp}" for fp, p in processes}
        self.fields["process"].set_rows([fp for fp, _p in processes], lambda fp: labels[fp.pk])


class OpenFearProcessForm(CaseForm):
    prefix_name = "fear"
    person = LoadedChoiceField(label=_("Who"))
    kind = forms.ChoiceField(label=_("Kind"), choices=CredibleFearProcess.Kind.choices)
    interview_on = forms.DateField(label=_("Interview on"), widget=DATE, required=False)

    def __init__(self, *args, case: Case, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, case=case, **kwargs)
        self.fields["person"].set_rows(_people(case), person_label)


class SponsorStatusForm(CaseForm):
    prefix_name = "sponsor"
    sponsor = LoadedChoiceField(label=_("Sponsor"))
    status = forms.ChoiceField(label=_("Status"), choices=Sponsor.Status.choices)

    def __init__(self, *args, case: Case, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, case=case, **kwargs)
        self.fields["sponsor"].set_rows(sorted(case.sponsors.all(), key=lambda s: s.pk), sponsor_label)


class HearingForm(CaseForm):
    prefix_name = "hearing"
    proceeding = LoadedChoiceField(label=_("Proceeding"))
    scheduled_at = forms.DateTimeField(label=_("Date and time"),
                                       widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    purpose = forms.CharField(label=_("Purpose"), max_length=120, required=False)
    location = forms.CharField(label=_("Location"), max_length=200, required=False)

    def __init__(self, *args, case: Case, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, case=case, **kwargs)
        people = {p.pk: p for p in case.people.all()}
        open_ones = sorted((p for p in case.proceedings.all() if p.status == Proceeding.Status.OPEN), key=lambda p: p.pk)
        self.fields["proceeding"].set_rows(open_ones, lambda p: proceeding_label(p, people))


class PersonAddForm(PersonFields, CaseForm):
    prefix_name = "person_add"


class SponsorAddForm(SponsorFields, CaseForm):
    prefix_name = "sponsor_add"

    def __init__(self, *args, case: Case, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, case=case, **kwargs)
        self.fields["person"].set_rows(_people(case), person_label)


class ProceedingOpenForm(ProceedingFields, CaseForm):
    prefix_name = "proceeding_open"
    field_order = ["kind", "person", "court", "docket", "agency_position"]
    kind = forms.ChoiceField(label=_("Kind"), choices=Proceeding.Kind.choices)
    person = LoadedChoiceField(label=_("Whose"), required=False)

    def __init__(self, *args, case: Case, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, case=case, **kwargs)
        self.fields["person"].set_rows(_people(case), person_label)


class AssignForm(CaseForm):
    """A member of the family's organisation who will work on it (for a volunteer, their only access)."""

    prefix_name = "assign"
    user = LoadedChoiceField(label=_("Member"))

    def __init__(self, *args, case: Case, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, case=case, **kwargs)
        from accounts.models import Membership

        members = (Membership.objects.filter(organization_id=case.organization_id, is_active=True)
                   .select_related("user").order_by("user__email"))
        self.fields["user"].set_rows([m.user for m in members], lambda u: f"{u.get_full_name() or u.email} ({u.email})")


class UnassignForm(CaseForm):
    prefix_name = "unassign"
    assignment = forms.ModelChoiceField(label=_("Assignment"), queryset=Assignment.objects.none(),
                                        widget=forms.HiddenInput)

    def __init__(self, *args, case: Case, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, case=case, **kwargs)
        self.fields["assignment"].queryset = Assignment.objects.filter(case=case).select_related("case", "user")


class CloseForm(CaseForm):
    prefix_name = "close"
    reason = forms.CharField(label=_("Why is the file closed?"), max_length=500,
                             help_text=_("For example: reunified; representation ended; transferred to other "
                                         "counsel. Kept in the timeline."))
    on = forms.DateField(label=_("Closed on"), widget=DATE, initial=timezone.localdate)


class ReopenForm(CaseForm):
    prefix_name = "reopen"
    reason = forms.CharField(label=_("Why is the file reopened?"), max_length=500)


class ReunifiedForm(CaseForm):
    prefix_name = "reunified"
    on = forms.DateField(label=_("Reunified on"), widget=DATE, initial=timezone.localdate)


class ConsentForm(CaseForm):
    prefix_name = "consent"
    level = forms.ChoiceField(label=_("What the family agreed may be shared for advocacy"),
                              choices=ConsentLevel.choices, widget=forms.RadioSelect)


class ShareForm(CaseForm):
    prefix_name = "share"
    email = forms.EmailField(label=_("Co-counsel's email"), required=False)
    organization = forms.SlugField(label=_("or their organisation's identifier"), required=False)
    access = forms.ChoiceField(label=_("Access"), choices=ShareAccess.choices)

    def clean(self) -> dict:
        data = super().clean()
        if bool(data.get("email")) == bool(data.get("organization")):
            raise ValidationError(_("Give either a person's email or an organisation's identifier."))
        return data


class UnshareForm(CaseForm):
    """Revoke one of this family's open shares (a button beside each share)."""

    prefix_name = "unshare"
    share = forms.ModelChoiceField(label=_("Share"), queryset=CaseShare.objects.none(), widget=forms.HiddenInput)

    def __init__(self, *args, case: Case, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, case=case, **kwargs)
        self.fields["share"].queryset = CaseShare.objects.filter(case=case, revoked_at__isnull=True)


class DocumentRemoveForm(CaseForm):
    """Take a document filed by mistake off the family's record (a button beside each document,
    behind a question asking why). The document is looked up by the service, so a second submit of
    the same form is told it was already done rather than that the document is gone."""

    prefix_name = "document_remove"
    document = forms.IntegerField(widget=forms.HiddenInput)
    # No reason is chosen for the user: the history records the one they pick.
    reason = forms.ChoiceField(label=_("Why is it being removed?"),
                               choices=[("", _("Choose…")), *Document.RemovalReason.choices])


class DocumentForm(CaseForm):
    """A file for the family's record (cases.services.documents checks its size and type)."""

    prefix_name = "document"
    field_order = ["file", "kind", "person", "expires_on"]
    file = forms.FileField(label=_("File"), widget=forms.ClearableFileInput(attrs={"accept": ".pdf,image/*,.doc,.docx,.odt,.rtf,.xls,.xlsx,.ods"}))
    kind = forms.ChoiceField(label=_("Kind of document"), choices=Document.Kind.choices)
    person = LoadedChoiceField(label=_("About whom"), required=False,
                               help_text=_("Empty: the document is about the whole family."))
    expires_on = forms.DateField(label=_("Expires on"), required=False, widget=DATE)

    def __init__(self, *args, case: Case, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, case=case, **kwargs)
        self.fields["person"].set_rows(_people(case), person_label)
        self.fields["file"].help_text = _("A PDF, a photo or scan, or an office document; up to %(mb)s MB.") % {
            "mb": f"{settings.DOCUMENT_MAX_BYTES / 1048576:.0f}"}


class NoteForm(CaseForm):
    prefix_name = "note"
    body = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class StoryForm(CaseForm):
    """The family's story for letters: told only with "story" consent, once approved."""

    prefix_name = "story"
    text = forms.CharField(label=_("Story (English)"), required=False, max_length=STORY_MAX_LENGTH,
                           widget=forms.Textarea(attrs={"rows": 4}),
                           help_text=_("A short paragraph letters may tell. Adults' first names only: "
                                       "children's names never leave the record."))
    text_es = forms.CharField(label=_("Story (Spanish)"), required=False, max_length=STORY_MAX_LENGTH,
                              widget=forms.Textarea(attrs={"rows": 4}))
    approve = forms.BooleanField(label=_("I approve this text for letters"), required=False,
                                 help_text=_("Any later change withdraws the approval."))

    def __init__(self, *args, case: Case, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, case=case, **kwargs)
        story = getattr(case, "story", None)
        if story is not None:
            self.fields["text"].initial, self.fields["text_es"].initial = story.text, story.text_es


# --- Opening a new family ---------------------------------------------------------------------------

class IntakeForm(ServiceErrors, forms.Form):
    """The family: its reference (suggested, editable), where and when it was separated."""

    once = forms.UUIDField(widget=forms.HiddenInput, required=False)
    reference = forms.CharField(label=_("Reference"), max_length=40,
                                help_text=_("Your organisation's own code for this family."))
    separated_on = forms.DateField(label=_("Separated on"), widget=DATE, required=False)
    separation_place = forms.CharField(label=_("Place of separation"), max_length=200, required=False)
    # Shown as a checkbox only beside the warning that an A-number is already on record.
    confirm_duplicates = forms.BooleanField(
        label=_("I checked: this is a new family, even though an A-number is already on record"), required=False,
        widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.fields["once"].initial = uuid.uuid4


class IntakePersonForm(ServiceErrors, PersonFields):
    """One family member and where they are held now. The facility choices are loaded once for the
    whole page (the view passes them to every member's form), not once per member."""

    # Blank first: an extra member left empty is no member (the formset skips it).
    role = forms.ChoiceField(label=_("Role in the family"), choices=[("", "—"), *Person.Role.choices])
    custody_kind = forms.ChoiceField(label=_("Now in"), choices=[("", _("Not known yet")), *CustodianKind.choices],
                                     required=False)
    facility = LoadedChoiceField(label=_("Facility"), required=False)
    custody_since = forms.DateField(label=_("Since"), widget=DATE, required=False)

    def __init__(self, *args, facilities: list[Facility] = (), **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.fields["facility"].set_rows(list(facilities), str)


IntakePeople = forms.formset_factory(IntakePersonForm, min_num=1, validate_min=True, extra=0)


# --- Adding a facility ----------------------------------------------------------------------------

class FacilityForm(ServiceErrors, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Facility.Kind.choices)
    address = forms.CharField(label=_("Address"), max_length=255, required=False)
    city = forms.CharField(label=_("City"), max_length=80, required=False)
    state = forms.CharField(label=_("State (two letters)"), max_length=2, required=False)
    field_office = forms.ModelChoiceField(label=_("ICE field office"), queryset=FieldOffice.objects.order_by("code"),
                                          required=False)
    field_office_request = forms.CharField(
        label=_("Field office not listed? Say which"), max_length=200, required=False,
        help_text=_("Your organisation's admins are asked to add it; the facility is saved meanwhile."))
