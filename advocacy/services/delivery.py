"""Rendering and delivering one letter, exactly once.

A worker claims a letter with a conditional UPDATE (pending, unclaimed or its claim's lease over,
due) and checks the row count: whoever updates the row owns the letter until it releases it or the
lease ends. It renders the letter from the live records (so the stored text is the text sent, and a
fact a family withdrew is never sent), stores it, sends it outside any transaction, and marks it
sent only if it still holds the claim. A redelivered or retried task finds the letter sent (or
claimed) and does nothing.

The one window no local bookkeeping closes: the mail server accepted the message and the worker
died before it recorded that. The sweep then sends the letter again with the same Message-ID (and
CWC with the same DeliveryId, which the House and Senate refuse as a duplicate); see
docs/letters.md.
"""
import datetime as dt
import logging
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from ..letters import cwc
from ..letters.render import FactsUnavailable, Rendered, Supporter, facts_for, render
from ..models import PENDING_STATUSES, Channel, Letter, LetterStatus
from .actions import action_pause
from .channels import PermanentError, TransientError, automatic_channels, choose_channel, post_cwc, send_email

logger = logging.getLogger(__name__)

# Seconds before attempt 2, 3, ...: a mail server that is down for an hour does not lose letters.
BACKOFF = (60, 300, 900, 3600, 3 * 3600, 6 * 3600)


@dataclass(frozen=True)
class Outcome:
    state: str  # skipped | held | rendered | sent | retry | failed | lost (the claim was taken mid-send)
    retry_in: int | None = None


def _lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.LETTER_CLAIM_LEASE_SECONDS)


def claimable(now: dt.datetime) -> Q:
    return (Q(status__in=PENDING_STATUSES)
            & (Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - _lease()))
            & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)))


def claim(letter_id: int) -> uuid.UUID | None:
    """Take the letter for this worker, or None when it is done, held elsewhere or not yet due."""
    now = timezone.now()
    token = uuid.uuid4()
    claimed = Letter.objects.filter(claimable(now), pk=letter_id).update(claimed_at=now, claim_token=token)
    return token if claimed == 1 else None


def _mine(letter_id: int, token: uuid.UUID):  # noqa: ANN202
    # Still claimed by this worker and still to deliver (a change of address may have cancelled it).
    return Letter.objects.filter(pk=letter_id, claim_token=token, status__in=PENDING_STATUSES)


def release(letter_id: int, token: uuid.UUID, **fields) -> int:  # noqa: ANN003
    return Letter.objects.filter(pk=letter_id, claim_token=token).update(claimed_at=None, claim_token=None, **fields)


def render_letter(letter: Letter) -> tuple[Rendered, str]:
    """The letter's text from the records as they stand, and its CWC XML when it goes to a
    congressional office. Raises FactsUnavailable or cwc.InvalidMessage."""
    action, submission, dm = letter.action, letter.submission, letter.decision_maker
    supporter = Supporter.of(submission, editing=action.supporter_editing)
    rendered = render(action=action, facts=facts_for(action), supporter=supporter, decision_maker=dm,
                      language=letter.language, edited_body=submission.edited_body)
    xml = ""
    if dm.cwc_office_code:
        xml = cwc.build(
            delivery_id=letter.key.hex, campaign_id=f"action-{action.pk}", office=dm.cwc_office_code,
            organization=action.organization.name, supporter=supporter, subject=rendered.subject,
            organization_statement=rendered.organization_statement,
            constituent_message=rendered.constituent_message,
        )
    return rendered, xml


def render_and_store(letter_id: int, token: uuid.UUID) -> tuple[Letter, str]:
    """Render under a claim and store what will be sent. Returns the letter and "rendered", or
    "held" (its action is paused: the claim is released) or "failed" (an invalid CWC message)."""
    letter = Letter.objects.select_related("action__organization", "submission", "decision_maker").get(pk=letter_id)
    action = letter.action
    if action.paused_reason:
        release(letter_id, token)
        return letter, "held"
    try:
        rendered, xml = render_letter(letter)
    except FactsUnavailable as exc:
        release(letter_id, token)
        reason = "Facts no consenting family supports any more: " + ", ".join(sorted(exc.fields))
        if action_pause(action_id=action.pk, reason=reason):
            from ..tasks import notify_paused

            notify_paused.delay(action.pk)
        return letter, "held"
    except cwc.InvalidMessage as exc:
        fail(letter, token, str(exc))
        return letter, "failed"
    now = timezone.now()
    letter.channel = choose_channel(letter.decision_maker)
    letter.subject, letter.body, letter.cwc_xml = rendered.subject[:300], rendered.body, xml
    stored = _mine(letter_id, token).update(subject=letter.subject, body=letter.body, cwc_xml=xml,
                                            channel=letter.channel, status=LetterStatus.RENDERED, rendered_at=now)
    if stored != 1:  # cancelled meanwhile, or the claim ran out: this worker leaves it alone
        release(letter_id, token)
        return letter, "skipped"
    return letter, "rendered"


def fail(letter: Letter, token: uuid.UUID, reason: str) -> None:
    if release(letter.pk, token, status=LetterStatus.FAILED, last_error=reason[:300], next_attempt_at=None):
        from ..tasks import notify_failures

        notify_failures.delay(letter.action_id)


def _time_left(letter_id: int, token: uuid.UUID) -> float:
    """Seconds left on this worker's claim; 0 when it no longer holds it."""
    claimed_at = _mine(letter_id, token).values_list("claimed_at", flat=True).first()
    if claimed_at is None:
        return 0.0
    return (claimed_at + _lease() - timezone.now()).total_seconds()


def deliver(letter_id: int) -> Outcome:
    token = claim(letter_id)
    if token is None:
        return Outcome("skipped")
    try:
        letter, state = render_and_store(letter_id, token)
    except Exception as exc:  # noqa: BLE001 - an unforeseen error still counts as an attempt
        return _unexpected(letter_id, token, exc)
    if state != "rendered":
        return Outcome(state)
    if letter.channel not in automatic_channels():
        release(letter_id, token)
        return Outcome("rendered")
    attempt = letter.attempts + 1
    # Counted before the send, and only below the maximum: no path sends an attempt past it.
    if _mine(letter_id, token).filter(attempts__lt=settings.LETTER_MAX_ATTEMPTS).update(
            attempts=F("attempts") + 1) != 1:
        if _mine(letter_id, token).exists():  # still ours: the attempts are spent
            fail(letter, token, f"not sent (after {letter.attempts} attempts)")
            return Outcome("failed")
        return Outcome("skipped")
    # The send must end while the claim holds, or another worker could send it too: the network
    # wait is bounded by the time left on the lease (and a lease too short to try is handed back).
    left = _time_left(letter_id, token) - 2
    if left < 1:
        release(letter_id, token, next_attempt_at=timezone.now())
        return Outcome("retry", retry_in=1)
    try:
        # Network I/O outside any transaction; the claim keeps other workers off this letter.
        if letter.channel == Channel.EMAIL:
            send_email(subject=letter.subject, body=letter.body, to=letter.decision_maker.email,
                       reply_to=letter.submission.email, from_name=letter.action.organization.name,
                       message_id=letter.message_id, timeout=min(settings.EMAIL_TIMEOUT, left))
        else:
            post_cwc(letter.cwc_xml, timeout=min(30, left))
    except PermanentError as exc:
        fail(letter, token, str(exc))
        return Outcome("failed")
    except Exception as exc:  # noqa: BLE001 - TransientError, or anything unforeseen: try again later
        return _retry_or_fail(letter_id, token, attempt, exc, letter)
    # The outcome is recorded under the claim: a worker whose claim was taken meanwhile (it outlived
    # the lease) records nothing and never reports "sent"; the letter's new holder decides.
    if not release(letter_id, token, status=LetterStatus.SENT, sent_at=timezone.now(), last_error="",
                   next_attempt_at=None):
        logger.warning("letter %s: sent after this worker lost its claim; not recorded as sent here", letter_id)
        return Outcome("lost")
    return Outcome("sent")


def _unexpected(letter_id: int, token: uuid.UUID, exc: Exception) -> Outcome:
    """An error nobody planned for while rendering: counted as an attempt, so it ends in FAILED
    (and the organizer hears of it) instead of coming back forever."""
    attempts = Letter.objects.filter(pk=letter_id).values_list("attempts", flat=True).first() or 0
    Letter.objects.filter(pk=letter_id, claim_token=token).update(attempts=F("attempts") + 1)
    letter = Letter.objects.get(pk=letter_id)
    return _retry_or_fail(letter_id, token, attempts + 1, exc, letter)


def _retry_or_fail(letter_id: int, token: uuid.UUID, attempt: int, exc: Exception, letter: Letter) -> Outcome:
    reason = str(exc) if isinstance(exc, TransientError) else type(exc).__name__  # never the exception's text
    if attempt >= settings.LETTER_MAX_ATTEMPTS:
        fail(letter, token, f"{reason} (after {attempt} attempts)")
        return Outcome("failed")
    wait = BACKOFF[min(attempt, len(BACKOFF)) - 1]
    release(letter_id, token, last_error=reason[:300], next_attempt_at=timezone.now() + dt.timedelta(seconds=wait))
    return Outcome("retry", retry_in=wait)


def stuck_letters(*, grace_seconds: int, limit: int = 5000) -> list[int]:
    """Letters a worker should be delivering and is not: pending, due, unclaimed (or the claim's
    lease ran out), untouched for `grace_seconds`, of an action that is not paused. The sweep
    enqueues them again and touches them, so the next sweep waits another grace period."""
    now = timezone.now()
    pending = Q(status=LetterStatus.QUEUED) | Q(status=LetterStatus.RENDERED, channel__in=automatic_channels())
    ids = list(
        Letter.objects.filter(claimable(now), pending, updated_at__lt=now - dt.timedelta(seconds=grace_seconds),
                              action__paused_reason="")
        .order_by("updated_at").values_list("pk", flat=True)[:limit]
    )
    if ids:
        Letter.objects.filter(pk__in=ids).update(updated_at=now)
    return ids


def pending_letter_ids(**filters) -> list[int]:  # noqa: ANN003
    return list(Letter.objects.filter(status__in=PENDING_STATUSES, **filters).order_by("pk").values_list("pk", flat=True))
