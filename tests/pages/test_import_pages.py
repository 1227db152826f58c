"""The import pages: an organisation's admins and advocates upload, see the preview, confirm and
follow the progress; organizers, volunteers and other organisations' staff get a 404 and change
nothing."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cases.models import Case, ImportJob
from cases.services import imports


@pytest.fixture(autouse=True)
def store(document_store):  # noqa: ANN001, ANN201
    return document_store


def upload(client, data: bytes = None, name: str = "families.csv"):  # noqa: ANN001, ANN201
    return client.post("/imports/", {"file": SimpleUploadedFile(name, data or imports.template_csv())})


@pytest.mark.parametrize("who", ["alice", "adam"])
def test_legal_staff_preview_confirm_and_follow_the_import(page_for, who, alpha, django_capture_on_commit_callbacks):  # noqa: ANN001
    client = page_for(who)
    page = client.get("/imports/").content.decode()
    assert "family_reference" in page and "Download the template" in page
    template = client.get("/imports/template.csv")
    assert template.status_code == 200 and template["Content-Type"] == "text/csv; charset=utf-8"
    r = upload(client, template.content, name="families-template.csv")
    job = ImportJob.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/imports/{job.pk}/"
    preview = client.get(r["Location"]).content.decode()
    assert "2 people would be imported (1 new family)" in preview and "Nothing has been saved yet" in preview
    assert not Case.objects.filter(reference="EX-2024-001").exists()
    # Confirmed but not yet taken by a worker: the page shows where it stands, and refreshes itself.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert client.post(f"/imports/{job.pk}/confirm/").status_code == 302
    waiting = client.get(f"/imports/{job.pk}/").content.decode()
    assert "0 of 2 rows done" in waiting and 'http-equiv="refresh"' in waiting
    for callback in callbacks:
        callback()  # the worker's run (Celery is eager in tests)
    done = client.get(f"/imports/{job.pk}/").content.decode()
    assert "2 people imported, 1 new family." in done
    assert Case.objects.get(reference="EX-2024-001").people.count() == 2


def test_a_double_confirm_runs_once(page_for, alice, alpha, django_capture_on_commit_callbacks):  # noqa: ANN001
    client = page_for("alice")
    upload(client)
    job = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client.post(f"/imports/{job.pk}/confirm/")
        client.post(f"/imports/{job.pk}/confirm/")
    assert len(callbacks) == 1
    assert Case.objects.get(reference="EX-2024-001").people.count() == 2


def test_the_refused_rows_download(page_for, alice, alpha):  # noqa: ANN001
    data = imports.template_csv() + b"EX-2024-002,,,aunt,Rosa,,,,,,,,\r\n"
    client = page_for("alice")
    upload(client, data)
    job = ImportJob.objects.get()
    page = client.get(f"/imports/{job.pk}/").content.decode()
    assert "Use parent, legal_guardian, child or other_relative." in page
    report = client.get(f"/imports/{job.pk}/refused-rows.csv")
    assert report.status_code == 200
    assert report.content.decode("utf-8-sig").splitlines()[1] == (
        '4,EX-2024-002,role,"Use parent, legal_guardian, child or other_relative."')


def test_a_bad_file_is_a_400_with_why(page_for, alice, alpha):  # noqa: ANN001
    r = upload(page_for("alice"), b"%PDF-1.4", name="families.pdf")
    assert r.status_code == 400
    assert "Upload the spreadsheet as .xlsx or .csv" in r.content.decode()
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize("who", ["olga", "victor", "vera"])
def test_organizers_and_volunteers_get_404_and_nothing_changes(page_for, who, alpha, olga, victor, vera, case):  # noqa: ANN001
    client = page_for(who)
    assert client.get("/imports/").status_code == 404
    assert client.get("/imports/template.csv").status_code == 404
    assert upload(client).status_code == 404
    assert not ImportJob.objects.exists()
    assert not Case.objects.filter(reference="EX-2024-001").exists()


@pytest.mark.parametrize("who", ["bob", "charlie", "olga", "victor"])
def test_anothers_import_is_a_404(page_for, who, alice, alpha, bob, charlie, olga, victor, case,
                                  django_capture_on_commit_callbacks):  # noqa: ANN001
    upload(page_for("alice"))
    job = ImportJob.objects.get()
    client = page_for(who)
    for path in (f"/imports/{job.pk}/", f"/imports/{job.pk}/refused-rows.csv"):
        assert client.get(path).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/imports/{job.pk}/confirm/").status_code == 404
    assert ImportJob.objects.get().status == "previewed"
    assert not Case.objects.filter(reference="EX-2024-001").exists()


def test_a_check_left_unconfirmed_for_three_days_expires_and_its_file_is_deleted(
        page_for, alice, alpha, store, django_capture_on_commit_callbacks):  # noqa: ANN001
    import datetime as dt

    import time_machine
    from django.utils import timezone

    from cases.tasks import sweep_stored_files

    client = page_for("alice")
    upload(client)
    job = ImportJob.objects.get()
    stored = store / job.storage_name
    assert stored.is_file()
    checked = timezone.now()
    with time_machine.travel(checked + dt.timedelta(days=2, hours=23), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert sweep_stored_files()["import_files"] == 0
    job.refresh_from_db()
    assert job.status == "previewed" and stored.is_file()
    with time_machine.travel(checked + dt.timedelta(days=3, minutes=1), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert sweep_stored_files()["import_files"] == 1
    job.refresh_from_db()
    assert (job.status, job.storage_name) == ("expired", "") and not stored.exists()
    page = client.get(f"/imports/{job.pk}/").content.decode()
    assert "was not confirmed within 3 days" in page and "Import 2 people" not in page
    # Confirming from a page left open all that time imports nothing.
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/imports/{job.pk}/confirm/").status_code == 302
    assert not Case.objects.filter(reference="EX-2024-001").exists()
    assert ImportJob.objects.get(pk=job.pk).status == "expired"


def test_a_failed_imports_file_is_let_go(page_for, alice, alpha, store, django_capture_on_commit_callbacks):  # noqa: ANN001
    from cases.tasks import sweep_stored_files

    upload(page_for("alice"))
    job = ImportJob.objects.get()
    stored = store / job.storage_name
    # As import_run leaves a job whose run raised: failed, the file still named.
    ImportJob.objects.filter(pk=job.pk).update(status="failed", error="OperationalError")
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_stored_files()["import_files"] == 1
    job.refresh_from_db()
    assert (job.status, job.storage_name, job.error) == ("failed", "", "OperationalError") and not stored.exists()
