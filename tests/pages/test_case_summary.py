"""The printable case summary (issue 13): a PDF of one family as the reader who asked may see it,
laid out by a worker (here Celery's eager mode, on commit), read back with pypdf. With PII rights
it names the family; without, it is redacted exactly as the family's page is; an outsider gets a
404 and nothing is made. Every download is an export in the access log."""
import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from accounts.models import AccessEvent
from cases.models import CaseSummary


@pytest.fixture(autouse=True)
def store(document_store) -> Path:  # noqa: ANN001
    return document_store


def make_pdf(client, case, django_capture_on_commit_callbacks, language: str = "en") -> tuple[CaseSummary, str]:  # noqa: ANN001
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(f"/cases/{case.pk}/summaries/", {"language": language})
    assert r.status_code == 302
    summary = CaseSummary.objects.latest("pk")
    assert r["Location"] == f"/cases/{case.pk}/summaries/{summary.pk}/"
    status = client.get(r["Location"])
    assert status.status_code == 200 and "Download the PDF" in status.content.decode()
    pdf = client.get(f"/cases/{case.pk}/summaries/{summary.pk}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    body = b"".join(pdf.streaming_content)
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    return summary, re.sub(r"\s+", " ", text)


# Fictional family (tests/conftest.py): Ana Ejemplo, A-201-555-019, 40 days in ICE detention at the
# Imperial Regional Detention Facility; her child Lucía, 35 days in an ORR shelter.
NAMES = ("Ana Ejemplo", "Lucía Ejemplo", "A-201-555-019")


@pytest.mark.parametrize(("who", "pii"), [("alice", True), ("bob", True), ("olga", False), ("victor", False)])
def test_the_pdf_shows_what_the_reader_may_see(page_for, who, pii, case, shared_with_bob, olga, victor,
                                               django_capture_on_commit_callbacks):  # noqa: ANN001
    summary, text = make_pdf(page_for(who), case, django_capture_on_commit_callbacks)
    assert "Family ALP-001" in text
    assert "Imperial Regional Detention Facility" in text
    assert "ICE detention" in text and "ORR shelter" in text
    assert "2 members, 2 detained now; longest detention 40 days." in text
    for secret in NAMES:
        assert (secret in text) is pii, secret
    if not pii:
        assert "Parent A." in text and "Child L." in text  # as the family's page names them
        assert "Personal details withheld" in text
    assert summary.with_pii is pii


def test_the_pdf_in_spanish(page_for, case, django_capture_on_commit_callbacks):  # noqa: ANN001
    _summary, text = make_pdf(page_for("alice"), case, django_capture_on_commit_callbacks, language="es")
    assert "Familia ALP-001" in text
    assert "Detención de ICE" in text
    assert "2 miembros" in text


@pytest.mark.parametrize("who", ["vera", "charlie"])
def test_an_outsider_gets_404_and_nothing_is_made(page_for, who, case, vera, charlie,
                                                 django_capture_on_commit_callbacks):  # noqa: ANN001
    with django_capture_on_commit_callbacks(execute=True):
        assert page_for(who).post(f"/cases/{case.pk}/summaries/", {"language": "en"}).status_code == 404
    assert not CaseSummary.objects.exists()


def test_a_summary_is_only_its_readers(page_for, case, olga, django_capture_on_commit_callbacks):  # noqa: ANN001
    summary, _text = make_pdf(page_for("alice"), case, django_capture_on_commit_callbacks)
    for path in (f"/cases/{case.pk}/summaries/{summary.pk}/", f"/cases/{case.pk}/summaries/{summary.pk}/pdf/"):
        assert page_for("olga").get(path).status_code == 404
        assert page_for("charlie").get(path).status_code == 404


def test_each_download_is_an_export_in_the_access_log(page_for, alice, case, django_capture_on_commit_callbacks):  # noqa: ANN001
    summary, _text = make_pdf(page_for("alice"), case, django_capture_on_commit_callbacks)
    entry = AccessEvent.objects.get(what="case summary PDF")
    assert (entry.kind, entry.user_id, entry.object_id) == ("export", alice.pk, summary.pk)
    assert list(entry.cases.values_list("case_id", flat=True)) == [case.pk]


def test_the_stored_pdf_is_encrypted(page_for, case, store, django_capture_on_commit_callbacks):  # noqa: ANN001
    summary, _text = make_pdf(page_for("alice"), case, django_capture_on_commit_callbacks)
    raw = (store / summary.storage_name).read_bytes()
    assert raw.startswith(b"gAAAAA") and b"%PDF" not in raw
