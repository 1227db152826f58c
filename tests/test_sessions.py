"""Staff sessions end after 30 idle minutes and when the browser closes; nothing a signed-in page
or the API answers may be cached."""
import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from .two_factor import sign_in

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"  # tests/factories.py


def signed_in() -> Client:
    client = Client()
    sign_in(client, "alice@example.test", PASSWORD)
    return client


def test_an_idle_session_is_signed_out_and_activity_keeps_it(alice):  # noqa: ANN001
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client = signed_in()
        assert client.get("/cases/").status_code == 200
        clock.move_to(start + dt.timedelta(minutes=20))
        assert client.get("/cases/").status_code == 200  # active: 20 minutes idle at most
        clock.move_to(start + dt.timedelta(minutes=45))
        assert client.get("/cases/").status_code == 200  # 25 minutes since the last request
        clock.move_to(start + dt.timedelta(minutes=76))
        r = client.get("/cases/")  # 31 idle minutes
        assert r.status_code == 302 and r["Location"].startswith("/accounts/login/")
        assert client.get("/cases/").status_code == 302  # signed out for good, not for one request


def test_the_session_cookie_ends_with_the_browser(alice):  # noqa: ANN001
    client = Client()
    r = client.post("/accounts/login/", {"username": "alice@example.test", "password": PASSWORD})
    cookie = r.cookies["sessionid"]
    assert cookie["max-age"] == "" and cookie["expires"] == ""


def test_signed_in_pages_and_the_api_are_never_cached(alice, case):  # noqa: ANN001
    client = signed_in()
    for url in ("/", "/cases/", f"/cases/{case.pk}/", "/api/v1/people/", "/api/v1/cases/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url
