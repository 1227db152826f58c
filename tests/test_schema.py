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


@pytest.mark.django_db
def test_openapi_schema_lists_the_advocacy_endpoints(client):  # noqa: ANN001
    r = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    for path in ("/api/v1/actions/", "/api/v1/actions/{id}/", "/api/v1/actions/{id}/publish/",
                 "/api/v1/actions/{id}/preview/", "/api/v1/actions/{id}/report/", "/api/v1/actions/{id}/letters-csv/",
                 "/api/v1/actions/{id}/cwc-export/", "/api/v1/actions/{id}/tallies/", "/api/v1/submissions/",
                 "/api/v1/letters/", "/api/v1/letters/{id}/retry/", "/api/v1/pdf-batches/",
                 "/api/v1/pdf-batches/{id}/download/", "/api/v1/decision-makers/",
                 "/api/v1/public/actions/{slug}/progress/"):
        assert path in paths, path
    progress = paths["/api/v1/public/actions/{slug}/progress/"]["get"]
    assert progress.get("security") in ([], [{}])  # public: no authentication
