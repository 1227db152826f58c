"""Who is asking, for every limit in the project (sign-in lockout, the token endpoint's throttle,
the public form's rate limits): one configured source for the client's address.

By default the direct peer (REMOTE_ADDR): a client-sent header such as X-Forwarded-For is never
believed, or an attacker changes it on every request to walk past every limit. Behind a reverse
proxy, name the header the proxy itself sets (CLIENT_IP_META_KEY, e.g. HTTP_X_REAL_IP); for a
list-valued header the last entry, the one the proxy appended, is taken.
"""
from typing import Any

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    meta = request.META
    key = getattr(settings, "CLIENT_IP_META_KEY", "REMOTE_ADDR") or "REMOTE_ADDR"
    value = meta.get(key, "") if key != "REMOTE_ADDR" else ""
    if value:
        return value.split(",")[-1].strip()
    return meta.get("REMOTE_ADDR", "")


def axes_client_ip(request: HttpRequest) -> str | None:
    """client_ip for django-axes, which stores it in an IP address column: None when there is none
    (a sign-in made in code, e.g. a test's force_login, has no peer)."""
    return client_ip(request) or None


def sign_in_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """The account a sign-in attempt names, as django-axes counts it: the token endpoint passes
    `email`, the sign-in page's form `username`; case never makes a second account to count."""
    credentials = credentials or {}
    raw = credentials.get("email") or credentials.get("username") or request.POST.get("username", "")
    return str(raw).strip().lower()


def lockout_response(request: HttpRequest, original_response: Any = None, credentials: dict[str, Any] | None = None) -> Any:
    """What a locked-out sign-in gets (django-axes' AXES_LOCKOUT_CALLABLE): 429 with Retry-After, a
    JSON error at the API, the plain page elsewhere - never the account's name."""
    from django.http import JsonResponse
    from django.shortcuts import render
    from django.utils.translation import gettext as _

    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": _("Too many failed sign-ins: signing in is paused for %(minutes)d "
                                             "minutes, even with the right password.") % {"minutes": minutes}},
                                status=429)
    else:
        response = render(request, "registration/locked_out.html", {"cooloff_minutes": minutes}, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response
