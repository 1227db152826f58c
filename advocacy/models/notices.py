from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models._constraints import enum_check


class NoticeKind(models.TextChoices):
    LETTERS = "letters", _("Letters failed or unconfirmed")
    PAUSED = "paused", _("Letters paused")
    WON = "won", _("Every family is out")
    SUPPORTER = "supporter", _("A supporter's letters")


class Notice(models.Model):
    """An email to an action's organizers, written in the same transaction as the event it tells of
    and delivered by a retried task (services.notify): a mail outage delays it, never loses it. At
    most one notice of a kind waits per action; it says what stands when it is sent."""

    Kind = NoticeKind

    action = models.ForeignKey("advocacy.Action", on_delete=models.CASCADE, related_name="notices")
    # The supporter told of their letters (kind "supporter"); empty for the organizers' notices.
    submission = models.ForeignKey("advocacy.Submission", on_delete=models.CASCADE, null=True, blank=True,
                                   related_name="+")
    kind = models.CharField(max_length=10, choices=NoticeKind.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # An SMTP code and the exception's class, never the notice's text or an address.
    last_error = models.CharField(max_length=300, blank=True)
    # A worker's claim while it sends; another worker takes the notice only after it expires.
    claim_expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            enum_check("kind", NoticeKind, "notice"),
            models.UniqueConstraint(fields=["action", "kind"], condition=models.Q(sent_at__isnull=True)
                                    & ~models.Q(kind="supporter"), name="one_waiting_notice_per_action_kind"),
            models.UniqueConstraint(fields=["submission"], condition=models.Q(sent_at__isnull=True, kind="supporter"),
                                    name="one_waiting_notice_per_supporter"),
            models.CheckConstraint(condition=models.Q(kind="supporter", submission__isnull=False)
                                   | (~models.Q(kind="supporter") & models.Q(submission__isnull=True)),
                                   name="notice_supporter_has_submission"),
        ]
        indexes = [models.Index(fields=["created_at"], name="notice_waiting_idx",
                                condition=models.Q(sent_at__isnull=True))]

    def __str__(self) -> str:
        return f"Notice #{self.pk} ({self.kind})"
