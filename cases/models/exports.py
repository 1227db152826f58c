from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ._constraints import enum_check


class SummaryStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting for a worker")
    BUILDING = "building", _("Being prepared")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class CaseSummary(models.Model):
    """A printable PDF of one family as the reader who asked may see it (cases.services.summaries),
    laid out by a worker. The PDF is encrypted in the documents storage; only the reader who asked
    downloads it, and each download is an export in the access log."""

    Status = SummaryStatus

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="summaries")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="en")
    status = models.CharField(max_length=10, choices=SummaryStatus.choices, default=SummaryStatus.QUEUED)
    # Whether it was laid out with the family's personal details (the reader's right at that moment).
    with_pii = models.BooleanField(default=False)
    storage_name = models.CharField(max_length=200, blank=True, editable=False)
    pages = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=200, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name_plural = "case summaries"
        constraints = [enum_check("status", SummaryStatus, "casesummary")]

    def __str__(self) -> str:
        return f"Case summary #{self.pk} ({self.status})"
