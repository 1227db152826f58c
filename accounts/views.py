from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .selectors import active_memberships


def home(request: HttpRequest) -> HttpResponse:
    memberships = list(active_memberships(user=request.user)) if request.user.is_authenticated else []
    return render(request, "home.html", {"memberships": memberships})
