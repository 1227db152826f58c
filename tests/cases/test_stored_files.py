"""The documents storage keeps only files a record refers to: the hourly sweep deletes a file it
stored that no document, summary or waiting import names once it is more than an hour old, and
leaves every other file alone, its own and anything else kept in the same place. Files here are
fictional."""
import datetime as dt
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cases import services
from cases.models import CaseSummary, Document, ImportJob
from cases.services import imports, summaries
from cases.services.documents import save_encrypted
from cases.tasks import sweep_stored_files

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def files(store: Path) -> set[str]:
    return {str(p.relative_to(store)) for p in store.rglob("*") if p.is_file()} if store.exists() else set()


def age(store: Path, name: str, hours: float) -> None:
    then = (timezone.now() - dt.timedelta(hours=hours)).timestamp()
    os.utime(store / name, (then, then))


def test_the_sweep_deletes_only_old_files_no_record_names(alice, alpha, case, document_store, caplog):  # noqa: ANN001
    store = document_store
    document = services.document_add(actor=alice, case=case, kind="notice_to_appear",
                                     upload=SimpleUploadedFile("Notice Ana.pdf", PDF))
    summary = summaries.summary_build(summaries.summary_request(actor=alice, case=case, language="en").pk)
    waiting = imports.import_check(actor=alice, organization=alpha, upload=SimpleUploadedFile(
        "families.csv", (",".join(name for name, _r, _h in imports.COLUMNS) + "\n").encode()))
    kept = {document.storage_name, summary.storage_name, waiting.storage_name}
    assert all(kept) and files(store) == kept
    stray_old = save_encrypted("document", b"a family's file whose row was never written")
    stray_new = save_encrypted("summary", b"a summary being written right now")
    # Files the product did not store there (a storage shared with something else): never ours to delete.
    (store / "backups").mkdir()
    (store / "backups" / "2026-11.dump").write_bytes(b"someone else's")
    (store / "notes.txt").write_bytes(b"someone else's")
    (store / "document-not-hex.bin").write_bytes(b"not a name we give")
    foreign = {"backups/2026-11.dump", "notes.txt", "document-not-hex.bin"}
    for name in (*kept, stray_old, *foreign):
        age(store, name, hours=30 * 24)  # every file old, the records' own included
    age(store, stray_new, hours=0.5)  # newer than the grace: it may be a file its row is about to name

    caplog.set_level("INFO", logger="cases.services.stored_files")
    assert sweep_stored_files() == {"import_files": 0, "orphans": 1}
    assert files(store) == kept | {stray_new} | foreign
    assert "1 file(s)" in caplog.text and stray_old not in caplog.text
    # What the records name still opens.
    assert services.document_read(actor=alice, document=document) == PDF
    assert summaries.summary_read(actor=alice, summary=CaseSummary.objects.get(pk=summary.pk)).startswith(b"%PDF")
    assert ImportJob.objects.get(pk=waiting.pk).storage_name in files(store)
    assert sweep_stored_files() == {"import_files": 0, "orphans": 0}  # nothing more to do


def test_a_documents_file_left_by_a_removal_cut_off_after_its_commit_is_swept(alice, case, document_store):  # noqa: ANN001
    store = document_store
    document = services.document_add(actor=alice, case=case, kind="court_order",
                                     upload=SimpleUploadedFile("Order.pdf", PDF))
    (name,) = files(store)
    # The removal commits; the file's deletion, run after the commit, never does (here the test's
    # transaction is never committed, as a process killed right after its commit would leave it).
    services.document_remove(actor=alice, case=case, document_id=document.pk, reason="wrong_family")
    assert not Document.objects.exists() and files(store) == {name}
    age(store, name, hours=2)
    assert sweep_stored_files()["orphans"] == 1 and files(store) == set()


def test_an_empty_or_missing_storage_is_swept_without_error(settings, tmp_path):  # noqa: ANN001
    settings.STORAGES = {**settings.STORAGES, "documents": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path / "none")}}}
    assert sweep_stored_files() == {"import_files": 0, "orphans": 0}


def test_the_sweep_runs_hourly_beside_the_other_upkeep():
    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "cases.tasks.sweep_stored_files")
    assert entry["schedule"] == 3600.0
    assert settings.CELERY_TASK_ROUTES["cases.tasks.sweep_stored_files"] == {"queue": "upkeep"}


def test_a_file_gone_between_the_listing_and_its_check_is_skipped(document_store):  # noqa: ANN001
    # A removal or a finished import deletes its file while the sweep runs: the sweep goes on.
    from cases.services.stored_files import _older_than

    cutoff = timezone.now()
    assert _older_than(f"document-{'0' * 32}.bin", cutoff) is False


def test_a_finished_imports_file_left_by_a_cut_off_process_is_let_go(alice, alpha, document_store,
                                                                     django_capture_on_commit_callbacks):  # noqa: ANN001
    job = imports.import_check(actor=alice, organization=alpha, upload=SimpleUploadedFile(
        "families.csv", imports.template_csv()))
    name = job.storage_name
    # As import_run leaves a job whose process ended between marking it done and forgetting its file.
    ImportJob.objects.filter(pk=job.pk).update(status="done")
    assert files(document_store) == {name}
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_stored_files()["import_files"] == 1
    assert ImportJob.objects.get(pk=job.pk).storage_name == "" and files(document_store) == set()
    assert ImportJob.objects.get(pk=job.pk).status == "done"
