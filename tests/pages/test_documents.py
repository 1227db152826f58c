"""A family's documents (issue 13): uploaded on the family's page, kept encrypted in the documents
storage, listed to every reader of the family and opened only with PII rights; every upload is in
the case history, every download in the access log. Tried by the owner's advocate, the read-only
co-counsel (with PII rights), an organizer and an assigned volunteer (readers without them), an
unassigned volunteer and an outsider. Files are fictional."""
from html import unescape
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import AccessEvent
from cases.models import CaseEvent, Document

# A small real PDF (one page, "NOTICE TO APPEAR - Ana Ejemplo"), a PNG signature, a Windows program.
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj "
       b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 300 144]/Contents 4 0 R>>endobj "
       b"4 0 obj<</Length 44>>stream\nBT /F1 12 Tf 10 100 Td (NOTICE TO APPEAR - Ana Ejemplo) Tj ET\nendstream endobj"
       b"\ntrailer<</Root 1 0 R>>\n%%EOF\n")
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


@pytest.fixture(autouse=True)
def store(document_store) -> Path:  # noqa: ANN001
    return document_store


def stored_files(store: Path) -> list[Path]:
    return [p for p in store.rglob("*") if p.is_file()] if store.exists() else []


def upload(client, case, content: bytes = PDF, name: str = "Notice to appear Ana.pdf", **fields):  # noqa: ANN001, ANN201
    data = {"kind": "notice_to_appear", "file": SimpleUploadedFile(name, content, content_type="application/pdf")}
    data.update(fields)
    return client.post(f"/cases/{case.pk}/do/document/", data)


def test_the_advocate_uploads_and_the_file_is_stored_encrypted(page_for, alice, case, store):  # noqa: ANN001
    mother = case.people.get(role="parent")
    r = upload(page_for("alice"), case, person=str(mother.pk), expires_on="2031-05-01")
    assert r.status_code == 302
    document = Document.objects.get()
    assert (document.kind, document.person_id, document.file_type, document.size, str(document.expires_on)) == (
        "notice_to_appear", mother.pk, "pdf", len(PDF), "2031-05-01")
    (blob,) = stored_files(store)
    raw = blob.read_bytes()
    assert b"NOTICE TO APPEAR" not in raw and b"%PDF" not in raw and raw.startswith(b"gAAAAA")  # a Fernet token
    assert "Ana" not in blob.name and document.storage_name == blob.name
    # The name is encrypted in the row too.
    from django.db import connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM cases_document")
        assert "Ana" not in cursor.fetchone()[0]
    event = CaseEvent.objects.get(action="document.added")
    assert event.actor == alice and "name" not in event.after and event.after["kind"] == "notice_to_appear"


@pytest.mark.parametrize(("who", "lists", "names", "download"), [
    ("alice", 200, True, 200),    # the owning organisation's advocate
    ("bob", 200, True, 200),      # read-only co-counsel: the share carries PII rights
    ("olga", 200, False, 403),    # an organizer reads the family without PII rights
    ("victor", 200, False, 403),  # an assigned volunteer likewise
    ("vera", 404, False, 404),    # an unassigned volunteer sees nothing
    ("charlie", 404, False, 404),  # an outsider
])
def test_who_lists_and_who_opens(page_for, who, lists, names, download, alice, case, shared_with_bob, victor, olga,
                                 vera, charlie):  # noqa: ANN001
    upload(page_for("alice"), case)
    document = Document.objects.get()
    client = page_for(who)
    page = client.get(f"/cases/{case.pk}/")
    assert page.status_code == lists
    if lists == 200:
        text = page.content.decode()
        assert "Notice to appear (I-862)" in text
        assert ("Notice to appear Ana.pdf" in text) is names
        assert (f"/cases/{case.pk}/documents/{document.pk}/" in text) is names
    before = AccessEvent.objects.filter(what="document").count()
    r = client.get(f"/cases/{case.pk}/documents/{document.pk}/")
    assert r.status_code == download
    if download == 200:
        assert b"".join(r.streaming_content) == PDF
        assert r["Content-Type"] == "application/pdf"
        assert r["Content-Disposition"].startswith("attachment;")
        entry = AccessEvent.objects.filter(what="document").latest("pk")
        assert (entry.kind, entry.object_id, list(entry.cases.values_list("case_id", flat=True))) == (
            "export", document.pk, [case.pk])
    else:
        assert AccessEvent.objects.filter(what="document").count() == before


@pytest.mark.parametrize(("who", "status"), [("bob", 403), ("olga", 403), ("victor", 403), ("vera", 404),
                                             ("charlie", 404)])
def test_only_those_who_change_the_family_upload(page_for, who, status, case, shared_with_bob, victor, olga, vera,
                                                 charlie, store):  # noqa: ANN001
    history = CaseEvent.objects.count()
    assert upload(page_for(who), case).status_code == status
    assert not Document.objects.exists() and stored_files(store) == []
    assert CaseEvent.objects.count() == history


@pytest.mark.parametrize(("name", "content", "message"), [
    ("setup.pdf", EXE, "this file is none of those"),
    ("notice.pdf", b"<html><script>alert(1)</script></html>", "this file is none of those"),
    ("photo.pdf", PNG, "The file's name says .pdf but it is a PNG file"),
    ("empty.pdf", b"", "The submitted file is empty."),
])
def test_a_disguised_or_empty_file_is_refused_and_nothing_is_stored(page_for, alice, case, store, name, content,
                                                                    message):  # noqa: ANN001
    r = upload(page_for("alice"), case, content=content, name=name)
    assert r.status_code == 400
    assert message in unescape(r.content.decode())  # the text as the page shows it
    assert not Document.objects.exists() and stored_files(store) == []
    assert not CaseEvent.objects.filter(action="document.added").exists()


def test_an_oversized_file_is_refused_with_the_limit(page_for, alice, case, store, settings):  # noqa: ANN001
    settings.DOCUMENT_MAX_BYTES = 2 * 1048576
    r = upload(page_for("alice"), case, content=PDF + b"%" * (3 * 1048576))
    assert r.status_code == 400
    assert "The file is 3.0 MB; the largest accepted is 2 MB." in r.content.decode()
    assert not Document.objects.exists() and stored_files(store) == []


def test_a_photo_of_a_paper_is_accepted(page_for, alice, case):  # noqa: ANN001
    assert upload(page_for("alice"), case, content=PNG, name="IMG_0042.PNG", kind="identity_document").status_code == 302
    assert Document.objects.get().file_type == "png"


def test_a_double_submit_stores_one_document(page_for, alice, case, store):  # noqa: ANN001
    client = page_for("alice")
    once = "7c9e6679-7425-40de-944b-e07fc1f66afe"
    assert upload(client, case, once=once).status_code == 302
    assert upload(client, case, once=once).status_code == 302
    assert Document.objects.count() == 1 and len(stored_files(store)) == 1


# --- Removing a document filed by mistake ------------------------------------------------------

def remove(client, case, document, reason: str = "wrong_family", follow: bool = False, **fields):  # noqa: ANN001, ANN201
    return client.post(f"/cases/{case.pk}/do/document_remove/", {"document": str(document.pk), "reason": reason,
                                                                  **fields}, follow=follow)


def test_the_advocate_removes_a_document_filed_on_the_wrong_family(page_for, alice, case, store,
                                                                  django_capture_on_commit_callbacks):  # noqa: ANN001
    client = page_for("alice")
    upload(client, case, expires_on="2031-05-01")
    document = Document.objects.get()
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "Remove this document" in page and "Uploaded to the wrong family" in page

    with django_capture_on_commit_callbacks(execute=True):
        r = remove(client, case, document)
    assert r.status_code == 302
    assert not Document.objects.exists()
    assert stored_files(store) == []  # the encrypted bytes are gone too
    event = CaseEvent.objects.get(action="document.removed")
    assert (event.actor, event.subject_type, event.subject_id) == (alice, "document", document.pk)
    assert event.after == {"kind": "notice_to_appear", "reason": "wrong_family"}
    assert (event.before["kind"], event.before["file_type"], event.before["size"], event.before["expires_on"]) == (
        "notice_to_appear", "pdf", len(PDF), "2031-05-01")
    assert "Ana" not in str(event.before) + str(event.after)  # the file's name is not kept in the history
    page = unescape(client.get(f"/cases/{case.pk}/").content.decode())
    assert "Notice to appear Ana.pdf" not in page and "No documents." in page
    assert "Document removed" in page and "Reason: Uploaded to the wrong family" in page


@pytest.mark.parametrize(("who", "status"), [("bob", 403), ("olga", 403), ("victor", 403), ("vera", 404),
                                             ("charlie", 404)])
def test_only_those_who_change_the_family_remove_a_document(page_for, who, status, alice, case, shared_with_bob,
                                                            victor, olga, vera, charlie, store):  # noqa: ANN001
    upload(page_for("alice"), case)
    document = Document.objects.get()
    history = CaseEvent.objects.count()
    page = page_for(who).get(f"/cases/{case.pk}/")
    assert "Remove this document" not in page.content.decode()
    assert remove(page_for(who), case, document).status_code == status
    assert Document.objects.filter(pk=document.pk).exists() and len(stored_files(store)) == 1
    assert CaseEvent.objects.count() == history


def test_a_double_submit_removes_once_and_a_stale_page_is_told_nothing_changed(page_for, alice, case, store):  # noqa: ANN001
    client = page_for("alice")
    upload(client, case)
    upload(client, case, name="Second copy.pdf")
    first, second = Document.objects.order_by("pk")
    once = "1b4e28ba-2fa1-11d2-883f-0016d3cca427"
    assert remove(client, case, first, reason="wrong_file", once=once).status_code == 302
    again = remove(client, case, first, reason="wrong_file", once=once, follow=True)
    assert "That was already saved." in again.content.decode()
    assert CaseEvent.objects.filter(action="document.removed").count() == 1
    # The same document again from a page opened before it was removed (a new token): refused.
    stale = remove(client, case, first, reason="wrong_file")
    assert stale.status_code == 400
    assert "That document is no longer on this family&#x27;s record: nothing was changed." in stale.content.decode()
    assert list(Document.objects.values_list("pk", flat=True)) == [second.pk]
    assert CaseEvent.objects.filter(action="document.removed").count() == 1


def test_a_document_of_another_family_or_an_unknown_reason_is_refused(page_for, alice, alpha, facility, case,
                                                                      store):  # noqa: ANN001
    from tests import cast

    client = page_for("alice")
    other = cast.family_case(alice, alpha, facility, reference="ALP-002", a_number="A-201-555-020")
    upload(client, other)
    theirs = Document.objects.get()
    history = CaseEvent.objects.count()
    wrong_family = remove(client, case, theirs)  # posted to this family's page with the other's document
    assert wrong_family.status_code == 400
    assert "no longer on this family" in unescape(wrong_family.content.decode())
    unknown = remove(client, other, theirs, reason="tidy")
    assert unknown.status_code == 400
    assert "Select a valid choice" in unknown.content.decode()
    none_chosen = remove(client, other, theirs, reason="")  # the form preselects no reason
    assert none_chosen.status_code == 400 and "This field is required." in none_chosen.content.decode()
    assert Document.objects.filter(pk=theirs.pk).exists() and len(stored_files(store)) == 1
    assert CaseEvent.objects.count() == history


def test_the_removal_reads_in_spanish(page_for, alice, case, django_capture_on_commit_callbacks):  # noqa: ANN001
    client = page_for("alice")
    upload(client, case)
    client.post("/accounts/language/", {"language": "es", "next": "/"})
    page = unescape(client.get(f"/cases/{case.pk}/").content.decode())
    assert "Quitar este documento" in page and "Se subió a la familia equivocada" in page
    with django_capture_on_commit_callbacks(execute=True):
        remove(client, case, Document.objects.get())
    page = unescape(client.get(f"/cases/{case.pk}/").content.decode())
    assert "Documento quitado" in page and "Motivo: Se subió a la familia equivocada" in page
