"""Account pages: the language a user works in, the organisation they work for, and (for an
organisation's admins) its members."""
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.tokens import default_token_generator
from django.contrib.auth.views import PasswordResetView
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Sum
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import url_has_allowed_host_and_scheme, urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from axes.models import AccessAttempt
from axes.utils import reset as reset_sign_in

from config.ratelimit import Limit, over_limit

from . import audit, services, tokens, two_factor
from .client_ip import client_ip
from .models import AccessKind, Membership, Organization, User
from .roles import CAN_MANAGE_MEMBERS, Role
from .selectors import SESSION_ORG, active_memberships, current_membership


def _back(request: HttpRequest, default: str = "/") -> HttpResponseRedirect:
    target = request.POST.get("next") or request.META.get("HTTP_REFERER") or default
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = default
    return HttpResponseRedirect(target)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """English or Spanish: saved on the account when signed in, in a cookie otherwise."""
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        return _back(request)
    response = _back(request)
    if request.user.is_authenticated:
        request.user.language = language
        request.user.save(update_fields=["language"])
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600, samesite="Lax")
    return response


@login_required
@require_POST
def switch_organization(request: HttpRequest) -> HttpResponse:
    chosen = request.POST.get("organization", "")
    if chosen.isdigit() and active_memberships(user=request.user).filter(organization_id=int(chosen)).exists():
        request.session[SESSION_ORG] = int(chosen)
    return _back(request)


class InviteForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Email"))
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=Role.choices)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=Role.choices)


def _admin_membership(request: HttpRequest) -> Membership:
    current = current_membership(request)
    if current is None or current.role not in CAN_MANAGE_MEMBERS:
        raise Http404  # the page does not exist for anyone but the organisation's admins
    return current


def row_id(raw: str | None) -> int | None:
    """A row id typed into a form or a URL: a whole number a database id column can hold, else None
    (a 20-digit number must be "no such row", never a database error)."""
    return int(raw) if raw and raw.isdigit() and len(raw) < 19 else None


def _posted_member(request: HttpRequest, org: Organization) -> Membership:
    """The membership a Members-page form names: one of this organisation's, or 404."""
    return get_object_or_404(Membership, pk=row_id(request.POST.get("membership")) or 0, organization=org)


def _invite_email(request: HttpRequest, user: User, organization_name: str) -> None:
    """A link to set a password (Django's reset token: valid PASSWORD_RESET_TIMEOUT, single use)."""
    link = request.build_absolute_uri(reverse("password_reset_confirm", kwargs={
        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": default_token_generator.make_token(user)}))
    send_mail(_("You are invited to %(org)s on the family case tracker") % {"org": organization_name},
              _("%(org)s invited you. Choose your password here (the link works for three days):\n\n%(link)s\n")
              % {"org": organization_name, "link": link}, settings.DEFAULT_FROM_EMAIL, [user.email])


def _invite(request: HttpRequest, org: Organization, invite: InviteForm) -> HttpResponse | None:
    """Add a member; a newcomer (or one who never used their link) gets a link to set a password.
    None when the invitation was refused (the error is on the form)."""
    email = invite.cleaned_data["email"].lower()
    user = User.objects.filter(email=email).first()
    if user and Membership.objects.filter(user=user, organization=org, is_active=True).exists():
        if user.has_usable_password():
            invite.add_error("email", _("This person is already a member: change their role in the list."))
            return None
        _invite_email(request, user, org.name)  # the first link was lost or ran out
        messages.success(request, _("The invitation was sent again."))
        return HttpResponseRedirect(reverse("members"))
    with transaction.atomic():  # a refused invitation leaves no account behind
        if user is None:
            user = User.objects.create_user(email, None, language=request.user.language)
        services.membership_add(organization=org, user=user, role=invite.cleaned_data["role"], actor=request.user)
    if not user.has_usable_password():
        _invite_email(request, user, org.name)
    messages.success(request, _("%(email)s is now a member.") % {"email": email})
    return HttpResponseRedirect(reverse("members"))


@login_required
def members(request: HttpRequest) -> HttpResponse:
    current = _admin_membership(request)
    org = current.organization
    invite = InviteForm(request.POST if request.POST.get("do") == "invite" else None)
    if request.method == "POST":
        try:
            if request.POST.get("do") == "invite" and invite.is_valid():
                done = _invite(request, org, invite)
                if done:
                    return done
            if request.POST.get("do") == "require-two-factor":
                two_factor.organization_require_two_factor(
                    organization=org, required=request.POST.get("required") == "yes", actor=request.user)
                messages.success(request, _("Two-factor sign-in is now required of every member.")
                                 if org.require_two_factor else _("Two-factor sign-in is now required of admins and "
                                                                  "advocates only."))
                return HttpResponseRedirect(reverse("members"))
            if request.POST.get("do") == "reset-two-factor":
                membership = _posted_member(request, org)
                two_factor.two_factor_remove(user=membership.user, actor=request.user)
                messages.success(request, _("Two-factor sign-in reset for %(email)s: they set it up again at their "
                                            "next sign-in.") % {"email": membership.user.email})
                return HttpResponseRedirect(reverse("members"))
            if request.POST.get("do") == "end-token":
                membership = _posted_member(request, org)
                try:
                    tokens.token_revoke(actor=request.user, user=membership.user, token_id_=request.POST.get("token", ""))
                except tokens.AuthToken.DoesNotExist:
                    raise Http404 from None
                messages.success(request, _("The API token was ended."))
                return HttpResponseRedirect(reverse("members"))
            if request.POST.get("do") == "unlock":
                membership = _posted_member(request, org)
                reset_sign_in(username=membership.user.email)  # this account's failed attempts, nothing else
                messages.success(request, _("Sign-in unlocked for %(email)s.") % {"email": membership.user.email})
                return HttpResponseRedirect(reverse("members"))
            if request.POST.get("do") in ("role", "deactivate"):
                membership = _posted_member(request, org)
                if membership.user_id == request.user.pk:
                    # An organisation is never left without the admin who could undo the change.
                    messages.error(request, _("Ask another admin to change or end your own membership."))
                elif request.POST["do"] == "role":
                    form = RoleForm(request.POST)
                    if form.is_valid():
                        services.membership_change_role(membership=membership, role=form.cleaned_data["role"],
                                                        actor=request.user)
                        messages.success(request, _("Role changed."))
                else:
                    services.membership_deactivate(membership=membership, actor=request.user)
                    messages.success(request, _("Membership deactivated."))
                return HttpResponseRedirect(reverse("members"))
        except (ValidationError, PermissionDenied) as exc:
            invite.add_error(None, exc.messages[0] if hasattr(exc, "messages") else str(exc))
    rows = list(Membership.objects.filter(organization=org).select_related("user").order_by("-is_active", "user__email"))
    by_user = tokens.tokens_by_user([m.user_id for m in rows])
    for m in rows:
        m.api_tokens = by_user.get(m.user_id, [])
    return render(request, "accounts/members.html", {
        "section": "members", "organization": org, "rows": rows, "invite": invite, "roles": Role.choices,
        "locked": _locked_out({m.user.email for m in rows}),
        "with_two_factor": two_factor.users_with_authenticator([m.user_id for m in rows]),
    }, status=400 if invite.errors else 200)


def _locked_out(emails: set[str]) -> set[str]:
    """Which of these accounts' sign-in is paused now: SIGN_IN_FAILURE_LIMIT failures within the
    cool-off, summed over every address and browser they came from (django-axes keeps a row per
    username, address and user agent, and counts them the same way). One query for the list."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return set(AccessAttempt.objects.filter(username__in=emails, attempt_time__gte=since).values("username")
               .annotate(failures=Sum("failures_since_start")).filter(failures__gte=settings.AXES_FAILURE_LIMIT)
               .values_list("username", flat=True))


class LimitedPasswordResetView(PasswordResetView):
    """Django's password reset, limited per client address and per email address together (the
    same answer whether or not the address has an account): no one floods an inbox or probes
    addresses from one connection."""

    def form_valid(self, form: Any) -> HttpResponse:
        email = form.cleaned_data["email"].strip().lower()
        if over_limit(Limit("reset-ip", client_ip(self.request), settings.PASSWORD_RESET_RATE_PER_IP),
                      Limit("reset-email", email, settings.PASSWORD_RESET_RATE_PER_EMAIL)):
            form.add_error(None, _("Too many password reset requests from here or for this address. Please try "
                                   "again later."))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().form_valid(form)


LOG_PAGE = 50


@login_required
def access_log(request: HttpRequest) -> HttpResponse:
    """The organisation's access log, for its admins: newest first, filtered by member, family or
    kind, a page at a time (keyset on the entry id: no page counts the log)."""
    current = _admin_membership(request)
    org = current.organization
    entries = audit.log_for(organization=org)
    members = list(Membership.objects.filter(organization=org).select_related("user").order_by("user__email"))
    chosen = {"user": request.GET.get("user", ""), "case": request.GET.get("case", ""),
              "kind": request.GET.get("kind", "")}
    if chosen["user"]:
        entries = entries.filter(user_id=row_id(chosen["user"]) or 0)
    if chosen["case"]:
        entries = entries.filter(cases__case_id=row_id(chosen["case"]) or 0)
    if chosen["kind"] in AccessKind.values:
        entries = entries.filter(kind=chosen["kind"])
    before = row_id(request.GET.get("before"))
    if before:
        entries = entries.filter(pk__lt=before)
    page = list(entries.prefetch_related("cases")[: LOG_PAGE + 1])
    more, page = len(page) > LOG_PAGE, page[:LOG_PAGE]
    params = request.GET.copy()
    if more:
        params["before"] = page[-1].pk
    references = audit.case_references({c.case_id for e in page for c in e.cases.all()})
    for entry in page:
        entry.families = [(c.case_id, references.get(c.case_id, c.case_id)) for c in entry.cases.all()]
    return render(request, "accounts/access_log.html", {
        "section": "members", "organization": org, "entries": page, "members": members, "chosen": chosen,
        "kinds": AccessKind.choices, "next_url": f"?{params.urlencode()}" if more else None,
    })
