"""The sign-in security pages: pass the second factor after the password, set up an authenticator
(a phone-sized page: a link that opens the authenticator app, the secret to type, and a QR code
for another device), manage recovery codes, and see and end one's API tokens."""
import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import tokens, two_factor
from .views import row_id


class CodeForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Code"), max_length=32, widget=forms.TextInput(attrs={
        "autocomplete": "one-time-code", "inputmode": "text", "autocapitalize": "off", "spellcheck": "false",
        "autofocus": True}))


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        return "/"
    return target


def _demo_code(device: TOTPDevice | None) -> str | None:
    """On a development server only, a demo login's current code (the demo's secrets are public:
    demo.families). Never for any other account, never with DEBUG off."""
    if not settings.DEBUG or device is None or device.name != two_factor.DEMO_NAME:
        return None
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_page(request: HttpRequest) -> HttpResponse:
    """Verify (a session that has not passed the second factor) or manage (one that has)."""
    user = request.user
    device = two_factor.authenticator(user)
    verified = user.is_verified()
    if not verified and device is None:
        if two_factor.must_use(user):
            return HttpResponseRedirect(f"{reverse('two-factor-setup')}?next={_next(request)}")
    form = CodeForm(request.POST if request.POST.get("do") == "verify" else None)
    status = 200
    if request.method == "POST":
        status = 400
        do = request.POST.get("do")
        if do == "verify" and not verified and form.is_valid():
            try:
                if two_factor.verify(request, form.cleaned_data["code"]):
                    return HttpResponseRedirect(_next(request))
                form.add_error("code", _("That code is not right, or was already used. Enter the 6 digits your "
                                         "app shows now, or one of your recovery codes."))
            except two_factor.TooManyTries as slow:
                form.add_error("code", ngettext("Too many wrong codes: wait %(n)d second and try again.",
                                                "Too many wrong codes: wait %(n)d seconds and try again.",
                                                slow.seconds) % {"n": slow.seconds})
                status = 429
        elif verified and do == "codes":
            codes = two_factor.recovery_codes_new(user=user)
            return render(request, "accounts/two_factor_codes.html", {"codes": codes, "next": "/accounts/two-factor/"})
        elif verified and do == "end-token":
            try:
                tokens.token_revoke(actor=user, user=user, token_id_=request.POST.get("token", ""))
            except tokens.AuthToken.DoesNotExist:
                raise Http404 from None
            messages.success(request, _("The API token was ended."))
            return HttpResponseRedirect(reverse("two-factor"))
        elif verified and do == "remove-key":
            try:
                two_factor.key_remove(user=user, key_id=row_id(request.POST.get("key")) or 0)
            except two_factor.WebAuthnCredential.DoesNotExist:
                raise Http404 from None
            messages.success(request, _("The security key was removed."))
            return HttpResponseRedirect(reverse("two-factor"))
        elif verified and do == "remove":
            try:
                two_factor.two_factor_remove(user=user, actor=user)
            except PermissionDenied as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("Two-factor sign-in is off for your account."))
            return HttpResponseRedirect(reverse("two-factor"))
    return render(request, "accounts/two_factor.html", {
        "form": form, "verified": verified, "device": device, "next": _next(request),
        "must_use": two_factor.must_use(user), "codes_left": two_factor.recovery_codes_left(user) if verified else None,
        "demo_code": None if verified else _demo_code(device),
        "api_tokens": tokens.tokens_by_user([user.pk]).get(user.pk, []) if verified else [],
        # Security keys: listed and added once the session passed the second factor; offered on the
        # code page to someone who has one.
        "keys": two_factor.keys_of(user) if verified or device is not None else [],
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Add an authenticator. Someone holding only the password may set up the first one, never
    replace one: replacing it needs a session that passed the second factor."""
    user = request.user
    if not user.is_verified() and two_factor.authenticator(user) is not None:
        return HttpResponseRedirect(f"{reverse('two-factor')}?next={_next(request)}")
    device = two_factor.pending_enrolment(user)
    if device is None or (request.method == "POST" and request.POST.get("do") == "restart"):
        device = two_factor.enrolment_start(user=user)
    form = CodeForm(request.POST if request.POST.get("do") == "confirm" else None)
    if form.is_bound and form.is_valid():
        try:
            codes = two_factor.enrolment_confirm(user=user, device=device, code=form.cleaned_data["code"])
        except ValidationError as exc:
            form.add_error("code", exc.message_dict["code"])
        else:
            device.refresh_from_db()
            two_factor.verify_enrolled(request, device)
            return render(request, "accounts/two_factor_codes.html", {"codes": codes, "next": _next(request),
                                                                      "enrolled": True})
    secret = two_factor.secret_text(device)
    return render(request, "accounts/two_factor_setup.html", {
        "form": form, "secret": secret, "config_url": device.config_url, "next": _next(request),
        "qr": mark_safe(segno.make(device.config_url, error="m").svg_inline(scale=4, title=_("QR code"))),  # noqa: S308 (our own SVG)
    }, status=400 if form.errors else 200)
