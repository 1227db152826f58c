from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ._constraints import enum_check


class ReminderEvent(models.TextChoices):
    HEARING = "hearing", _("Hearing")
    REVIEW_DEADLINE = "review_deadline", _("Judge's review deadline")
    SPONSOR_STEP = "sponsor_step", _("Sponsor vetting step due")


class ReminderStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    SENT = "sent", _("Sent")
    CANCELLED = "cancelled", _("Cancelled")
    FAILED = "failed", _("Refused by the mail server")


class Reminder(models.Model):
    """One email reminding one advocate of one dated event of a family, `days_before` days ahead
    (0: the morning of). Planned from the live record by cases.services.reminders.plan, which
    moves a waiting reminder when its event moves and cancels it when the event is cancelled,
    decided or past; sent by the beat. A reminder is marked sent at the moment the mail server
    could first have it (config.mail), so a worker killed mid-send never sends it twice.

    The key names the event's day: a hearing moved to another day is a new event to be told of
    (a reminder already sent for the old day stays on record), one moved within its day keeps its
    reminders and updates their time."""

    Event = ReminderEvent
    Status = ReminderStatus

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="reminders")
    event = models.CharField(max_length=16, choices=ReminderEvent.choices)
    # The hearing, fear process or sponsor the event belongs to (by kind); kept as an id so a
    # reminder outlives nothing it mentions and the planner can compare keys without joins.
    event_id = models.BigIntegerField()
    # The event's day in the organisation's time zone, and for a hearing its moment.
    event_on = models.DateField()
    event_at = models.DateTimeField(null=True, blank=True)
    days_before = models.PositiveSmallIntegerField()
    due_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=ReminderStatus.choices, default=ReminderStatus.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Sent inside the user's daily digest rather than on its own.
    in_digest = models.BooleanField(default=False)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # A worker's claim while it sends (another takes the reminder only once it expires).
    claim_token = models.UUIDField(null=True, blank=True)
    claim_expires_at = models.DateTimeField(null=True, blank=True)
    # An SMTP code and the exception's class: never the message or an address.
    last_error = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            enum_check("event", ReminderEvent, "reminder"),
            enum_check("status", ReminderStatus, "reminder"),
            models.UniqueConstraint(fields=["user", "event", "event_id", "event_on", "days_before"],
                                    name="one_reminder_per_user_event_day_offset"),
            models.CheckConstraint(condition=models.Q(status="sent", sent_at__isnull=False)
                                   | (~models.Q(status="sent") & models.Q(sent_at__isnull=True)),
                                   name="reminder_sent_has_time"),
        ]
        indexes = [
            # The sender's "due now" and the planner's comparison both read waiting reminders only.
            models.Index(fields=["due_at"], name="reminder_waiting_idx", condition=models.Q(status="pending")),
        ]

    def __str__(self) -> str:
        return f"Reminder #{self.pk} ({self.event}, {self.days_before} d)"
