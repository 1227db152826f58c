"""Middleware for signed-in staff: the app in the language saved on their account; sessions that end
when idle; no caching of anything but the public pages."""
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from . import two_factor

LAST_SEEN = "_last_seen"  # the session's last activity (epoch seconds)

PUBLIC_PREFIXES = ("/act/", "/api/", "/static/")


class UserLanguageMiddleware:
    """After authentication: a signed-in user's saved language wins over the browser's. Public
    pages (the action pages choose their own language) and the API are left alone, so they never
    read a session or a user they do not need."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(PUBLIC_PREFIXES) and request.user.is_authenticated:
            translation.activate(request.user.language)
            request.LANGUAGE_CODE = request.user.language
        return self.get_response(request)


IDLE_EXEMPT = ("/act/", "/static/")  # public pages: no session read, no PII


class StaffSessionMiddleware:
    """After authentication, for everything but the public pages:
    - a signed-in session idle for longer than SESSION_IDLE_MINUTES is signed out (the page then
      asks to sign in again); activity is stamped at most once a minute, so a busy page costs no
      extra write;
    - every response says `Cache-Control: no-store`: staff pages and the API carry children's
      records, which no browser or proxy cache may keep."""

    TOUCH_EVERY = 60

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(IDLE_EXEMPT):
            return self.get_response(request)
        if request.user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            last = request.session.get(LAST_SEEN)
            if last is not None and now - last > settings.SESSION_IDLE_MINUTES * 60:
                logout(request)
            elif last is None or now - last >= self.TOUCH_EVERY:
                request.session[LAST_SEEN] = now
        response = self.get_response(request)
        patch_cache_control(response, no_store=True, private=True)
        return response


# What a signed-in user who still owes the second factor may reach: the second-factor pages
# themselves, signing out, the language switch, password reset, the public pages, and the calendar
# feed (its secret address is its own key; the session plays no part).
SECOND_FACTOR_OPEN = ("/act/", "/static/", "/calendar/", "/accounts/two-factor/", "/accounts/logout/", "/accounts/login/",
                      "/accounts/language/", "/accounts/password_reset/", "/accounts/reset/", "/api-auth/logout/")


class SecondFactorMiddleware:
    """After django-otp's OTPMiddleware: a session signed in with the password alone reaches
    nothing else until it passes the second factor (or enrols one, if the user must use it and
    has none). Pages redirect to the two-factor page; the API answers 403. A verified session
    costs no query here; an unverified one, one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (user.is_authenticated and not user.is_verified() and not request.path.startswith(SECOND_FACTOR_OPEN)
                and two_factor.needs_second_step(user)):
            if request.path.startswith("/api/"):
                response: HttpResponse = JsonResponse(
                    {"detail": _("Two-factor sign-in is required. Pass it (or set it up) at /accounts/two-factor/ "
                                 "first."), "code": "two_factor_required"}, status=403)
            else:
                target = request.get_full_path() if request.method == "GET" else "/"
                response = HttpResponseRedirect(f"{reverse('two-factor')}?{urlencode({'next': target})}")
            patch_cache_control(response, no_store=True, private=True)
            return response
        return self.get_response(request)
