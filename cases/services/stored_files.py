"""The documents storage holds only files a row refers to.

Families' documents, printable summaries and spreadsheets waiting to be imported are kept
encrypted in the "documents" storage, each named in its row (Document, CaseSummary, ImportJob).
A file can outlive its row: a document removed while the storage was unreachable, or by a process
killed between the removal's commit and the file's deletion, a worker killed between saving a
file and writing its row. Such a file still holds a family's details (encrypted), so the sweep
(cases.tasks.sweep_stored_files, hourly) deletes every file that no row names and that is older
than ORPHAN_GRACE: a file being saved right now is named by its row within the same request or
task, long before that. Only files named as the product names them are looked at (OURS).

A spreadsheet checked for import but never confirmed holds a whole list of families: once the
check has waited PREVIEW_KEPT, the sweep marks it expired and deletes the file (the advocate
uploads it again to import it). A failed import's file is deleted too: it is never read again
(the page asks for the file to be imported again).
"""
import datetime as dt
import logging
import re
from collections.abc import Iterator

from django.db import transaction
from django.utils import timezone

from ..models import CaseSummary, Document, ImportJob
from .documents import storage

logger = logging.getLogger(__name__)

ORPHAN_GRACE = dt.timedelta(hours=1)
PREVIEW_KEPT = dt.timedelta(days=3)
_BATCH = 1000


# What the product names the files it stores (documents.save_encrypted, imports.import_check): only
# such files are ever swept, so a storage shared with anything else (a bucket, a folder) loses
# nothing of it.
OURS = re.compile(r"(document|summary|import)-[0-9a-f]{32}\.bin")


def _stored_names() -> Iterator[str]:
    try:
        _directories, files = storage().listdir("")
    except FileNotFoundError:  # nothing stored yet: a file system storage's folder is made on the first save
        return
    yield from (name for name in files if OURS.fullmatch(name))


def _named_by_a_row(names: list[str]) -> set[str]:
    named: set[str] = set()
    for model in (Document, CaseSummary, ImportJob):
        named.update(model.objects.filter(storage_name__in=names).values_list("storage_name", flat=True))
    return named


def expire_import_files(*, now: dt.datetime | None = None) -> int:
    """Expire the checks left unconfirmed for PREVIEW_KEPT, and let go of the files of failed
    imports and of finished ones whose deletion was cut off; return how many files were let go.
    Each row forgets its file in a conditional update before the file is deleted (after the
    commit): a confirmation racing the expiry either wins, and the import runs, or finds the check
    expired. A deletion cut off is left to sweep_orphans."""
    now = now or timezone.now()
    stale = ImportJob.objects.filter(status=ImportJob.Status.PREVIEWED, created_at__lt=now - PREVIEW_KEPT)
    # A failed import's file is never read again; a finished or expired one whose process was cut
    # off between its last update and the file's deletion still names it.
    failed = ImportJob.objects.filter(status__in=(ImportJob.Status.FAILED, ImportJob.Status.DONE,
                                                  ImportJob.Status.EXPIRED)).exclude(storage_name="")
    let_go = 0
    for jobs, changes in ((stale, {"status": ImportJob.Status.EXPIRED, "finished_at": now}), (failed, {})):
        for pk, name in jobs.values_list("pk", "storage_name"):
            with transaction.atomic():
                if jobs.filter(pk=pk, storage_name=name).update(storage_name="", **changes):
                    let_go += 1
                    if name:
                        transaction.on_commit(lambda name=name: storage().delete(name), robust=True)
    return let_go


def _older_than(name: str, cutoff: dt.datetime) -> bool:
    """False for a file gone since it was listed (its row's owner deleted it meanwhile)."""
    try:
        return storage().get_modified_time(name) < cutoff
    except (FileNotFoundError, OSError):
        return False
    except Exception as exc:  # noqa: BLE001 - another storage's "not found" (S3: ClientError 404)
        if storage().exists(name):
            raise
        logger.debug("documents storage: a file went while the sweep ran (%s)", type(exc).__name__)
        return False


def sweep_orphans(*, now: dt.datetime | None = None) -> int:
    """Delete the stored files no row names and older than ORPHAN_GRACE; return how many."""
    store, cutoff = storage(), (now or timezone.now()) - ORPHAN_GRACE
    deleted = 0
    names = list(_stored_names())
    for start in range(0, len(names), _BATCH):
        batch = names[start:start + _BATCH]
        named = _named_by_a_row(batch)
        for name in batch:
            if name not in named and _older_than(name, cutoff):
                store.delete(name)
                deleted += 1
    if deleted:
        # The names are random (nothing of a family in them); the count is what an operator needs.
        logger.info("documents storage: %d file(s) no record refers to were deleted", deleted)
    return deleted
