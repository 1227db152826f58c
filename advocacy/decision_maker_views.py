"""Staff pages for the officials an organisation writes to (advocacy.services.decision_makers):
the list of the organisation's own, a page to add one and a page to correct one - the address a
failed letter's report asks the organizer to check. Members of Congress and the President come
from public data and are not edited here. An entry another organisation keeps is a 404; one the
user may read but not change (a volunteer; the shared directory), a 403."""
import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.roles import CAN_EDIT_DECISION_MAKERS
from accounts.selectors import current_membership, has_role_in
from cases.forms import ServiceErrors
from cases.models import FieldOffice
from cases.services import StaleVersion, run_once

from .models import DecisionMaker
from .services import decision_makers as services

FIELDS = ["kind", "name", "salutation", "state", "email", "postal_address", "contact_form_url", "phone", "fax",
          "field_office", "active"]


class DecisionMakerForm(ServiceErrors, forms.ModelForm):
    """An official's name, how letters greet them and where letters go. `once` makes a double
    submit save once; `version` is what the page was read at, so a colleague's change is never
    overwritten blindly."""

    once = forms.UUIDField(widget=forms.HiddenInput, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=[
        (k.value, k.label) for k in services.ENTERED_KINDS])
    contact_form_url = forms.URLField(label=gettext_lazy("Contact form address"), max_length=500, required=False,
                                      assume_scheme="https")

    class Meta:
        model = DecisionMaker
        fields = FIELDS
        labels = {
            "name": gettext_lazy("Name and office"), "salutation": gettext_lazy("Greeting"),
            "state": gettext_lazy("State (two letters)"), "email": gettext_lazy("Email"),
            "postal_address": gettext_lazy("Postal address"), "phone": gettext_lazy("Phone"), "fax": gettext_lazy("Fax"), "field_office": gettext_lazy("ICE field office"),
            "active": gettext_lazy("Letters may be written to them"),
        }
        help_texts = {
            "salutation": gettext_lazy('How a letter greets them, e.g. "Director Smith".'),
            "email": gettext_lazy("Letters are emailed here; without an email they wait to be printed."),
            "field_office": gettext_lazy("For a field office director: the ICE field office they lead."),
        }
        widgets = {"postal_address": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["field_office"].queryset = FieldOffice.objects.order_by("name")
        self.fields["once"].initial = uuid.uuid4
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        else:
            del self.fields["active"]  # a new entry is in use

    def clean_state(self) -> str:
        return (self.cleaned_data.get("state") or "").upper()

    def _post_clean(self) -> None:
        # The service validates the whole row (and the organisation) when it saves.
        pass

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in FIELDS if name in self.cleaned_data}


def _editor_organization(request: HttpRequest) -> Any:
    """The organisation the user works in, if they keep its decision makers (otherwise 404)."""
    membership = current_membership(request)
    if membership is None or membership.role not in CAN_EDIT_DECISION_MAKERS:
        raise Http404
    return membership.organization


def _back(request: HttpRequest) -> str:
    """Where to go after saving: the page the user came from (an action's report), if it is ours."""
    back = request.POST.get("next") or request.GET.get("next") or ""
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                                require_https=request.is_secure()):
        return back
    return reverse("staff-decision-makers")


@login_required
def decision_maker_list(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    if membership is None:
        raise Http404
    organization = membership.organization
    return render(request, "advocacy/staff/decision_makers.html", {
        "section": "actions", "organization": organization,
        "decision_makers": DecisionMaker.objects.filter(organization=organization).select_related("field_office")
        .order_by("-active", "name"),
        "can_edit": membership.role in CAN_EDIT_DECISION_MAKERS,
    })


@login_required
def decision_maker_new(request: HttpRequest) -> HttpResponse:
    organization = _editor_organization(request)
    form = DecisionMakerForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                first = run_once(actor=request.user, token=form.cleaned_data["once"], work=lambda: (
                    services.decision_maker_create(actor=request.user, organization=organization, **form.values())))[1]
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("Decision maker added.") if first else _("That was already saved."))
                return HttpResponseRedirect(_back(request))
        return _form_page(request, form, title=_("Add a decision maker"), status=400)
    return _form_page(request, form, title=_("Add a decision maker"))


@login_required
def decision_maker_edit(request: HttpRequest, pk: int) -> HttpResponse:
    decision_maker = get_object_or_404(services.visible_decision_makers(user=request.user), pk=pk)
    if decision_maker.organization is None or not has_role_in(
            user=request.user, organization=decision_maker.organization, roles=CAN_EDIT_DECISION_MAKERS):
        raise PermissionDenied(_("Only the organisation's admins, advocates and organizers change its decision makers; "
                                 "members of Congress and the President come from public data."))
    form = DecisionMakerForm(request.POST or None, instance=decision_maker)
    title = _("Edit %(name)s") % {"name": decision_maker.full_title}
    if request.method == "POST":
        if form.is_valid():
            version = form.cleaned_data["version"] or 0
            try:
                first = run_once(actor=request.user, token=form.cleaned_data["once"], work=lambda: (
                    services.decision_maker_update(actor=request.user, decision_maker=decision_maker, version=version,
                                                   **form.values())))[1]
            except StaleVersion:
                form.add_error(None, _("Someone changed this decision maker after you opened the page. Reload it and "
                                       "make your change again."))
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("Saved.") if first else _("That was already saved."))
                return HttpResponseRedirect(_back(request))
        return _form_page(request, form, title=title, status=400)
    return _form_page(request, form, title=title)


def _form_page(request: HttpRequest, form: DecisionMakerForm, *, title: str, status: int = 200) -> HttpResponse:
    return render(request, "advocacy/staff/decision_maker_form.html", {
        "section": "actions", "form": form, "title": title, "next": _back(request),
    }, status=status)
