"""Every response carries a strict Content-Security-Policy: no inline script (nor 'unsafe-eval'),
no inline style, no plugin, no framing, and nothing from another site."""
import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def policy(response) -> dict[str, list[str]]:  # noqa: ANN001
    header = response["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in (part.strip() for part in header.split(";")) if d}


@pytest.mark.parametrize("url", ["/accounts/login/", "/", "/cases/", "/api/v1/cases/", "/admin/",
                                 "/accounts/two-factor/", "/members/access-log/"])
def test_every_page_and_answer_has_the_policy(alice, case, url):  # noqa: ANN001
    client = Client()
    if url != "/accounts/login/":
        client.force_login(alice)
    rules = policy(client.get(url))
    assert rules["default-src"] == ["'self'"]
    assert rules["script-src"] == ["'self'"] and rules["style-src"] == ["'self'"]
    assert rules["object-src"] == ["'none'"] and rules["frame-ancestors"] == ["'none'"]
    assert rules["form-action"] == ["'self'"] and rules["base-uri"] == ["'none'"]
    assert not any("unsafe" in value for values in rules.values() for value in values)


def test_the_api_docs_allow_only_swagger_uis_own_style(alice):  # noqa: ANN001
    client = Client()
    client.force_login(alice)
    rules = policy(client.get("/api/docs/"))
    assert rules["script-src"] == ["'self'"]
    assert rules["style-src"][0] == "'self'" and len(rules["style-src"]) == 2
    assert rules["style-src"][1].startswith("'sha256-")


def test_the_public_page_has_the_policy(db):  # noqa: ANN001
    response = Client().get("/act/no-such-action/")
    assert policy(response)["script-src"] == ["'self'"]


def test_no_page_holds_inline_script_or_style(alice, case):  # noqa: ANN001
    client = Client()
    client.force_login(alice)
    for url in ("/", "/cases/", f"/cases/{case.pk}/", "/accounts/two-factor/", "/accounts/two-factor/setup/"):
        body = client.get(url).content.decode()
        assert "<script>" not in body and " onchange=" not in body and " onclick=" not in body, url
        assert ' style="' not in body and "<style" not in body, url
