import pytest


@pytest.mark.django_db
def test_advocate_lists_own_case_and_outsider_gets_404(as_user, alice, charlie, case):  # noqa: ANN001
    r = as_user(alice).get("/api/v1/cases/")
    assert r.status_code == 200
    assert [c["reference"] for c in r.json()["results"]] == ["ALP-001"]
    r = as_user(charlie).get(f"/api/v1/cases/{case.pk}/")
    assert r.status_code == 404
