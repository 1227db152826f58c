"""Background work asked for while the broker was away is not lost: a printable batch, a family's
summary and a confirmed import are stored, queued, and the request answers as usual; the upkeep
sweep (every five minutes) sends each to a worker once it has waited five minutes, and again a
job whose worker died once its claim has run out. A job a worker already holds is left alone, and
a second message for one already taken does nothing (each claims its row first).

"The broker was away" is played here by never running the after-commit step that hands the job to
the broker (the request's transaction commits; its message never leaves), which is what
try_enqueue leaves behind when the broker refuses it. Celery runs tasks in-process in the tests."""
import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from advocacy.models import PdfBatch
from advocacy.services import batches
from advocacy.tasks import resume_pdf_batches
from cases.models import Case, CaseSummary, ImportJob
from cases.services import imports, summaries
from cases.tasks import resume_waiting_work
from tests.advocacy.conftest import action, congress, consented_case, director, draft, sign  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def later(minutes: float):  # noqa: ANN201
    return time_machine.travel(timezone.now() + dt.timedelta(minutes=minutes), tick=False)


def test_a_summary_asked_for_while_the_broker_was_away_is_built_after_five_minutes(
        alice, case, document_store, django_capture_on_commit_callbacks):  # noqa: ANN001
    with django_capture_on_commit_callbacks(execute=False) as never_sent:
        summary = summaries.summary_request(actor=alice, case=case, language="en")
    assert len(never_sent) == 1 and CaseSummary.objects.get(pk=summary.pk).status == "queued"
    with later(4):
        assert resume_waiting_work() == {"summaries": 0, "imports": 0}  # it may still be on its way
    assert CaseSummary.objects.get(pk=summary.pk).status == "queued"
    with later(6):
        assert resume_waiting_work() == {"summaries": 1, "imports": 0}
    built = CaseSummary.objects.get(pk=summary.pk)
    assert built.status == "ready" and built.pages >= 1
    assert summaries.summary_read(actor=alice, summary=built).startswith(b"%PDF")
    with later(7):
        assert resume_waiting_work() == {"summaries": 0, "imports": 0}  # done: nothing waits


def test_a_summary_whose_worker_died_is_taken_again_after_its_lease_and_not_before(
        alice, case, document_store, django_capture_on_commit_callbacks):  # noqa: ANN001
    with django_capture_on_commit_callbacks(execute=False):
        summary = summaries.summary_request(actor=alice, case=case, language="es")
    # As a worker that claimed it and died leaves it.
    CaseSummary.objects.filter(pk=summary.pk).update(status="building", claimed_at=timezone.now())
    with later(4):  # within the lease: a live worker may hold it
        assert resume_waiting_work()["summaries"] == 0
    assert CaseSummary.objects.get(pk=summary.pk).status == "building"
    with later(summaries.LEASE.total_seconds() / 60 + 1):
        assert resume_waiting_work()["summaries"] == 1
    assert CaseSummary.objects.get(pk=summary.pk).status == "ready"


def test_an_import_confirmed_while_the_broker_was_away_runs_once(alice, alpha, document_store,
                                                                 django_capture_on_commit_callbacks):  # noqa: ANN001
    job = imports.import_check(actor=alice, organization=alpha, upload=SimpleUploadedFile(
        "families.csv", imports.template_csv()))
    with django_capture_on_commit_callbacks(execute=False):
        imports.import_confirm(actor=alice, job=job)
    assert ImportJob.objects.get(pk=job.pk).status == "queued"
    cases_before = Case.objects.count()
    with later(6):
        assert resume_waiting_work() == {"summaries": 0, "imports": 1}
    done = ImportJob.objects.get(pk=job.pk)
    # The template's example: one family of two people (docs/import.md).
    assert (done.status, done.imported_families, done.imported_people) == ("done", 1, 2)
    assert Case.objects.count() == cases_before + 1
    with later(8):
        assert resume_waiting_work()["imports"] == 0
    assert Case.objects.count() == cases_before + 1


def test_a_printable_batch_asked_for_while_the_broker_was_away_is_built(olga, action, settings, tmp_path,
                                                                        django_capture_on_commit_callbacks):  # noqa: ANN001
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    for n in range(3):
        sign(action, email=f"s{n}@example.org")
    padilla = action.letters.filter(decision_maker__salutation="Senator Padilla").first().decision_maker
    with django_capture_on_commit_callbacks(execute=False):
        batch = batches.batch_request(actor=olga, action=action, decision_maker=padilla)
    with later(4):
        assert resume_pdf_batches() == 0
    with later(6):
        assert resume_pdf_batches() == 1
    built = PdfBatch.objects.get(pk=batch.pk)
    assert (built.status, built.total, built.pages) == ("ready", 3, 3)
    with later(7):
        assert resume_pdf_batches() == 0


def test_the_sweeps_run_every_five_minutes_on_the_upkeep_queue(settings):  # noqa: ANN001
    for task in ("cases.tasks.resume_waiting_work", "advocacy.tasks.resume_pdf_batches"):
        (entry,) = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == task]
        assert entry["schedule"] == 300.0
        assert settings.CELERY_TASK_ROUTES[task] == {"queue": "upkeep"}
