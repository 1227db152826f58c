"""Staff pages for families: the dashboard, the list, and the case page with a form for every
transition. Reads start from the caller's selectors (a case you may not see is a 404); writes call
the same services as the API; PII is rendered only for readers who hold view_case_pii, and forms a
role may not use are not rendered at all."""
import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.audit import AccessVia, record_pii_shown
from accounts.models import Organization, User
from accounts.roles import CAN_CREATE_ACTIONS, CAN_CREATE_CASES, CHANGE, SHARE, VIEW, VIEW_PII
from accounts.selectors import current_membership, request_memberships

from . import forms as f
from . import selectors, services
from .facts import family_summary
from .filters import CaseFilter, CaseSearchFilter
from .models import Case, CaseShare, CustodianKind, Document, Facility, Note
from .record_forms import EDITABLE
from .permissions import case_perms
from .pii import redact
from .services.documents import content_type as document_content_type
from .timeline import describe, person_name

PAGE = 25


def _search_kind(data: Any) -> str:
    """What a search looked for, for the access log - the kind of term, never the term."""
    kinds = [label for field, label in (("a_number", "A-number"), ("text", "name or reference")) if data.get(field)]
    return "search by " + " and ".join(kinds) if kinds else "search"


def _pii_ids(user: User, case_ids: set[int]) -> set[int]:
    return selectors.pii_case_ids(user=user, case_ids=case_ids)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Each panel shows its first rows, how many there are in all, and links to the case list
    filtered to the same question."""
    user = request.user
    files = selectors.open_files(user=user)
    detained, detained_total = selectors.attention(selectors.detained_over(files=files),
                                                   shown=selectors.detained_shown)
    hearings, hearings_total = selectors.attention(selectors.hearings_within(files=files))
    deadlines, deadlines_total = selectors.attention(selectors.review_deadlines_within(files=files))
    sponsors, sponsors_total = selectors.attention(selectors.sponsors_pending(files=files))
    recent = list(selectors.recently_changed(user=user))
    case_ids = ({e.person.case_id for e in detained} | {h.proceeding.case_id for h in hearings}
                | {p.person.case_id for p in deadlines} | {s.case_id for s in sponsors})
    pii_ids = _pii_ids(user, case_ids)
    record_pii_shown(request, pii_ids, via=AccessVia.PAGE, what="dashboard")
    return render(request, "cases/dashboard.html", {
        "section": "dashboard", "detained": detained, "hearings": hearings, "deadlines": deadlines,
        "sponsors": sponsors, "recent": recent, "pii_ids": pii_ids,
        "totals": {"detained": detained_total, "hearings": hearings_total, "deadlines": deadlines_total,
                   "sponsors": sponsors_total},
        "can_open_family": _opening_organization(request) is not None,
    })


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    """The list with the API's filters, a search by reference or name, and (POST, so it never sits
    in a URL) the exact A-number. Newest first or in another order (selectors.CASE_SORTS), a page
    at a time (keyset: no page counts the table)."""
    if "a_number" in request.GET:
        return HttpResponseBadRequest(_("A-numbers are never sent in a URL: use the A-number search box."))
    if "q" in request.GET or "text" in request.GET:
        return HttpResponseBadRequest(_("Names are never sent in a URL: use the search box."))
    user = request.user
    base = selectors.case_list_page(user=user)
    if request.method == "POST":
        filterset = CaseSearchFilter(data=request.POST, queryset=base, request=request)
    else:
        filterset = CaseFilter(data=request.GET, queryset=base, request=request)
    rows = filterset.qs if filterset.is_valid() else base.none()
    sort = (request.POST if request.method == "POST" else request.GET).get("sort") or "newest"
    if sort not in selectors.CASE_SORTS:
        return HttpResponseBadRequest(_("Unknown order for the list."))
    before = request.GET.get("before", "")
    page, more = selectors.sorted_page(rows, sort=sort, after=int(before) if before.isdigit() else None, size=PAGE)
    params = request.GET.copy()
    params.pop("before", None)
    if page:
        params["before"] = page[-1].pk
    searched = request.method == "POST"
    pii_ids = _pii_ids(user, {c.pk for c in page})
    record_pii_shown(request, pii_ids, via=AccessVia.PAGE, what=_search_kind(request.POST) if searched else "families list",
                     search=searched)
    return render(request, "cases/case_list.html", {
        "section": "cases", "cases": page, "filterset": filterset, "searched": searched,
        "sort": sort, "sorts": [(name, label) for name, (label, _k, _a) in selectors.CASE_SORTS.items()],
        # A search answers its first page only: its words stay out of the "older" link's URL.
        "next_url": f"?{params.urlencode()}" if more and not searched else None, "more_matches": more and searched,
        "pii_ids": pii_ids,
        "can_open_family": _opening_organization(request) is not None,
        # Filters in use keep the filter panel open on a phone (static/site.js closes it otherwise).
        "filtered": request.method == "GET" and any(request.GET.get(name) for name in filterset.form.fields),
    }, status=200 if filterset.is_valid() else 400)


# --- The case page --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Transition:
    form: type[f.CaseForm]
    perm: str
    run: Callable[[User, Case, dict], Any]
    done: Any  # a lazily translated message


def _transfer(actor: User, case: Case, d: dict) -> Any:
    # A release to a sponsor marks the sponsor "released"; anything else typed beside it (a
    # facility, say) goes to the transfer itself, whose rules refuse it by name.
    if d["kind"] == CustodianKind.WITH_SPONSOR and d["sponsor"] and not (
            d["facility"] or d["release_type"] or d["removed_to"]):
        return services.release_to_sponsor(actor=actor, person=d["person"], sponsor=d["sponsor"], on=d["on"])
    return services.custody_transfer(actor=actor, person=d["person"], kind=d["kind"], on=d["on"],
                                     facility=d["facility"], release_type=d["release_type"],
                                     removed_to=d["removed_to"], sponsor=d["sponsor"])


def _interview(actor: User, case: Case, d: dict) -> Any:
    return services.interview_outcome_record(actor=actor, process=d["process"], outcome=d["outcome"],
                                             decided_on=d["decided_on"])


def _open_fear(actor: User, case: Case, d: dict) -> Any:
    return services.fear_process_create(actor=actor, person=d["person"], kind=d["kind"],
                                        interview_on=d["interview_on"])


def _sponsor(actor: User, case: Case, d: dict) -> Any:
    sponsor = d["sponsor"]
    return services.sponsor_update(actor=actor, sponsor=sponsor, version=sponsor.version, status=d["status"])


def _hearing(actor: User, case: Case, d: dict) -> Any:
    return services.hearing_schedule(actor=actor, proceeding=d["proceeding"], scheduled_at=d["scheduled_at"],
                                     purpose=d["purpose"], location=d["location"])


def _reunified(actor: User, case: Case, d: dict) -> Any:
    return services.case_mark_reunified(actor=actor, case=case, on=d["on"])


def _consent(actor: User, case: Case, d: dict) -> Any:
    return services.consent_record(actor=actor, case=case, level=d["level"])


def _share(actor: User, case: Case, d: dict) -> Any:
    # An unknown email or organisation gets the same answer as a known one it cannot use.
    user = User.objects.filter(email=d["email"].lower(), is_active=True).first() if d["email"] else None
    org = Organization.objects.filter(slug=d["organization"]).first() if d["organization"] else None
    if user is None and org is None:
        raise ValidationError({"email": _("We could not share with that person or organisation.")})
    return services.share_create(actor=actor, case=case, access=d["access"], user=user, organization=org)


def _unshare(actor: User, case: Case, d: dict) -> Any:
    return services.share_revoke(actor=actor, share=d["share"])


def _document(actor: User, case: Case, d: dict) -> Any:
    return services.document_add(actor=actor, case=case, upload=d["file"], kind=d["kind"], person=d["person"],
                                 expires_on=d["expires_on"])


def _document_remove(actor: User, case: Case, d: dict) -> Any:
    return services.document_remove(actor=actor, case=case, document_id=d["document"], reason=d["reason"])


def _note(actor: User, case: Case, d: dict) -> Any:
    return services.note_create(actor=actor, case=case, body=d["body"])


def _story(actor: User, case: Case, d: dict) -> Any:
    story = getattr(case, "story", None)
    return services.story_save(actor=actor, case=case, text=d["text"], text_es=d["text_es"], approve=d["approve"],
                               version=story.version if story else None)


def _fields(d: dict) -> dict:
    return {k: v for k, v in d.items() if k != "once"}


def _person_add(actor: User, case: Case, d: dict) -> Any:
    return services.person_create(actor=actor, case=case, **_fields(d))


def _sponsor_add(actor: User, case: Case, d: dict) -> Any:
    return services.sponsor_create(actor=actor, case=case, **_fields(d))


def _proceeding_open(actor: User, case: Case, d: dict) -> Any:
    return services.proceeding_create(actor=actor, case=case, **_fields(d))


def _assign(actor: User, case: Case, d: dict) -> Any:
    return services.assignment_create(actor=actor, case=case, user=d["user"])


def _unassign(actor: User, case: Case, d: dict) -> Any:
    return services.assignment_delete(actor=actor, assignment=d["assignment"])


def _close(actor: User, case: Case, d: dict) -> Any:
    return services.case_close(actor=actor, case=case, reason=d["reason"], on=d["on"])


def _reopen(actor: User, case: Case, d: dict) -> Any:
    return services.case_reopen(actor=actor, case=case, reason=d["reason"])


TRANSITIONS: dict[str, Transition] = {
    "transfer": Transition(f.TransferCustodyForm, CHANGE, _transfer, gettext_lazy("Custody recorded.")),
    "interview": Transition(f.InterviewOutcomeForm, CHANGE, _interview, gettext_lazy("Interview outcome recorded.")),
    "fear": Transition(f.OpenFearProcessForm, CHANGE, _open_fear, gettext_lazy("Credible-fear process opened.")),
    "sponsor": Transition(f.SponsorStatusForm, CHANGE, _sponsor, gettext_lazy("Sponsor status recorded.")),
    "hearing": Transition(f.HearingForm, CHANGE, _hearing, gettext_lazy("Hearing scheduled.")),
    "reunified": Transition(f.ReunifiedForm, CHANGE, _reunified,
                            gettext_lazy("The family is recorded as reunified.")),
    "consent": Transition(f.ConsentForm, CHANGE, _consent, gettext_lazy("Consent recorded.")),
    "share": Transition(f.ShareForm, SHARE, _share, gettext_lazy("Case shared.")),
    "unshare": Transition(f.UnshareForm, SHARE, _unshare, gettext_lazy("Share revoked.")),
    "note": Transition(f.NoteForm, CHANGE, _note, gettext_lazy("Note added.")),
    "document": Transition(f.DocumentForm, CHANGE, _document, gettext_lazy("Document added.")),
    "document_remove": Transition(f.DocumentRemoveForm, CHANGE, _document_remove, gettext_lazy("Document removed.")),
    "story": Transition(f.StoryForm, CHANGE, _story, gettext_lazy("Story saved.")),
    "person_add": Transition(f.PersonAddForm, CHANGE, _person_add, gettext_lazy("Family member added.")),
    "sponsor_add": Transition(f.SponsorAddForm, CHANGE, _sponsor_add, gettext_lazy("Sponsor added.")),
    "proceeding_open": Transition(f.ProceedingOpenForm, CHANGE, _proceeding_open, gettext_lazy("Proceeding opened.")),
    "assign": Transition(f.AssignForm, SHARE, _assign, gettext_lazy("Assigned.")),
    "unassign": Transition(f.UnassignForm, SHARE, _unassign, gettext_lazy("Assignment ended.")),
    "close": Transition(f.CloseForm, CHANGE, _close, gettext_lazy("File closed.")),
    "reopen": Transition(f.ReopenForm, CHANGE, _reopen, gettext_lazy("File reopened.")),
}


def _case_page(request: HttpRequest, case: Case, *, bound: tuple[str, f.CaseForm] | None = None,
               status: int = 200, perms: frozenset[str] | None = None) -> HttpResponse:
    user = request.user
    perms = case_perms(user, case) if perms is None else perms
    pii, can_change = VIEW_PII in perms, CHANGE in perms
    can_share = can_change and SHARE in perms
    forms: dict[str, f.CaseForm] = {}
    if can_change:
        allowed = [name for name, t in TRANSITIONS.items() if t.perm == CHANGE or can_share]
        if not pii:
            # notes and stories are PII; a document's form names the family's members
            allowed = [name for name in allowed if name not in ("note", "story", "document", "document_remove")]
        # An open file can be closed, a closed one reopened.
        allowed = [n for n in allowed if n != ("close" if case.status == Case.Status.CLOSED else "reopen")]
        forms = {name: TRANSITIONS[name].form(case=case) for name in allowed}
        if bound:
            forms[bound[0]] = bound[1]
    events = list(selectors.case_history(case=case).order_by("-at", "-pk")[:50])
    if not pii:
        for event in events:  # the timeline of a redacted reader never carries names or notes
            event.before, event.after = redact(event.subject_type, event.before), redact(event.subject_type,
                                                                                           event.after)
    events = describe(events, redacted=not pii, case=case)
    if pii:
        record_pii_shown(request, {case.pk}, via=AccessVia.PAGE, what="case page", object_id=case.pk)
    return render(request, "cases/case_detail.html", {
        "section": "cases", "case": case, "pii": pii, "pii_ids": {case.pk} if pii else set(), "forms": forms,
        "can_change": can_change, "can_share": can_share, "events": events,
        # `pii` is this reader's right on this family (case_perms): its notes and shares need no
        # second permission query.
        "notes": list(Note.objects.filter(case=case).select_related("author")[:20]) if pii else [],
        "shares": list(CaseShare.objects.filter(case=case, revoked_at__isnull=True)
                       .select_related("user", "organization")) if pii else [],
        "assignments": list(case.assignments.select_related("user").order_by("pk")) if can_share else [],
        "summary": family_summary(case), "documents": _documents(case, pii=pii), "today": timezone.localdate(),
        "can_create_action": any(m.organization_id == case.organization_id and m.role in CAN_CREATE_ACTIONS
                                 for m in request_memberships(request)),
    }, status=status)


def _documents(case: Case, *, pii: bool) -> list[Document]:
    """The family's documents (one query), each with whom it is about, named as the page names them."""
    people = {p.pk: p for p in case.people.all()}
    rows = list(case.documents.order_by("-uploaded_at", "-pk"))
    for document in rows:
        person = people.get(document.person_id)
        document.about = person_name(person, pii=pii) if person else ""
        document.once = uuid.uuid4()  # each document's removal form its own one-time token
    return rows


@login_required
def case_document(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    """A document's bytes, as an attachment: a family the reader may not see is a 404, a reader
    without PII rights on it a 403; every download is in the access log."""
    case = get_object_or_404(selectors.visible_cases(user=request.user), pk=pk)
    document = get_object_or_404(Document.objects.select_related("case"), pk=document_pk, case=case)
    body = services.document_read(actor=request.user, document=document, request=request)
    return FileResponse(io.BytesIO(body), as_attachment=True, filename=document.name or f"document-{document.pk}",
                        content_type=document_content_type(document))


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    # The reader's rights on this family first, in one query: without the view right it is a 404,
    # exactly as a family that does not exist; with it, the family is read by its id.
    perms = case_perms(request.user, Case(pk=pk))
    if VIEW not in perms:
        raise Http404
    case = get_object_or_404(selectors.family_checked(user=request.user, pk=pk, history=True))
    return _case_page(request, case, perms=perms)


@login_required
@require_POST
def case_transition(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    transition = TRANSITIONS.get(name)
    if transition is None:
        raise Http404
    case = get_object_or_404(selectors.case_detail(user=request.user), pk=pk)
    form = transition.form(request.POST, request.FILES, case=case)
    if form.is_valid():
        try:
            first = services.run_once(actor=request.user, token=form.cleaned_data.get("once"),
                                      work=lambda: transition.run(request.user, case, form.cleaned_data))[1]
            if first:
                messages.success(request, transition.done)
            else:
                messages.info(request, _("That was already saved."))
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            return HttpResponseRedirect(reverse("staff-case", args=[case.pk]) + "#timeline")
    fresh = selectors.case_detail(user=request.user, history=True).get(pk=case.pk)
    return _case_page(request, fresh, bound=(name, form), status=400)



# --- Opening a new family -------------------------------------------------------------------------

MAX_INTAKE_PEOPLE = 30


def _opening_organization(request: HttpRequest) -> Organization | None:
    """The organisation the user works in, if their role there may open families (admins and
    advocates)."""
    membership = current_membership(request)
    return membership.organization if membership and membership.role in CAN_CREATE_CASES else None


class _AlreadyOnRecord(Exception):
    """An A-number typed in is already on a family of the organisation: ask before saving."""

    def __init__(self, found: dict[str, tuple[int, str]]) -> None:
        super().__init__("A-number already on record")
        self.found = found


def _new_people(people: Any) -> list[tuple[int, services.NewPerson]]:
    """The members typed in, with their form's index; an extra form left empty is no member."""
    return [(i, services.NewPerson(**p.cleaned_data))
            for i, p in enumerate(people.forms) if p.has_changed() or i < people.min_num]


@login_required
def case_new(request: HttpRequest) -> HttpResponse:
    """A new family on one page: the case, its members and where each is held now. An A-number
    already on one of the organisation's families is shown (with a link) before anything is saved;
    the form's one-time token makes a double submit open one family."""
    organization = _opening_organization(request)
    if organization is None:
        raise PermissionDenied(_("Only your organisation's admins and advocates may open a family."))
    facilities = list(Facility.objects.order_by("name"))
    people_kwargs = {"prefix": "people", "form_kwargs": {"facilities": facilities}}
    if request.method != "POST":
        form = f.IntakeForm(initial={"reference": services.reference_suggestion(organization)})
        return _intake_page(request, organization, form, f.IntakePeople(**people_kwargs))
    data = request.POST.copy()
    if "add_person" in data:
        total = data.get("people-TOTAL_FORMS", "")
        if total.isdigit() and int(total) < MAX_INTAKE_PEOPLE:
            data["people-TOTAL_FORMS"] = str(int(total) + 1)
        return _intake_page(request, organization, f.IntakeForm(data), f.IntakePeople(data, **people_kwargs))
    form, people = f.IntakeForm(data), f.IntakePeople(data, **people_kwargs)
    if form.is_valid() and people.is_valid():
        members = _new_people(people)
        typed = {new.a_number: new for _i, new in members if new.a_number}
        case_fields = {k: form.cleaned_data[k] for k in ("reference", "separated_on", "separation_place")}

        def open_family() -> Case:
            # Inside the token's transaction: a replay of a form that went through finds its family
            # before this check (which that family's own A-numbers would now trip).
            found = selectors.a_number_duplicates(user=request.user, organization=organization, a_numbers=typed)
            if found and not form.cleaned_data["confirm_duplicates"]:
                raise _AlreadyOnRecord(found)
            return services.family_open(actor=request.user, organization=organization,
                                        people=[new for _i, new in members], **case_fields)

        try:
            case = services.run_once(actor=request.user, token=form.cleaned_data["once"], work=open_family)[0]
        except _AlreadyOnRecord as exc:
            form.fields["confirm_duplicates"].widget = forms.CheckboxInput()
            duplicates = [{"label": f"{typed[raw].first_name} {typed[raw].last_name}".strip(), "case_id": case_id,
                           "reference": reference} for raw, (case_id, reference) in exc.found.items()]
            return _intake_page(request, organization, form, people, duplicates=duplicates)
        except services.PersonRefused as exc:
            people.forms[members[exc.index][0]].add_service_errors(exc)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            if not isinstance(case, Case):  # a replay of a token that opened no family
                return HttpResponseRedirect(reverse("staff-case-list"))
            messages.success(request, _("Family opened."))
            return HttpResponseRedirect(reverse("staff-case", args=[case.pk]))
    return _intake_page(request, organization, form, people, status=400)


def _intake_page(request: HttpRequest, organization: Organization, form: f.IntakeForm, people: Any, *,
                 duplicates: list | None = None, status: int = 200) -> HttpResponse:
    return render(request, "cases/case_new.html", {
        "section": "cases", "organization": organization, "form": form, "people": people,
        "duplicates": duplicates or [],
    }, status=status)


# --- Editing one recorded row -----------------------------------------------------------------------

@login_required
def case_record_edit(request: HttpRequest, pk: int, kind: str, row_pk: int) -> HttpResponse:
    """Edit a person, a sponsor, a proceeding or a hearing, or correct a custody entry, on its own
    page (record_forms.EDITABLE). A family you may not see is a 404; one you may not change, a 403."""
    editable = EDITABLE.get(kind)
    if editable is None:
        raise Http404
    case = get_object_or_404(selectors.case_detail(user=request.user), pk=pk)
    perms = case_perms(request.user, case)
    if CHANGE not in perms:
        raise PermissionDenied(_("You may read this family's record but not change it."))
    row = get_object_or_404(editable.rows(case), pk=row_pk)
    status = 200
    if request.method == "POST":
        form = editable.form(request.POST, case=case, row=row)
        if form.is_valid():
            try:
                first = services.run_once(actor=request.user, token=form.cleaned_data["once"],
                                          work=lambda: editable.save(request.user, row, form))[1]
            except services.StaleVersion:
                form.add_error(None, _("Someone changed this record after you opened it. Reload the page and "
                                       "make your change again."))
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("Saved.") if first else _("That was already saved."))
                return HttpResponseRedirect(reverse("staff-case", args=[case.pk]) + "#timeline")
        status = 400
    else:
        form = editable.form(case=case, row=row)
    if VIEW_PII in perms:
        record_pii_shown(request, {case.pk}, via=AccessVia.PAGE, what=f"{kind} edit page", object_id=row.pk)
    return render(request, "cases/record_edit.html", {
        "section": "cases", "case": case, "form": form, "title": editable.title, "label": editable.label(row),
    }, status=status)


# --- Adding a facility --------------------------------------------------------------------------------

@login_required
def facility_new(request: HttpRequest) -> HttpResponse:
    """Legal staff add a facility the record does not know yet; if its ICE field office is not
    listed, they ask their organisation's admins for it (recorded, and emailed to the admins)."""
    if not services.can_add_facilities(request.user):
        raise PermissionDenied(_("Only legal staff may add a facility."))
    back = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = reverse("staff-case-list")
    form = f.FacilityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        asked = data.pop("field_office_request")
        try:
            facility = services.reference_create(actor=request.user, model=Facility, **data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            if asked:
                membership = current_membership(request)
                services.field_office_request(actor=request.user, facility=facility, request=asked,
                                              organization=membership.organization if membership else None)
            messages.success(request, _("Facility added."))
            return HttpResponseRedirect(back)
    return render(request, "cases/facility_new.html", {"section": "cases", "form": form, "back": back},
                  status=400 if form.is_bound else 200)
