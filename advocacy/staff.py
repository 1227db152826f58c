"""Organizer pages: the actions list, the action builder with a live preview of the letter from the
current facts, and an action's page (publish and close, progress, delivery report, exports,
printable batches). Reads start from the caller's selectors (404 outside them); writes call the
same services as the API; supporters' details appear only to holders of the supporters right."""
import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from accounts.roles import CAN_CREATE_ACTIONS, CAN_EDIT_DECISION_MAKERS, CHANGE_ACTION, VIEW_SUPPORTERS
from accounts.selectors import current_membership, request_memberships
from cases.forms import ServiceErrors
from cases.services import run_once
from cases.models import Case
from cases.selectors import visible_cases

from . import selectors
from .letters.render import draft_warnings, preview
from .models import Action, ActionStatus, DecisionMaker, Language, LetterStatus, SupporterEditing, TallyKind
from .permissions import has_action_perm
from .services import actions as services
from .services import batches
from .services.decision_makers import usable_by

TEXTS = ("title", "intro", "letter_subject", "letter_body", "title_es", "intro_es", "letter_subject_es",
         "letter_body_es")
# The English letter (the Spanish one is written by the organizer when they offer it).
STARTER_BODY = """Dear [Decision Maker],

{{ families.in_ice_custody }} of the {{ families.count }} famil{{ families.count|pluralize:"y,ies" }} we work with {{ families.in_ice_custody|pluralize:"is,are" }} in ICE custody.

[Personal Note]

[Your Name]
[Your Address]
[City, State ZIP]
[Your Email]"""


class ActionForm(ServiceErrors, forms.ModelForm):
    """The builder. Its rules (known fields, consent, targets) are the service's; a refusal comes
    back onto the field it names."""

    cases = forms.ModelMultipleChoiceField(label=gettext_lazy("Families"), queryset=Case.objects.none(),
                                           widget=forms.CheckboxSelectMultiple)
    fixed_targets = forms.ModelMultipleChoiceField(label=gettext_lazy("Also write to"), required=False,
                                                   queryset=DecisionMaker.objects.none(),
                                                   widget=forms.CheckboxSelectMultiple)
    spanish = forms.BooleanField(label=gettext_lazy("Offer the action in Spanish too"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)
    # The form's one-time token (a new action only): a second submit of it finds the first action.
    request_token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Action
        fields = [*TEXTS, "supporter_editing", "target_senators", "target_representative", "target_case_officials",
                  "goal", "goal_counts_pledges", "collects_handwritten", "deadline"]
        widgets = {
            "intro": forms.Textarea(attrs={"rows": 3}), "intro_es": forms.Textarea(attrs={"rows": 3}),
            "letter_body": forms.Textarea(attrs={"rows": 14, "class": "mono"}),
            "letter_body_es": forms.Textarea(attrs={"rows": 14, "class": "mono"}),
            "deadline": forms.DateTimeInput(attrs={"type": "datetime-local"}),
        }
        help_texts = {
            "intro": gettext_lazy("May state the letter's facts, e.g. {{ families.in_ice_custody }} or "
                                  "{{ detained.shortest_time }}, so the page always agrees with the letter."),
        }
        labels = {
            "title_es": gettext_lazy("Title (Spanish)"), "intro_es": gettext_lazy("Intro (Spanish)"),
            "letter_subject_es": gettext_lazy("Letter subject (Spanish)"),
            "letter_body_es": gettext_lazy("Letter body (Spanish)"),
        }

    def __init__(self, *args: Any, user: Any, organization_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        linked = [link.case_id for link in self.instance.action_cases.all()] if self.instance.pk else []
        visible = visible_cases(user=user)
        # The action's families the editor cannot see (a partner's edit): never offered, never
        # named, and kept linked by the service whatever the form sends.
        seen = set(visible.filter(pk__in=linked).values_list("pk", flat=True)) if linked else set()
        self.hidden_case_ids = sorted(set(linked) - seen)
        self.fields["cases"].queryset = visible.filter(Q(organization_id=organization_id) | Q(pk__in=seen)) \
            .order_by("reference")
        self.fields["fixed_targets"].queryset = DecisionMaker.objects.filter(
            usable_by(organization_id), active=True).exclude(kind__in=("us_senator", "us_representative")) \
            .select_related("field_office").order_by("kind", "name")
        # Each office distinct: "The President (...)", "Field Office Director, San Diego (SND)".
        self.fields["fixed_targets"].label_from_instance = lambda dm: dm.full_title
        if self.instance.pk:
            del self.fields["request_token"]
            self.fields["spanish"].initial = Language.ES in self.instance.languages
            self.fields["version"].initial = self.instance.version
            self.fields["cases"].initial = sorted(seen)
            if self.hidden_case_ids:
                self.fields["cases"].required = False
                self.fields["cases"].help_text = gettext_lazy("Families you cannot see stay linked to this action.")
            self.fields["fixed_targets"].initial = [dm.pk for dm in self.instance.fixed_targets.all()]
        else:
            del self.fields["version"]
            self._keep_request_token()

    def _keep_request_token(self) -> None:
        """A token made when the form is first shown, carried by every re-render of it (a bound
        form without a usable one - an old page - gets a fresh one for its next submit)."""
        if not self.is_bound:
            self.fields["request_token"].initial = uuid.uuid4()
            return
        name = self.add_prefix("request_token")
        try:
            uuid.UUID(str(self.data.get(name, "")))
        except ValueError:
            self.data = self.data.copy()
            self.data[name] = str(uuid.uuid4())

    def clean(self) -> dict:
        # A hidden field's error has no place next to a field: it goes above the form, as what to do.
        if any([self._errors.pop(field.name, None) for field in self.hidden_fields()]):
            self.add_error(None, _("Reload the page and apply your change again."))
        return super().clean()

    def validate_unique(self) -> None:
        pass  # the service checks the slug, with a field error

    def service_fields(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self._meta.fields}
        data["languages"] = [Language.EN, *([Language.ES] if self.cleaned_data.get("spanish") else [])]
        data["goal"] = data["goal"] or 0
        return data



def _organization(request: HttpRequest) -> Any:
    """The organisation the user works for, if they may build actions there (otherwise 404)."""
    current = current_membership(request)
    if current is None or current.role not in CAN_CREATE_ACTIONS:
        raise Http404
    return current.organization


@login_required
def action_list(request: HttpRequest) -> HttpResponse:
    actions = list(selectors.action_list(user=request.user).order_by("-pk")[:100])
    current = current_membership(request)
    return render(request, "advocacy/staff/action_list.html", {
        "section": "actions", "actions": actions, "progress": selectors.progress_for(actions),
        "can_create": bool(current) and current.role in CAN_CREATE_ACTIONS,
    })


def _case_ids(request: HttpRequest, form: ActionForm) -> list[int]:
    """The families the letters would draw on: those ticked, among those the user can see, and an
    edited action's families the user cannot see (they stay linked whatever the form says)."""
    raw = request.POST.getlist("cases") if request.method == "POST" else form.initial.get("cases", [])
    ids = [int(pk) for pk in raw if str(pk).isdigit()]
    ticked = visible_cases(user=request.user).filter(pk__in=ids).values_list("pk", flat=True) if ids else []
    return sorted({*ticked, *form.hidden_case_ids})


def _draft(request: HttpRequest, organization: Any) -> Action:
    """The action as typed so far, for the preview (never saved)."""
    post = request.POST
    return Action(organization=organization, languages=[Language.EN, Language.ES],
                  supporter_editing=post.get("supporter_editing", SupporterEditing.NOTE),
                  **{name: post.get(name, "") for name in TEXTS})


def _preview(action: Action, language: str, case_ids: list[int] | None) -> dict:
    return {"preview": preview(action=action, language=language, case_ids=case_ids), "preview_language": language}


def _builder(request: HttpRequest, *, action: Action | None) -> HttpResponse:
    from cases.services import StaleVersion

    organization = action.organization if action else _organization(request)
    instance = action or Action(organization=organization, letter_subject="Release the families and reunite them",
                                letter_body=STARTER_BODY, languages=[Language.EN])
    initial = {}
    if action is None and request.GET.get("case", "").isdigit():
        initial["cases"] = [int(request.GET["case"])]
    form = ActionForm(request.POST or None, instance=instance, user=request.user, organization_id=organization.pk,
                      initial=initial)
    language = request.POST.get("preview_language", Language.EN)
    if language not in Language.values:
        language = Language.EN
    previewing = request.method == "POST" and bool(request.POST.get("preview"))
    if previewing and request.headers.get("HX-Request"):
        # htmx: the letter as the organizer types it, from the facts as they stand now.
        return render(request, "advocacy/staff/_preview.html", _preview(
            _draft(request, organization), language, _case_ids(request, form)))
    if request.method == "POST" and not previewing and form.is_valid():
        cases, targets = list(form.cleaned_data["cases"]), list(form.cleaned_data["fixed_targets"])
        try:
            if action is None:
                # A second submit of the same form (its token) redirects to the action the first made.
                saved = services.action_create(actor=request.user, organization=organization, cases=cases,
                                               fixed_targets=targets, request_token=form.cleaned_data["request_token"],
                                               **form.service_fields())
            else:
                saved = services.action_update(actor=request.user, action=action, cases=cases, fixed_targets=targets,
                                               version=form.cleaned_data["version"], **form.service_fields())
        except ValidationError as exc:
            form.add_service_errors(exc)
        except StaleVersion:
            form.add_error(None, _("Someone changed this action after you opened it. Reload and apply your change."))
        else:
            messages.success(request, _("Action saved."))
            return HttpResponseRedirect(reverse("staff-action", args=[saved.pk]))
    if request.method == "POST":
        shown = _preview(_draft(request, organization), language, _case_ids(request, form))
    elif action is not None:
        shown = _preview(action, language, None)  # the action's own families, seen or not
    else:
        shown = _preview(instance, language, _case_ids(request, form))
    failed = request.method == "POST" and not previewing
    return render(request, "advocacy/staff/action_form.html", {"section": "actions", "form": form, "action": action,
                                                               **shown}, status=400 if failed else 200)


@login_required
def action_create(request: HttpRequest) -> HttpResponse:
    return _builder(request, action=None)


def _visible_action(request: HttpRequest, pk: int) -> Action:
    return get_object_or_404(selectors.action_list(user=request.user), pk=pk)


@login_required
def action_edit(request: HttpRequest, pk: int) -> HttpResponse:
    action = _visible_action(request, pk)
    if not has_action_perm(request.user, CHANGE_ACTION, action):
        raise PermissionDenied
    return _builder(request, action=action)


class HandwrittenBatchForm(ServiceErrors, forms.Form):
    """A batch of handwritten letters the organizers received: counted in the progress."""

    once = forms.UUIDField(widget=forms.HiddenInput, required=False)
    count = forms.IntegerField(label=gettext_lazy("Letters received"), min_value=1, max_value=1_000_000)
    received_on = forms.DateField(label=gettext_lazy("Received on"), widget=forms.DateInput(attrs={"type": "date"}))
    received_from = forms.CharField(label=gettext_lazy("From"), max_length=120, required=False, help_text=gettext_lazy(
        "A group or an event (\"Sunday school, St. Mark's\"), never a child's name."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_hw_%s")
        super().__init__(*args, **kwargs)
        self.fields["once"].initial = uuid.uuid4
        self.fields["received_on"].initial = timezone.localdate

    def clean_received_on(self) -> Any:
        day = self.cleaned_data["received_on"]
        if day > timezone.localdate():
            raise ValidationError(_("Letters cannot have been received in the future."))
        return day


@login_required
def handwritten_record(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method != "POST":
        raise Http404
    action = _visible_action(request, pk)
    if not has_action_perm(request.user, CHANGE_ACTION, action):
        raise PermissionDenied
    form = HandwrittenBatchForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            first = run_once(actor=request.user, token=d.get("once"), work=lambda: services.tally_record(
                actor=request.user, action=action, kind=TallyKind.OFFLINE_LETTER, count=d["count"],
                received_on=d["received_on"], received_from=d["received_from"]))[1]
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Handwritten letters recorded.") if first else _("That was already saved."))
            return HttpResponseRedirect(reverse("staff-action", args=[action.pk]) + "#handwritten")
    return _detail_page(request, action, handwritten=form, status=400)


@login_required
def action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail_page(request, _visible_action(request, pk))


def _detail_page(request: HttpRequest, action: Action, *, handwritten: HandwrittenBatchForm | None = None,
                 status: int = 200) -> HttpResponse:
    user = request.user
    can_change = has_action_perm(user, CHANGE_ACTION, action)
    rows = selectors.delivery_report(action)
    return render(request, "advocacy/staff/action_detail.html", {
        "section": "actions", "action": action, "progress": selectors.progress(action), "report": rows,
        "warnings": draft_warnings(action) if action.status == ActionStatus.DRAFT else {},
        "can_reopen": action.status == ActionStatus.CLOSED and not (action.deadline and action.deadline <= timezone.now()),
        "statuses": LetterStatus, "can_change": can_change,
        "handwritten_form": (handwritten or HandwrittenBatchForm()) if can_change and action.collects_handwritten
        else None,
        "handwritten": list(action.tallies.filter(kind=TallyKind.OFFLINE_LETTER, received_on__isnull=False)
                            .order_by("-received_on", "-pk")[:20]) if action.collects_handwritten else [],
        "sees_supporters": has_action_perm(user, VIEW_SUPPORTERS, action),
        "batches": list(selectors.batch_list(user=user).filter(action=action)[:20]),
        "public_url": request.build_absolute_uri(reverse("act", args=[action.slug])),
        # The organisations whose decision makers this user keeps: the report links to their pages.
        "keeps_decision_makers_of": {m.organization_id for m in request_memberships(request)
                                     if m.role in CAN_EDIT_DECISION_MAKERS},
    }, status=status)


TRANSITIONS = {
    "publish": (services.action_publish, gettext_lazy("Published: the action's page is open.")),
    "close": (services.action_close, gettext_lazy("Closed: the page no longer takes letters.")),
    "reopen": (services.action_reopen, gettext_lazy("Reopened: the page takes letters again.")),
    "mark-won": (services.action_mark_won, gettext_lazy("Marked won.")),
    "resume": (services.action_resume, gettext_lazy("Resumed: the letters that waited are going out.")),
}


@login_required
def action_transition(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    if request.method != "POST" or name not in TRANSITIONS:
        raise Http404
    action = _visible_action(request, pk)
    service, done = TRANSITIONS[name]
    if name == "close" and request.POST.get("confirm") != "yes" and has_action_perm(request.user, CHANGE_ACTION,
                                                                                    action):
        # Closing stops every supporter mid-way: it is asked for twice, never done by one stray click.
        messages.error(request, _("Tick “Yes, close it” to close the action: supporters will no longer be able "
                                  "to write."))
        return HttpResponseRedirect(reverse("staff-action", args=[action.pk]) + "#close")
    try:
        service(actor=request.user, action=action)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return HttpResponseRedirect(reverse("staff-action", args=[action.pk]))


@login_required
def batch_create(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method != "POST":
        raise Http404
    action = _visible_action(request, pk)
    raw = request.POST.get("decision_maker", "")
    dm = get_object_or_404(DecisionMaker, pk=int(raw) if raw.isdecimal() else 0)
    try:
        batches.batch_request(actor=request.user, action=action, decision_maker=dm)
        messages.success(request, _("The printable batch is being built."))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return HttpResponseRedirect(reverse("staff-action", args=[action.pk]) + "#batches")


@login_required
@require_POST
def letters_retry(request: HttpRequest, pk: int) -> HttpResponse:
    """Send again one decision maker's failed letters (after the office's address was fixed), or
    its unconfirmed ones once the organizer ticks that the office did not get them."""
    action = _visible_action(request, pk)
    raw, status = request.POST.get("decision_maker", ""), request.POST.get("status", "")
    back = HttpResponseRedirect(reverse("staff-action", args=[action.pk]) + "#h-report")
    if status == LetterStatus.UNCONFIRMED and request.POST.get("confirm") != "yes" and has_action_perm(
            request.user, CHANGE_ACTION, action):
        # The office may have them already: sent again only on the organizer's word that it did not.
        messages.error(request, _("Tick “The office did not get them” to send unconfirmed letters again."))
        return back
    try:
        n = services.letters_retry(actor=request.user, action=action, decision_maker_id=int(raw) if raw.isdecimal()
                                   else 0, status=status)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return back
    if n:
        messages.success(request, ngettext("%(n)d letter is being sent again.", "%(n)d letters are being sent again.",
                                           n) % {"n": n})
    else:
        messages.info(request, _("No letters were left to send again: nothing was changed."))
    return back


@login_required
def batch_status(request: HttpRequest, pk: int, batch_pk: int) -> HttpResponse:
    """htmx: one batch's progress, polled until it is ready."""
    batch = get_object_or_404(selectors.batch_list(user=request.user), pk=batch_pk, action_id=pk)
    return render(request, "advocacy/staff/_batch.html", {"batch": batch, "action_pk": pk})

