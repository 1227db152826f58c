"""Signed-in staff see the app in the language saved on their account."""
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation

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
