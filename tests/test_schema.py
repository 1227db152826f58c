import pytest


@pytest.mark.django_db
def test_openapi_schema_lists_the_case_endpoints_and_transitions(client):  # noqa: ANN001
    r = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    for path in ("/api/v1/cases/", "/api/v1/cases/{id}/", "/api/v1/people/{id}/transfer-custody/",
                 "/api/v1/credible-fear/{id}/request-review/", "/api/v1/cases/search/", "/api/v1/shares/{id}/revoke/"):
        assert path in paths, path


@pytest.mark.django_db
def test_interactive_docs_load_their_assets_from_our_own_static_files(client):  # noqa: ANN001
    r = client.get("/api/docs/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "swagger-ui" in html
    assert "cdn" not in html.lower() and "unpkg" not in html.lower()
