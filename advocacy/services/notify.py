"""Telling organizers what needs them: letters that failed, an action paused by a withdrawn
consent, an action whose families are all out. Counts and reasons only - never a supporter's or a
family's details - and each event is told once (a conditional update decides)."""
from collections import Counter

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from accounts.models import Membership, User
from accounts.roles import Role

from ..models import Action, Letter, LetterStatus


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


def _send(action: Action, subject: str, lines: list[str]) -> None:
    recipients = organizers_of(action)
    if recipients:
        send_mail(subject, "\n".join(lines) + "\n", settings.DEFAULT_FROM_EMAIL, recipients)


def notify_failures(action_id: int) -> int:
    """Failed and unconfirmed letters not yet reported, in one message. Returns how many were
    reported."""
    action = Action.objects.get(pk=action_id)
    told = Letter.objects.filter(action=action, status__in=(LetterStatus.FAILED, LetterStatus.UNCONFIRMED),
                                 failure_notified_at__isnull=True)
    rows = list(told.values_list("pk", "status", "last_error"))
    if not rows:
        return 0
    # Only the letters this call marks are reported by it: a concurrent call reports the others.
    count = Letter.objects.filter(pk__in=[pk for pk, _s, _e in rows], failure_notified_at__isnull=True).update(
        failure_notified_at=timezone.now())
    if count:
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
        subject = (f"{count} letter(s) could not be delivered: {action.title}" if failed
                   else f"{count} letter(s) sent, unconfirmed: {action.title}")
        _send(action, subject, lines)
    return count


def notify_paused(action_id: int) -> None:
    action = Action.objects.get(pk=action_id)
    _send(action, f"Letters paused: {action.title}", [
        f'Letters of the action "{action.title}" are on hold.', "",
        action.paused_reason, "",
        "A family withdrew its consent (or its situation changed), so a fact your letter states has no "
        "consenting family behind it. Edit the letter so it no longer uses that fact, then resume the action: "
        "the letters waiting will go out with the facts as they stand.",
    ])


def notify_won(action_id: int) -> None:
    action = Action.objects.get(pk=action_id)
    _send(action, f"Every family is out: {action.title}", [
        f'Every family of the action "{action.title}" is now released or reunited.', "",
        "If this is the win you campaigned for, mark the action won: its page will say so and take no more letters.",
    ])
