"""Middleware for signed-in staff: the app in the language saved on their account; sessions that end
when idle; no caching of anything but the public pages."""
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_cache_control

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
