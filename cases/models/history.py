from django.conf import settings
from django.db import models

from ._constraints import AppendOnly


class CaseEvent(AppendOnly):
    """An immutable history entry: who changed what, when, before and after. The case timeline.

    A-numbers never enter history (only the fact that one changed). Other PII values (names,
    dates of birth, addresses, note text) are stored, and redacted on the way out for anyone
    without view_case_pii (see cases.pii).
    """

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    action = models.CharField(max_length=40)
    subject_type = models.CharField(max_length=32)
    subject_id = models.BigIntegerField(null=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["case", "-at"], name="case_timeline_idx")]
        # Append-only (AppendOnly); the PostgreSQL trigger of migration 0002 enforces it too.
        verbose_name_plural = "history entries"

    def __str__(self) -> str:
        return f"{self.action} on case {self.case_id}"



class UsedFormToken(models.Model):
    """The one-time token of a submitted staff form (or an API Idempotency-Key), stored in the same
    transaction as the change it made (cases.services.once). The same form sent again (a double
    tap, a resend after a timeout) finds it and changes nothing; a refused change rolls back with
    its token, so the corrected form can go."""

    token = models.UUIDField(primary_key=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    used_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # What the first submission created ("cases.note", 17), so a replayed API request answers with
    # it; empty for a change that created no row.
    subject_type = models.CharField(max_length=40, blank=True, default="")
    subject_id = models.BigIntegerField(null=True, blank=True)
