import uuid

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models._constraints import enum_check

from .actions import Language


class Submission(models.Model):
    """One supporter's signature on one action. A supporter is known by email within an action
    only: there is deliberately no profile across actions, so one organisation's action never
    reveals what a supporter did on another's. A second submission with the same email updates
    this row."""

    # No index of its own: one_submission_per_supporter (action, email_key) serves lookups by action.
    action = models.ForeignKey("advocacy.Action", on_delete=models.PROTECT, related_name="submissions",
                               db_index=False)
    email = models.EmailField(max_length=254)
    # Lower-cased email: the key of "one submission per supporter per action".
    email_key = models.CharField(max_length=254, editable=False)
    prefix = models.CharField(max_length=12)
    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80)
    street = models.CharField(max_length=200)
    city = models.CharField(max_length=80)
    state = models.CharField(max_length=2)
    zip_code = models.CharField(max_length=10)
    district = models.PositiveSmallIntegerField(null=True, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    note = models.TextField(blank=True)
    edited_body = models.TextField(blank=True)
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.EN)
    # Derived from (action, email) by a keyed hash, so unique by construction; never looked up alone.
    referral_code = models.CharField(max_length=16)
    referred_by = models.CharField(max_length=16, blank=True)
    # sha256 of the token the supporter's browser holds: only that browser may change this row.
    owner_key = models.CharField(max_length=64, blank=True, editable=False)
    # When the delivery task last created this submission's letters; emptied by every resubmission
    # (the address may reach other offices), so the sweep can find submissions whose task was lost.
    letters_made_at = models.DateTimeField(null=True, blank=True)
    # When its delivery task last went to the broker (empty: it could not be sent there, the broker
    # was away): the sweep leaves it to that message until the broker would hand it out again.
    enqueued_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["action", "email_key"], name="one_submission_per_supporter"),
            enum_check("language", Language, "submission"),
        ]
        indexes = [
            # The sweep: submissions still waiting for their letters.
            models.Index(fields=["updated_at"], name="submission_no_letters_idx",
                         condition=models.Q(letters_made_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"Submission #{self.pk}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def city_state_zip(self) -> str:
        return f"{self.city}, {self.state} {self.zip_code}"


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    CWC = "cwc", _("Communicating with Congress")
    PRINT = "print", _("Printed, hand delivered")
    CONTACT_FORM = "contact_form", _("Contact form (by the supporter)")


class LetterStatus(models.TextChoices):
    QUEUED = "queued", _("Being prepared")
    # Rendered and waiting: about to be sent, or, for channels without automatic delivery (CWC
    # without credentials, print, contact form), ready for export or hand delivery.
    RENDERED = "rendered", _("Ready, waiting")
    SENT = "sent", _("Sent or delivered")
    # The worker handed the letter to the mail server and could not learn or record whether the
    # server took it (the connection broke after the message, or the database was gone): it may
    # have arrived. Never sent again without a person's check (services.delivery).
    UNCONFIRMED = "unconfirmed", _("Sent, unconfirmed")
    FAILED = "failed", _("Not delivered")
    # The supporter changed their address before this letter went out: another representative.
    CANCELLED = "cancelled", _("Cancelled (address changed)")


PENDING_STATUSES = (LetterStatus.QUEUED, LetterStatus.RENDERED)


class Letter(models.Model):
    """One letter: one submission to one decision maker. `subject` and `body` are the exact text
    sent (rendered again before each attempt, so a fact withdrawn by a family never goes out)."""

    Status = LetterStatus
    Channel = Channel

    action = models.ForeignKey("advocacy.Action", on_delete=models.PROTECT, related_name="letters")
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="letters")
    decision_maker = models.ForeignKey("advocacy.DecisionMaker", on_delete=models.PROTECT, related_name="letters")
    # The idempotency key: the email Message-ID and the CWC DeliveryId are derived from it.
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    status = models.CharField(max_length=12, choices=LetterStatus.choices, default=LetterStatus.QUEUED)
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.EN)
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    cwc_xml = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # Why the last attempt failed: an SMTP or HTTP status and a short reason, never letter text.
    last_error = models.CharField(max_length=300, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # A worker's claim (conditional UPDATE): nobody else sends this letter until it expires. The
    # worker extends it to cover a send's whole deadline before starting the send.
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.UUIDField(null=True, blank=True)
    claim_expires_at = models.DateTimeField(null=True, blank=True)
    # Set, under the claim, the moment before the step after which the server may have the letter
    # (the end of the SMTP message). A claim that lapses with it set is "sent, unconfirmed".
    committed_at = models.DateTimeField(null=True, blank=True)
    # When a delivery message for it last went to the broker: the sweep leaves it to that message
    # until the broker would have handed it out again (services.delivery.stuck_letters).
    enqueued_at = models.DateTimeField(null=True, blank=True)
    rendered_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    failure_notified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "decision_maker"], name="one_letter_per_submission_target"),
            enum_check("status", LetterStatus, "letter"),
            enum_check("channel", Channel, "letter"),
            enum_check("language", Language, "letter"),
            models.CheckConstraint(
                condition=~models.Q(status="sent") | models.Q(sent_at__isnull=False), name="letter_sent_has_time"
            ),
        ]
        indexes = [
            # Progress (letters sent), the delivery report and the CSV export, per action.
            models.Index(fields=["action", "status"], name="letter_action_status_idx"),
            # The sweep: letters still to deliver, oldest first.
            models.Index(fields=["updated_at"], name="letter_pending_idx",
                         condition=models.Q(status__in=["queued", "rendered"])),
        ]

    def __str__(self) -> str:
        return f"Letter #{self.pk} ({self.status})"

    @property
    def message_id(self) -> str:
        return f"<letter-{self.key}@{settings.LETTER_MESSAGE_ID_DOMAIN}>"


def private_storage() -> FileSystemStorage:
    """Printable batches carry supporters' names and addresses: kept outside any served folder and
    downloaded only through a permission-checked view."""
    return FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT)


class BatchStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    BUILDING = "building", _("Building")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class PdfBatch(models.Model):
    """A printable PDF of an action's letters to one decision maker, built by a worker."""

    Status = BatchStatus

    action = models.ForeignKey("advocacy.Action", on_delete=models.CASCADE, related_name="pdf_batches")
    decision_maker = models.ForeignKey("advocacy.DecisionMaker", on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    status = models.CharField(max_length=10, choices=BatchStatus.choices, default=BatchStatus.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    pages = models.PositiveIntegerField(default=0)
    # The letters printed, so "delivered" marks exactly those.
    letter_ids = models.JSONField(default=list, blank=True)
    file = models.FileField(storage=private_storage, upload_to="letter-batches/", blank=True)
    error = models.CharField(max_length=300, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name_plural = "PDF batches"
        constraints = [enum_check("status", BatchStatus, "pdfbatch")]

    @property
    def progress(self) -> int:
        """Percent done, for the progress indicator."""
        if self.status == BatchStatus.READY:
            return 100
        return int(100 * self.done / self.total) if self.total else 0
