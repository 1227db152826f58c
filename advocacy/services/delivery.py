"""Rendering and delivering one letter, exactly once.

A worker claims a letter with a conditional UPDATE (pending, unclaimed or its claim expired, due)
and checks the row count: whoever updates the row owns the letter until it releases it or the claim
expires. It renders the letter from the live records (so the stored text is the text sent, and a
fact a family withdrew is never sent) and stores it. Before sending it counts the attempt and
extends its claim over the send's whole deadline (the send is cut at that deadline); it records,
under the claim, the moment before the server could have the letter (`committed_at`), then sends
outside any transaction and records "sent" under the claim, on a fresh database connection if the
old one broke meanwhile. A worker that lost its claim never sends the end of the message or
records "sent"; a redelivered or retried task finds the letter sent (or claimed) and does nothing.

What is left: a worker that has sent the end of the message and cannot learn or record the answer
(its connection broke after the message, the database stayed away for every retry, or it died)
leaves the letter committed; it becomes "sent, unconfirmed", is never sent again by itself, and the
organizer decides. See docs/letters.md, "Exactly once".
"""
import datetime as dt
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from ..letters import cwc
from ..letters.render import FactsUnavailable, Rendered, Supporter, facts_for, render
from ..models import PENDING_STATUSES, Channel, Letter, LetterStatus, NoticeKind
from . import notify
from .actions import action_pause
from .channels import (MailSession, PermanentError, TransientError, Unconfirmed, automatic_channels, choose_channel,
                       letter_message, post_cwc)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    # skipped | held | rendered | sent | retry | failed | unconfirmed (handed over, answer or record
    # missing) | lost (the claim was taken before the message was handed over)
    state: str
    retry_in: int | None = None


def _lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.LETTER_CLAIM_LEASE_SECONDS)


def claimable(now: dt.datetime) -> Q:
    return (Q(status__in=PENDING_STATUSES, committed_at__isnull=True)
            & (Q(claim_expires_at__isnull=True) | Q(claim_expires_at__lt=now))
            & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)))


def claim(letter_id: int) -> uuid.UUID | None:
    """Take the letter for this worker, or None when it is done, held elsewhere or not yet due."""
    now = timezone.now()
    token = uuid.uuid4()
    claimed = Letter.objects.filter(claimable(now), pk=letter_id).update(
        claimed_at=now, claim_token=token, claim_expires_at=now + _lease())
    return token if claimed == 1 else None


def _mine(letter_id: int, token: uuid.UUID):  # noqa: ANN202
    # Still claimed by this worker and still to deliver (a change of address may have cancelled it).
    return Letter.objects.filter(pk=letter_id, claim_token=token, status__in=PENDING_STATUSES)


def release(letter_id: int, token: uuid.UUID, **fields) -> int:  # noqa: ANN003
    return Letter.objects.filter(pk=letter_id, claim_token=token).update(
        claimed_at=None, claim_token=None, claim_expires_at=None, **fields)


def _on_a_live_connection(write: Callable[[], int]) -> int:
    """Run a write, again on a fresh connection when the database connection broke (a restarted
    server, a terminated backend, a connection idle through a slow send). Gives up, raising, after
    LETTER_RECORD_RETRIES tries spread over a few seconds."""
    tries = settings.LETTER_RECORD_RETRIES
    for n in range(tries):
        try:
            return write()
        except (OperationalError, InterfaceError):
            if n == tries - 1:
                raise
            logger.warning("letter delivery: database connection lost; retrying on a new one")
            connection.close()
            time.sleep(min(0.1 * 2 ** n, 2.0))
    raise AssertionError("unreachable")


def render_letter(letter: Letter, *, facts: object = None, with_cwc: bool | None = None) -> tuple[Rendered, str]:
    """The letter's text from the records as they stand (or from `facts` checked moments ago), and
    its CWC XML when it goes to a congressional office by CWC. Raises FactsUnavailable or
    cwc.InvalidMessage."""
    action, submission, dm = letter.action, letter.submission, letter.decision_maker
    supporter = Supporter.of(submission, editing=action.supporter_editing)
    rendered = render(action=action, facts=facts if facts is not None else facts_for(action), supporter=supporter,
                      decision_maker=dm, language=letter.language, edited_body=submission.edited_body)
    xml = ""
    if dm.cwc_office_code and (with_cwc if with_cwc is not None else True):
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
        action_pause(action_id=action.pk, reason=reason)  # the first pause tells the organizer
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
    with transaction.atomic():  # the organizer's notice is written with the failure, or neither is
        if release(letter.pk, token, status=LetterStatus.FAILED, last_error=reason[:300], next_attempt_at=None,
                   committed_at=None):
            notify.queue(letter.action_id, NoticeKind.LETTERS)


NO_ANSWER = "no answer recorded after the message was handed over"


class ClaimLost(Exception):
    """Raised at the commit point: another worker holds the letter now, so this one stops."""


def _send_deadline(channel: str) -> float:
    return float(settings.EMAIL_TIMEOUT if channel == Channel.EMAIL else settings.CWC_TIMEOUT)


def deliver(letter_id: int) -> Outcome:
    return deliver_batch([letter_id])[letter_id]


def deliver_batch(letter_ids: list[int]) -> dict[int, Outcome]:
    """Deliver a batch of letters: claimed in one UPDATE, loaded in one query, rendered in memory
    (the facts fingerprinted once per action for the batch), stored with their attempts counted
    and their claim extended in one UPDATE, then sent one by one over one connection, each with its
    commit point and its record. Returns each letter's outcome."""
    outcomes = {pk: Outcome("skipped") for pk in letter_ids}
    token, now = uuid.uuid4(), timezone.now()
    if not Letter.objects.filter(claimable(now), pk__in=letter_ids).update(
            claimed_at=now, claim_token=token, claim_expires_at=now + _lease()):
        return outcomes
    # By primary key (the claim token has no index of its own: this stays one index lookup per letter).
    letters = list(Letter.objects.filter(pk__in=letter_ids, claim_token=token)
                   .select_related("action__organization", "submission", "decision_maker").order_by("pk"))
    to_send = _render_batch(letters, token, outcomes)
    if to_send:
        _send_batch(to_send, token, outcomes)
    return outcomes


def _render_batch(letters: list[Letter], token: uuid.UUID, outcomes: dict[int, Outcome]) -> list[Letter]:
    """Render each claimed letter and store them all in one UPDATE: those to send with their
    attempt counted and their claim extended over the first send's deadline, the others (export,
    print, contact form) released. Returns the letters to send now."""
    now = timezone.now()
    facts: dict[int, object] = {}
    stored: list[Letter] = []
    to_send: list[Letter] = []
    automatic = automatic_channels()
    for letter in letters:
        action = letter.action
        if action.paused_reason:
            release(letter.pk, token)
            outcomes[letter.pk] = Outcome("held")
            continue
        if letter.attempts >= settings.LETTER_MAX_ATTEMPTS:  # spent on some earlier path: no further send
            fail(letter, token, f"not sent (after {letter.attempts} attempts)")
            outcomes[letter.pk] = Outcome("failed")
            continue
        try:
            if action.pk not in facts:
                facts[action.pk] = facts_for(action)
            channel = choose_channel(letter.decision_maker)
            rendered, xml = render_letter(letter, facts=facts[action.pk], with_cwc=channel == Channel.CWC)
        except FactsUnavailable as exc:
            release(letter.pk, token)
            action_pause(action_id=action.pk, reason="Facts no consenting family supports any more: "
                         + ", ".join(sorted(exc.fields)))  # the first pause tells the organizer
            outcomes[letter.pk] = Outcome("held")
            continue
        except cwc.InvalidMessage as exc:
            fail(letter, token, str(exc))
            outcomes[letter.pk] = Outcome("failed")
            continue
        except Exception as exc:  # noqa: BLE001 - an unforeseen error still counts as an attempt
            outcomes[letter.pk] = _unexpected(letter.pk, token, exc)
            continue
        letter.channel, letter.status, letter.rendered_at = channel, LetterStatus.RENDERED, now
        letter.subject, letter.body, letter.cwc_xml = rendered.subject[:300], rendered.body, xml
        if channel in automatic and not (channel == Channel.CWC and _in_cwc_maintenance(now)):
            letter.attempts += 1  # counted before the send, and only below the maximum (above)
            letter.claim_expires_at = now + _send_claim(channel)  # (as _store writes it)
            to_send.append(letter)
        else:  # rests rendered for export, print or the contact form (or CWC after its maintenance)
            letter.claimed_at = letter.claim_token = letter.claim_expires_at = None
            if channel == Channel.CWC and channel in automatic:
                letter.next_attempt_at, letter.enqueued_at = _cwc_maintenance_end(now), None
            outcomes[letter.pk] = Outcome("rendered")
        stored.append(letter)
    if not stored:
        return []
    kept = _store(stored, token, now)
    gone = [x.pk for x in stored if x.pk not in kept]
    if gone:  # cancelled meanwhile (a change of address): not sent, and this worker's claim let go
        Letter.objects.filter(pk__in=gone, claim_token=token).update(claimed_at=None, claim_token=None,
                                                                     claim_expires_at=None)
    for letter in to_send:
        if letter.pk not in kept:
            outcomes[letter.pk] = Outcome("skipped")
    waiting = [x for x in stored if x.next_attempt_at and x.pk in kept]
    if waiting:  # CWC letters held back by a maintenance window: due when it ends
        for letter in waiting:
            Letter.objects.filter(pk=letter.pk).update(next_attempt_at=letter.next_attempt_at, enqueued_at=None)
    return [x for x in to_send if x.pk in kept]


def _store(letters: list[Letter], token: uuid.UUID, now: dt.datetime) -> set[int]:
    """One UPDATE for the batch, over the rows still claimed by this worker and still pending:
    each letter's text and channel; for those to send now the attempt counted and the claim
    extended, the others released. Returns the ids stored. (Raw SQL: the ORM's bulk_update spent
    about 2.5 ms a letter building its CASE expressions.)"""
    table, conn = Letter._meta.db_table, connection
    prep = {f: Letter._meta.get_field(f) for f in ("claim_token", "rendered_at", "claim_expires_at")}
    rows, params = [], []
    for letter in letters:
        sending = 1 if letter.claim_token else 0
        rows.append("(CAST(%s AS integer), %s, %s, %s, %s, CAST(%s AS integer))")
        params += [letter.pk, letter.channel, letter.subject, letter.body, letter.cwc_xml, sending]
    expires = {channel: prep["claim_expires_at"].get_db_prep_value(now + _send_claim(channel), conn)
               for channel in (Channel.CWC, Channel.EMAIL)}
    sql = (
        f"UPDATE {table} SET channel = v.column2, subject = v.column3, body = v.column4, cwc_xml = v.column5, "
        f"status = %s, rendered_at = %s, attempts = attempts + v.column6, "
        f"claim_expires_at = CASE WHEN v.column6 = 1 AND v.column2 = %s THEN %s WHEN v.column6 = 1 THEN %s "
        f"ELSE NULL END, "
        f"claimed_at = CASE WHEN v.column6 = 1 THEN claimed_at ELSE NULL END, "
        f"claim_token = CASE WHEN v.column6 = 1 THEN claim_token ELSE NULL END "
        f"FROM (VALUES {', '.join(rows)}) AS v "
        f"WHERE {table}.id = v.column1 AND {table}.claim_token = %s AND {table}.status IN (%s, %s) "
        f"RETURNING {table}.id"
    )
    with conn.cursor() as cursor:
        cursor.execute(sql, [LetterStatus.RENDERED, prep["rendered_at"].get_db_prep_value(now, conn),
                             Channel.CWC, expires[Channel.CWC], expires[Channel.EMAIL], *params,
                             prep["claim_token"].get_db_prep_value(token, conn), *PENDING_STATUSES])
        return {row[0] for row in cursor.fetchall()}


def _send_claim(channel: str) -> dt.timedelta:
    return max(_lease(), dt.timedelta(seconds=_send_deadline(channel) + settings.LETTER_CLAIM_MARGIN_SECONDS))


def _send_batch(letters: list[Letter], token: uuid.UUID, outcomes: dict[int, Outcome]) -> None:
    """Send each letter in turn over one mail connection (CWC: one post each, paced). Before each
    send the claim must cover the send's whole deadline; when the batch has used up the time, the
    claim on what is left is extended first."""
    claim_ends = min(x.claim_expires_at for x in letters)
    with MailSession(_send_deadline(Channel.EMAIL)) as mail:
        for n, letter in enumerate(letters):
            # The claim must outlast the send's deadline and the time to record its outcome (the
            # margin); when it would not, the claim on what is left is extended (by a lease more,
            # so a long batch extends it once a lease, not before every letter).
            needed = dt.timedelta(seconds=_send_deadline(letter.channel) + settings.LETTER_CLAIM_MARGIN_SECONDS)
            if claim_ends - timezone.now() < needed:
                claim_ends = timezone.now() + needed + _lease()
                _on_a_live_connection(lambda: Letter.objects.filter(
                    pk__in=[x.pk for x in letters[n:]], claim_token=token).update(claim_expires_at=claim_ends))
            outcomes[letter.pk] = _send_one(letter, token, mail)


def _send_one(letter: Letter, token: uuid.UUID, mail: MailSession) -> Outcome:
    letter_id = letter.pk
    committed = False
    commit_at = timezone.now()

    def commit() -> None:
        # The fence: the last moment this worker can still step back. Only the holder of the
        # claim goes on, and the letter says it may have been handed over from here on.
        nonlocal committed, commit_at
        commit_at = timezone.now()
        if not _on_a_live_connection(lambda: _write(COMMIT_SQL, commit_at, letter_id, token, *PENDING_STATUSES)):
            raise ClaimLost
        committed = True

    try:
        # Network I/O outside any transaction; the claim keeps other workers off this letter.
        if letter.channel == Channel.EMAIL:
            mail.send(letter_message(subject=letter.subject, body=letter.body, to=letter.decision_maker.email,
                                     reply_to=letter.submission.email, from_name=letter.action.organization.name,
                                     message_id=letter.message_id), commit)
        else:
            cwc_pace()
            commit()
            post_cwc(letter.cwc_xml, timeout=_send_deadline(Channel.CWC))
    except ClaimLost:
        logger.warning("letter %s: another worker holds it now; this one stopped before sending", letter_id)
        return Outcome("lost")
    except PermanentError as exc:
        fail(letter, token, str(exc))
        return Outcome("failed")
    except Unconfirmed as exc:
        return _unconfirmed(letter, token, str(exc))
    except Exception as exc:  # noqa: BLE001 - TransientError, or anything unforeseen: try again later
        if committed and letter.channel == Channel.EMAIL and not isinstance(exc, TransientError):
            return _unconfirmed(letter, token, type(exc).__name__)  # unforeseen, maybe handed over
        return _retry_or_fail(letter_id, token, letter.attempts, exc, letter)
    sent_at = timezone.now()

    def record() -> int:
        # An UPDATE that committed just before the connection broke finds no claim on the retry;
        # its own timestamp shows the record is there.
        # A record so late that the sweep had already called the letter unconfirmed (the claim ran out
        # while the database was away) still wins: its commit time shows it is this worker's send.
        return (_write(SENT_SQL, LetterStatus.SENT, sent_at, letter_id, token)
                or Letter.objects.filter(pk=letter_id, status=LetterStatus.SENT, sent_at=sent_at).count()
                or Letter.objects.filter(pk=letter_id, status=LetterStatus.UNCONFIRMED, committed_at=commit_at).update(
                    status=LetterStatus.SENT, sent_at=sent_at, last_error=""))

    try:
        recorded = _on_a_live_connection(record)
    except (OperationalError, InterfaceError):
        # Sent, and the database would not take it: the claim lapses with the letter committed, and
        # the sweep makes it "sent, unconfirmed" - never a second send.
        logger.error("letter %s: sent, and the database could not record it", letter_id)
        return Outcome("unconfirmed")
    if not recorded:  # cannot happen while the commit point holds the claim; never report "sent" then
        logger.warning("letter %s: sent after this worker lost its claim; not recorded as sent here", letter_id)
        return Outcome("lost")
    return Outcome("sent")


# The two writes every letter makes while it is sent, as plain SQL (about 1 ms a letter less than
# the ORM's update): the commit point, and the record that it was sent. Both under the claim.
_T = Letter._meta.db_table
COMMIT_SQL = f"UPDATE {_T} SET committed_at = %s WHERE id = %s AND claim_token = %s AND status IN (%s, %s)"
SENT_SQL = (f"UPDATE {_T} SET status = %s, sent_at = %s, last_error = '', next_attempt_at = NULL, claimed_at = NULL, "
            f"claim_token = NULL, claim_expires_at = NULL WHERE id = %s AND claim_token = %s")


def _write(sql: str, *values: object) -> int:
    """Run one of the writes above; values converted as the model's fields would (a UUID on
    PostgreSQL, its hex on SQLite; an aware timestamp). Returns the rows changed."""
    conn = connection
    token_field, time_field = Letter._meta.get_field("claim_token"), Letter._meta.get_field("sent_at")
    params = [token_field.get_db_prep_value(v, conn) if isinstance(v, uuid.UUID)
              else time_field.get_db_prep_value(v, conn) if isinstance(v, dt.datetime) else v for v in values]
    with conn.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


# --- Communicating with Congress: pacing and maintenance windows ----------------------------------

def cwc_pace() -> None:
    """At most CWC_RATE_PER_SECOND posts a second across every worker (counted per second in the
    shared cache; in this process alone when the cache is unreachable): wait for the next second
    when this one is full."""
    rate = settings.CWC_RATE_PER_SECOND
    while True:
        now = time.time()
        key = f"cwc-pace:{int(now)}"
        try:
            cache.add(key, 0, 5)
            count = cache.incr(key)
        except Exception:  # noqa: BLE001 - the cache is away: pace this process alone
            count = None
        if count is None:  # (the shared cache is set to swallow its errors: None when it is away)
            count = _local_pace(int(now))
        if count <= rate:
            return
        time.sleep(max(0.0, int(now) + 1 - now))


_LOCAL_PACE: dict[int, int] = {}


def _local_pace(second: int) -> int:
    for old in [k for k in _LOCAL_PACE if k < second]:
        del _LOCAL_PACE[old]
    _LOCAL_PACE[second] = _LOCAL_PACE.get(second, 0) + 1
    return _LOCAL_PACE[second]


def _windows() -> list[tuple[int, dt.time, dt.time]]:
    """CWC_MAINTENANCE_WINDOWS, e.g. ["sat 22:00-23:59", "sun 00:00-06:00"], in TIME_ZONE."""
    days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    parsed = []
    for spec in settings.CWC_MAINTENANCE_WINDOWS:
        day, span = spec.strip().lower().split()
        start, end = (dt.time.fromisoformat(t) for t in span.split("-"))
        parsed.append((days.index(day[:3]), start, end))
    return parsed


def _in_cwc_maintenance(now: dt.datetime) -> bool:
    local = timezone.localtime(now)
    return any(local.weekday() == day and start <= local.time() <= end for day, start, end in _windows())


def _cwc_maintenance_end(now: dt.datetime) -> dt.datetime:
    """When the window `now` falls in ends (the letter waits until then; not an attempt)."""
    local = timezone.localtime(now)
    ends = [local.replace(hour=end.hour, minute=end.minute, second=59, microsecond=0)
            for day, start, end in _windows() if local.weekday() == day and start <= local.time() <= end]
    return max(ends) + dt.timedelta(seconds=1) if ends else now


def _unconfirmed(letter: Letter, token: uuid.UUID, reason: str) -> Outcome:
    reason = f"{NO_ANSWER} ({reason})"
    with transaction.atomic():
        if release(letter.pk, token, status=LetterStatus.UNCONFIRMED, last_error=reason[:300], next_attempt_at=None):
            notify.queue(letter.action_id, NoticeKind.LETTERS)
    return Outcome("unconfirmed")


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
    backoff = settings.LETTER_RETRY_BACKOFF_SECONDS
    wait = backoff[min(attempt, len(backoff)) - 1]
    # The server refused the message (or never saw its end): nothing was handed over.
    release(letter_id, token, last_error=reason[:300], committed_at=None, enqueued_at=None,
            next_attempt_at=timezone.now() + dt.timedelta(seconds=wait))
    return Outcome("retry", retry_in=wait)


def stuck_letters(*, grace_seconds: int, requeue_seconds: int, limit: int = 5000) -> list[int]:
    """Letters a worker should be delivering and no message will bring to one: pending, due,
    unclaimed (or the claim expired), of an action that is not paused, and either never sent to the
    broker (a retry now due; or the broker was away, untouched for `grace_seconds`) or sent there
    longer ago than the broker takes to hand an unacknowledged message out again (the message was
    lost). A letter still waiting in a long queue is left to its message, so a backlog never
    multiplies the queue. Marked enqueued now, in the same transaction: two sweeps at once take
    different letters."""
    now = timezone.now()
    pending = Q(status=LetterStatus.QUEUED) | Q(status=LetterStatus.RENDERED, channel__in=automatic_channels())
    never = Q(enqueued_at__isnull=True) & (Q(next_attempt_at__isnull=False)
                                           | Q(updated_at__lt=now - dt.timedelta(seconds=grace_seconds)))
    lost = Q(enqueued_at__lt=now - dt.timedelta(seconds=requeue_seconds))
    with transaction.atomic():
        ids = list(
            Letter.objects.filter(claimable(now), pending, never | lost, action__paused_reason="")
            .select_for_update(skip_locked=True, of=("self",)).order_by("pk").values_list("pk", flat=True)[:limit]
        )
        if ids:
            Letter.objects.filter(pk__in=ids).update(enqueued_at=now)
    return ids


def unconfirm_lapsed() -> int:
    """Letters whose worker reached the commit point and then stopped without recording an outcome
    (it died, or the database stayed away) once their claim expired: by email they become "sent,
    unconfirmed" - the server may have them - and wait for a person, whose organizers are told; by
    CWC they go back to the queue, because posting again is the check (the same DeliveryId is
    refused as a duplicate, 409). Returns how many letters became unconfirmed."""
    now = timezone.now()
    lapsed = Letter.objects.filter(status__in=PENDING_STATUSES, committed_at__isnull=False, claim_expires_at__lt=now)
    lapsed.filter(channel=Channel.CWC).update(committed_at=None, claimed_at=None, claim_token=None,
                                              claim_expires_at=None, next_attempt_at=None, enqueued_at=None)
    with transaction.atomic():
        email = list(lapsed.filter(channel=Channel.EMAIL).select_for_update(skip_locked=True)
                     .values_list("pk", "action_id"))
        Letter.objects.filter(pk__in=[pk for pk, _a in email]).update(
            status=LetterStatus.UNCONFIRMED, claimed_at=None, claim_token=None, claim_expires_at=None,
            last_error=f"{NO_ANSWER} (the worker stopped)")
        for action_id in sorted({a for _pk, a in email}):
            notify.queue(action_id, NoticeKind.LETTERS)
    return len(email)


def pending_letter_ids(**filters) -> list[int]:  # noqa: ANN003
    return list(Letter.objects.filter(status__in=PENDING_STATUSES, **filters).order_by("pk").values_list("pk", flat=True))
