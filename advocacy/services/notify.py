"""Telling organizers what needs them: letters that failed or are unconfirmed, an action paused by
a withdrawn consent, an action whose families are all out. Counts and reasons only - never a
supporter's or a family's details.

An outbox: the event's own transaction writes a `Notice` row (`queue`), and a task sends it
(`deliver_notice`), retried with backoff for as long as the mail server refuses or is away, so an
outage delays a notice and never loses it. A notice is marked sent only after the server took it;
a worker that dies between the two sends it again (organizers may, rarely, get a notice twice,
never none). A notice says what stands when it goes out: the failed letters not yet told of,
the pause if the action is still paused.
"""
import datetime as dt
import logging
from collections import Counter

from django.conf import settings
from django.core.mail import get_connection, send_mail
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import Membership, User
from accounts.roles import Role

from ..models import Action, Letter, LetterStatus, Notice, NoticeKind, Submission

logger = logging.getLogger(__name__)
TOLD = (LetterStatus.FAILED, LetterStatus.UNCONFIRMED)


def queue(action_id: int, kind: str, *, submission_id: int | None = None) -> None:
    """Write the notice in the caller's transaction (one waits per action and kind, or per
    supporter: a second event before it goes out is told by the same message) and, for the
    organizers', ask a worker to send it once that commits. A supporter's is sent by the delivery
    task once their letters exist (`deliver_supporter_notice`), or by the beat."""
    Notice.objects.bulk_create([Notice(action_id=action_id, kind=kind, submission_id=submission_id)],
                               ignore_conflicts=True)
    if kind != NoticeKind.SUPPORTER:
        transaction.on_commit(_send_soon)


def deliver_supporter_notice(submission_id: int) -> str:
    pk = Notice.objects.filter(submission_id=submission_id, sent_at__isnull=True).values_list("pk", flat=True).first()
    return deliver_notice(pk) if pk else "skipped"


def _send_soon() -> None:
    from ..tasks import send_notices, try_enqueue

    try_enqueue(send_notices)  # the beat's every-minute run sends it if the broker is away


def organizers_of(action: Action) -> list[str]:
    """Who hears about an action: its creator while they are still on its team, else the
    organisation's admins and organizers."""
    if action.created_by_id and Membership.objects.filter(
        user_id=action.created_by_id, organization_id=action.organization_id, is_active=True
    ).exists():
        return [User.objects.get(pk=action.created_by_id).email]
    return sorted(Membership.objects.filter(
        organization_id=action.organization_id, is_active=True, role__in=(Role.ADMIN, Role.ORGANIZER),
    ).values_list("user__email", flat=True))


def due_notice_ids() -> list[int]:
    now = timezone.now()
    return list(Notice.objects.filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
                                      Q(claim_expires_at__isnull=True) | Q(claim_expires_at__lt=now),
                                      sent_at__isnull=True).order_by("pk").values_list("pk", flat=True)[:500])


def deliver_notice(notice_id: int) -> str:
    """Send one waiting notice: "sent", "empty" (nothing left to tell), "retry" or "skipped"."""
    now = timezone.now()
    # send_mail bounds each socket operation by EMAIL_TIMEOUT, not the whole conversation (connect,
    # greeting, envelope, each recipient, the message): the claim covers them all, so the next
    # minute's run does not send the same notice while a slow server is still taking it.
    deadline = settings.EMAIL_TIMEOUT * 8 + settings.LETTER_CLAIM_MARGIN_SECONDS
    if not Notice.objects.filter(Q(claim_expires_at__isnull=True) | Q(claim_expires_at__lt=now),
                                 pk=notice_id, sent_at__isnull=True).update(
            claim_expires_at=now + dt.timedelta(seconds=deadline)):
        return "skipped"
    notice = Notice.objects.select_related("action__organization", "submission").get(pk=notice_id)
    if notice.kind == NoticeKind.SUPPORTER and notice.submission.letters_made_at is None:
        # Their letters are not made yet: the delivery task sends this once they are.
        Notice.objects.filter(pk=notice_id).update(claim_expires_at=None,
                                                   next_attempt_at=timezone.now() + dt.timedelta(seconds=30))
        return "skipped"
    try:
        message, told = _compose(notice)
        if notice.kind == NoticeKind.SUPPORTER:
            recipients = [notice.submission.email] if message else []
        else:
            recipients = organizers_of(notice.action) if message else []
        if recipients:
            subject, lines = message
            send_mail(subject, "\n".join(lines) + "\n", settings.DEFAULT_FROM_EMAIL, recipients,
                      connection=get_connection(timeout=settings.EMAIL_TIMEOUT))
    except Exception as exc:  # noqa: BLE001 - the mail server is away or refused (or a bug): try again later
        backoff = settings.NOTICE_RETRY_BACKOFF_SECONDS
        wait = backoff[min(notice.attempts, len(backoff) - 1)]
        code = getattr(exc, "smtp_code", None)
        Notice.objects.filter(pk=notice_id).update(
            attempts=F("attempts") + 1, claim_expires_at=None, next_attempt_at=timezone.now() + dt.timedelta(seconds=wait),
            last_error=f"{type(exc).__name__}{f' {code}' if code else ''}"[:300])
        logger.warning("notice %s: not sent (%s); again in %s s", notice_id, type(exc).__name__, wait)
        return "retry"
    with transaction.atomic():
        Notice.objects.filter(pk=notice_id).update(sent_at=timezone.now(), claim_expires_at=None, last_error="")
        if told:
            Letter.objects.filter(pk__in=told).update(failure_notified_at=timezone.now())
        if notice.kind == NoticeKind.LETTERS and Letter.objects.filter(
                action_id=notice.action_id, status__in=TOLD, failure_notified_at__isnull=True).exclude(pk__in=told).exists():
            queue(notice.action_id, NoticeKind.LETTERS)  # failures that came while this one was going out
    return "sent" if recipients else "empty"


def _compose(notice: Notice) -> tuple[tuple[str, list[str]] | None, list[int]]:
    """The message as things stand now, and the letters it tells of; None when nothing is left to say."""
    action = notice.action
    if notice.kind == NoticeKind.SUPPORTER:
        return _supporter(action, notice.submission), []
    if notice.kind == NoticeKind.PAUSED:
        return (_paused(action) if action.paused_reason else None), []
    if notice.kind == NoticeKind.WON:
        return _won(action), []
    rows = list(Letter.objects.filter(action=action, status__in=TOLD, failure_notified_at__isnull=True)
                .values_list("pk", "status", "last_error"))
    if not rows:
        return None, []
    return _letters(action, rows), [pk for pk, _s, _e in rows]


def _letters(action: Action, rows: list[tuple[int, str, str]]) -> tuple[str, list[str]]:
    failed = Counter(error for _pk, status, error in rows if status == LetterStatus.FAILED)
    unconfirmed = sum(1 for _pk, status, _e in rows if status == LetterStatus.UNCONFIRMED)
    lines = []
    if failed:
        lines += [f'{failed.total()} letter(s) of the action "{action.title}" could not be delivered.', "",
                  *[f"- {n} x {reason or 'unknown reason'}" for reason, n in failed.most_common()], "",
                  "The delivery report lists them by decision maker; a failed letter can be retried once its "
                  "cause is fixed.", ""]
    if unconfirmed:
        lines += [f'{unconfirmed} letter(s) of the action "{action.title}" were handed to the mail server, '
                  "which did not confirm it took them: they may have arrived. They are not sent again by "
                  "themselves. The delivery report lists them; send one again only if the office did not get it."]
    subject = (f"{len(rows)} letter(s) could not be delivered: {action.title}" if failed
               else f"{len(rows)} letter(s) sent, unconfirmed: {action.title}")
    return subject, lines


def _paused(action: Action) -> tuple[str, list[str]]:
    return f"Letters paused: {action.title}", [
        f'Letters of the action "{action.title}" are on hold.', "",
        action.paused_reason, "",
        "A family withdrew its consent (or its situation changed), so a fact your letter states has no "
        "consenting family behind it. Edit the letter so it no longer uses that fact, then resume the action: "
        "the letters waiting will go out with the facts as they stand.",
    ]


def _won(action: Action) -> tuple[str, list[str]]:
    return f"Every family is out: {action.title}", [
        f'Every family of the action "{action.title}" is now released or reunited.', "",
        "If this is the win you campaigned for, mark the action won: its page will say so and take no more letters.",
    ]


def _supporter(action: Action, submission: Submission) -> tuple[str, list[str]] | None:
    """The supporter's email, in their language: where each letter goes, and the link to where each
    one stands. Their own address only; no family's details beyond the action's public title."""
    from django.urls import reverse
    from django.utils import translation
    from django.utils.translation import gettext as _

    from ..letters.render import page_text
    from ..letters.status import plan, status_token

    letters = list(submission.letters.exclude(status=LetterStatus.CANCELLED).select_related("decision_maker")
                   .order_by("pk"))
    if not letters:
        return None
    language = submission.language if submission.language in action.languages else "en"
    with translation.override(language):
        title = page_text(action, "title", language)
        link = settings.SITE_URL.rstrip("/") + reverse("act-letters", args=[action.slug, status_token(submission.pk)])
        return _("Your letters: %(title)s") % {"title": title}, [
            _("Thank you for writing. Where your letters go:"), "",
            *[f"- {letter.decision_maker.salutation}: "
              + plan(letter.channel, letter.decision_maker.salutation, action.organization.name) for letter in letters],
            "", _("Where each letter stands, at any time:"), link, "",
            _("You get this email once, because you wrote on the page of %(org)s. Keep the link to yourself: it "
              "shows where your letters stand.") % {"org": action.organization.name},
        ]
