"""Printable PDF batches per decision maker: built in the background with progress, downloaded
only by those who may see supporters, and marked delivered when handed over."""
import io

import pytest
from pypdf import PdfReader

from advocacy.models import Letter, PdfBatch
from advocacy.services import batches
from tests.cases.helpers import client_for

from .conftest import sign

pytestmark = pytest.mark.django_db


@pytest.fixture
def padilla_letters(action):  # noqa: ANN001, ANN201
    """Five supporters: five letters to Senator Padilla, who is reached by post (no email, no CWC code)."""
    for n in range(5):
        sign(action, email=f"s{n}@example.org", first_name=f"Supporter{n}")
    return Letter.objects.filter(action=action, decision_maker__salutation="Senator Padilla")


def test_a_batch_is_built_in_chunks_with_progress_and_holds_one_page_per_letter(olga, action, padilla_letters,
                                                                               django_capture_on_commit_callbacks,
                                                                               settings, tmp_path):  # noqa: ANN001
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    dm = padilla_letters.first().decision_maker
    api = client_for(olga)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        r = api.post("/api/v1/pdf-batches/", {"action": action.pk, "decision_maker": dm.pk}, format="json")
    assert r.status_code == 202, r.content
    batch = PdfBatch.objects.get(pk=r.json()["id"])
    assert (r.json()["status"], r.json()["progress"], r.json()["download_url"]) == ("queued", 0, None)
    seen = []
    batches.batch_build(batch.pk, chunk=2, on_progress=lambda done, total: seen.append((done, total)))
    assert seen == [(2, 5), (4, 5), (5, 5)]
    assert len(callbacks) == 1  # the build was enqueued after the commit (run by hand above)
    r = api.get(f"/api/v1/pdf-batches/{batch.pk}/")
    assert (r.json()["status"], r.json()["progress"], r.json()["total"], r.json()["pages"]) == ("ready", 100, 5, 5)
    pdf = api.get(r.json()["download_url"])
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(b"".join(pdf.streaming_content)))
    assert len(reader.pages) == 5
    first = reader.pages[0].extract_text()
    assert "Supporter0" in first and "Dear Senator Padilla," in first
    # What is printed is what is stored: each letter was rendered for the batch.
    assert set(padilla_letters.values_list("status", flat=True)) == {"rendered"}


def test_marking_a_batch_delivered_counts_its_letters_as_sent_by_print(olga, action, padilla_letters, settings,
                                                                       tmp_path):  # noqa: ANN001
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    batch = batches.batch_request(actor=olga, action=action, decision_maker=padilla_letters.first().decision_maker)
    batches.batch_build(batch.pk)
    r = client_for(olga).post(f"/api/v1/pdf-batches/{batch.pk}/mark-delivered/")
    assert r.json() == {"marked": 5}
    assert set(padilla_letters.values_list("status", "channel")) == {("sent", "print")}
    assert client_for(olga).get(f"/api/v1/actions/{action.pk}/").json()["progress"]["letters_sent"] == 5


def test_a_read_only_collaborator_and_an_outsider_cannot_get_a_batch(olga, victor, charlie, action, padilla_letters,
                                                                     settings, tmp_path):  # noqa: ANN001
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    dm = padilla_letters.first().decision_maker
    batch = batches.batch_request(actor=olga, action=action, decision_maker=dm)
    batches.batch_build(batch.pk)
    # victor (volunteer) follows the action but may not see supporters; charlie cannot see it at all.
    body = {"action": action.pk, "decision_maker": dm.pk}
    assert client_for(victor).post("/api/v1/pdf-batches/", body, format="json").status_code == 403
    assert client_for(charlie).post("/api/v1/pdf-batches/", body, format="json").status_code == 404
    for who in (victor, charlie):
        assert client_for(who).get(f"/api/v1/pdf-batches/{batch.pk}/download/").status_code == 404
    assert PdfBatch.objects.count() == 1


def test_a_batch_needs_letters_to_that_decision_maker(olga, action, director):  # noqa: ANN001
    r = client_for(olga).post("/api/v1/pdf-batches/", {"action": action.pk, "decision_maker": director.pk},
                              format="json")
    assert r.status_code == 400 and "decision_maker" in r.json()
