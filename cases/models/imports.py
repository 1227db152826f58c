from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..fields import EncryptedTextField
from ._constraints import enum_check


class ImportStatus(models.TextChoices):
    PREVIEWED = "previewed", _("Checked, waiting for confirmation")
    QUEUED = "queued", _("Confirmed, waiting for a worker")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Stopped by an error")
    EXPIRED = "expired", _("Not confirmed in time; the file was deleted")


class ImportJob(models.Model):
    """A spreadsheet of families and people brought into an organisation (cases.services.imports):
    checked first (the preview: every row's errors, the duplicates it would create, what is
    already on record), imported only once confirmed, by a worker, through the services.

    The uploaded file is kept encrypted in the documents storage until the import ends, or until
    the check has waited PREVIEW_KEPT unconfirmed (cases.services.stored_files). The rows'
    problems are kept as row numbers, family references, columns and reasons - never a cell's value."""

    Status = ImportStatus

    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    file_name = EncryptedTextField()  # may name a family
    file_format = models.CharField(max_length=4)  # "csv" or "xlsx"
    storage_name = models.CharField(max_length=200, blank=True, editable=False)
    status = models.CharField(max_length=10, choices=ImportStatus.choices, default=ImportStatus.PREVIEWED)
    # The preview's count of data rows, of rows it would import, of rows already on record, and its
    # refused rows ([{"row": 12, "reference": "ALP-7", "column": "a_number", "reason": "..."}]).
    total_rows = models.PositiveIntegerField(default=0)
    new_rows = models.PositiveIntegerField(default=0)
    known_rows = models.PositiveIntegerField(default=0)
    new_families = models.PositiveIntegerField(default=0)
    rejected = models.JSONField(default=list, blank=True)
    # The run: rows read so far, people and families it created, rows refused as it went.
    done_rows = models.PositiveIntegerField(default=0)
    imported_people = models.PositiveIntegerField(default=0)
    imported_families = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [enum_check("status", ImportStatus, "importjob")]

    def __str__(self) -> str:
        return f"Import #{self.pk} ({self.status})"

    @property
    def progress(self) -> int:
        if self.status == ImportStatus.DONE:
            return 100
        return int(100 * self.done_rows / self.total_rows) if self.total_rows else 0
