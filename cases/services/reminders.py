"""Reminders of hearings, judges' review deadlines and sponsor vetting steps.

`plan` reads the live record and brings the table of reminders in line with it: for every dated
event of an open family in the coming days, for every advocate who should hear of it and every
offset (REMINDER_DAYS_BEFORE), one waiting reminder due at REMINDER_HOUR on that day in the
organisation's time zone. A reminder whose event moved is moved; one whose event was cancelled,
decided, or has passed, or whose advocate left, paused or was unassigned, is cancelled. What was
sent is never touched.

`send_due` sends what is due: it plans the families concerned once more (a hearing cancelled a
minute ago is not reminded of), claims the due reminders, and sends each on its own or, for a
user who chose the digest, all of theirs in one email. A reminder is marked sent at the commit
point of config.mail - the first moment the mail server could have it - so a worker killed or a
server stalled mid-send never sends it twice; a server that refuses it is tried again later.

Who hears: the family's assigned legal staff (admins and advocates of the owning organisation
assigned to it); when nobody of them is assigned, every advocate of the organisation (its admins
when it has no advocate). Emails carry the family's reference, the kind of event, its date and a
link: never a name, an A-number or a court's docket.
"""
import datetime as dt
import logging
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import F, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import dateformat, formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Membership, Organization, ReminderMode, User
from accounts.roles import Role
from config.mail import MailSession, PermanentError, TransientError, Unconfirmed

from ..models import Assignment, Case, CredibleFearProcess, Hearing, Reminder, Sponsor

logger = logging.getLogger(__name__)

LEGAL_STAFF = (Role.ADMIN, Role.ADVOCATE)
Key = tuple[int, str, int, dt.date, int]  # user, event kind, event id, event day, days before


@dataclass(frozen=True)
class Event:
    case_id: int
    kind: str
    event_id: int
    on: dt.date  # the day, in the organisation's time zone
    at: dt.datetime | None  # a hearing's moment


@dataclass(frozen=True)
class Wanted:
    case_id: int
    event_at: dt.datetime | None
    due_at: dt.datetime


def due_moment(on: dt.date, days_before: int, zone: ZoneInfo, at: dt.datetime | None = None) -> dt.datetime:
    """REMINDER_HOUR on the day `days_before` days before `on`, in `zone` (a wall-clock hour: across
    a change to or from summer time it stays 7 in the morning there). Never after the event itself:
    the morning-of reminder of a 6 o'clock hearing goes out an hour before it."""
    due = dt.datetime.combine(on - dt.timedelta(days=days_before), dt.time(settings.REMINDER_HOUR), tzinfo=zone)
    if at is not None and due >= at:
        due = at - dt.timedelta(hours=1)
    return due


# --- Planning ---------------------------------------------------------------------------------

def _horizon(now: dt.datetime) -> tuple[dt.date, dt.date]:
    """The days whose events are planned for: every zone is within a day of UTC, and a few days
    beyond the first reminder's, so a reminder exists (and shows on the reminders page) days
    before it is due."""
    today = now.astimezone(dt.UTC).date()
    return today - dt.timedelta(days=1), today + dt.timedelta(days=max(settings.REMINDER_DAYS_BEFORE) + 3)


def _events(scope: QuerySet[Case], now: dt.datetime, zones: dict[int, ZoneInfo],
            case_orgs: dict[int, int]) -> list[Event]:
    """Every event of the open families in `scope` that a reminder could be planned for, with its
    day in the organisation's zone. Three queries, each bounded by the horizon through an index."""
    first, last = _horizon(now)
    scope = scope.filter(status=Case.Status.OPEN)
    events: list[Event] = []
    hearings = Hearing.objects.filter(
        status=Hearing.Status.SCHEDULED, scheduled_at__gt=now,
        scheduled_at__lt=dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC),
        proceeding__case__in=scope,
    ).values_list("pk", "scheduled_at", "proceeding__case_id", "proceeding__case__organization_id")
    for pk, at, case_id, org_id in hearings:
        case_orgs[case_id] = org_id
        events.append(Event(case_id, Reminder.Event.HEARING, pk, at.astimezone(zones[org_id]).date(), at))
    reviews = CredibleFearProcess.objects.filter(
        CredibleFearProcess.review_due_between(first, last), person__case__in=scope,
    ).select_related(None).only("pk", "kind", "outcome", "review", "decided_on", "referred_on", "person_id") \
        .annotate(case_pk=F("person__case_id"), org_pk=F("person__case__organization_id"))
    for process in reviews:
        case_orgs[process.case_pk] = process.org_pk
        events.append(Event(process.case_pk, Reminder.Event.REVIEW_DEADLINE, process.pk, process.review_deadline, None))
    steps = Sponsor.objects.filter(
        status__in=Sponsor.IN_VETTING, step_due_on__gte=first, step_due_on__lte=last, case__in=scope,
    ).values_list("pk", "step_due_on", "case_id", "case__organization_id")
    for pk, on, case_id, org_id in steps:
        case_orgs[case_id] = org_id
        events.append(Event(case_id, Reminder.Event.SPONSOR_STEP, pk, on, None))
    return events


def _recipients(case_orgs: dict[int, int]) -> dict[int, list[int]]:
    """Who hears of each family's events (module docstring): users who have not paused reminders."""
    if not case_orgs:
        return {}
    staff = Membership.objects.filter(organization_id__in=set(case_orgs.values()), is_active=True,
                                      role__in=LEGAL_STAFF, user__is_active=True)
    roles: dict[tuple[int, int], str] = {}
    paused: set[int] = set()
    for org_id, user_id, role, is_paused in staff.values_list("organization_id", "user_id", "role",
                                                              "user__reminders_paused"):
        roles[(org_id, user_id)] = role
        if is_paused:
            paused.add(user_id)
    assigned: dict[int, list[int]] = defaultdict(list)
    for case_id, user_id in Assignment.objects.filter(case_id__in=list(case_orgs)).values_list("case_id", "user_id"):
        if (case_orgs[case_id], user_id) in roles:
            assigned[case_id].append(user_id)
    by_org: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for (org_id, user_id), role in roles.items():
        by_org[org_id][role].append(user_id)
    result = {}
    for case_id, org_id in case_orgs.items():
        users = assigned.get(case_id) or by_org[org_id][Role.ADVOCATE] or by_org[org_id][Role.ADMIN]
        result[case_id] = sorted(u for u in users if u not in paused)
    return result


def _zones() -> dict[int, ZoneInfo]:
    return {pk: ZoneInfo(tz) for pk, tz in Organization.objects.values_list("pk", "time_zone")}


def _wanted(cases: list[int] | None, now: dt.datetime) -> dict[Key, Wanted]:
    zones = _zones()
    case_orgs: dict[int, int] = {}
    scope = Case.objects.all() if cases is None else Case.objects.filter(pk__in=cases)
    events = _events(scope, now, zones, case_orgs)
    recipients = _recipients(case_orgs)
    late = now - dt.timedelta(hours=settings.REMINDER_LATE_HOURS)
    wanted: dict[Key, Wanted] = {}
    for event in events:
        zone = zones[case_orgs[event.case_id]]
        if event.at is None and dt.datetime.combine(event.on + dt.timedelta(days=1), dt.time(), tzinfo=zone) <= now:
            continue  # a deadline whose day is over
        for days in settings.REMINDER_DAYS_BEFORE:
            due = due_moment(event.on, days, zone, event.at)
            for user_id in recipients.get(event.case_id, ()):
                wanted[(user_id, event.kind, event.event_id, event.on, days)] = Wanted(event.case_id, event.at, due)
    # A reminder whose hour passed more than REMINDER_LATE_HOURS ago is not wanted any more.
    return {key: w for key, w in wanted.items() if w.due_at >= late}


def plan(*, cases: Iterable[int] | None = None, now: dt.datetime | None = None) -> dict[str, int]:
    """Bring waiting reminders in line with the record, for every open family or only `cases`.
    Idempotent: run twice, or by two workers at once, it leaves the same rows (the unique key
    refuses a second copy). Returns how many were created, moved, cancelled and revived."""
    now = now or timezone.now()
    cases = None if cases is None else sorted(set(cases))
    wanted = _wanted(cases, now)
    first, _last = _horizon(now)
    existing = Reminder.objects.filter(Q(status=Reminder.Status.PENDING) | Q(
        status=Reminder.Status.CANCELLED, event_on__gte=first, due_at__gte=now - dt.timedelta(
            hours=settings.REMINDER_LATE_HOURS)))
    if cases is not None:
        existing = existing.filter(case_id__in=cases)
    counts = {"created": 0, "moved": 0, "cancelled": 0, "revived": 0}
    seen: set[Key] = set()
    cancel: list[int] = []
    for row in existing.values("pk", "user_id", "event", "event_id", "event_on", "days_before", "status", "due_at",
                               "event_at"):
        key = (row["user_id"], row["event"], row["event_id"], row["event_on"], row["days_before"])
        want = wanted.get(key)
        seen.add(key)
        if want is None:
            if row["status"] == Reminder.Status.PENDING:
                cancel.append(row["pk"])
            continue
        if row["status"] == Reminder.Status.CANCELLED:
            counts["revived"] += Reminder.objects.filter(pk=row["pk"], status=Reminder.Status.CANCELLED).update(
                status=Reminder.Status.PENDING, due_at=want.due_at, event_at=want.event_at, attempts=0,
                next_attempt_at=None, last_error="")
        elif (row["due_at"], row["event_at"]) != (want.due_at, want.event_at):
            counts["moved"] += Reminder.objects.filter(pk=row["pk"], status=Reminder.Status.PENDING).update(
                due_at=want.due_at, event_at=want.event_at)
    if cancel:
        counts["cancelled"] = Reminder.objects.filter(pk__in=cancel, status=Reminder.Status.PENDING).update(
            status=Reminder.Status.CANCELLED, claim_token=None, claim_expires_at=None)
    # Sent ones (and cancelled ones beyond the window) keep their key: never planned again.
    new = [key for key in wanted if key not in seen]
    if new:
        taken = set(Reminder.objects.filter(
            user_id__in={k[0] for k in new}, event_id__in={k[2] for k in new}, event_on__in={k[3] for k in new},
        ).values_list("user_id", "event", "event_id", "event_on", "days_before"))
        rows = [Reminder(user_id=k[0], event=k[1], event_id=k[2], event_on=k[3], days_before=k[4],
                         case_id=wanted[k].case_id, event_at=wanted[k].event_at, due_at=wanted[k].due_at)
                for k in new if k not in taken]
        Reminder.objects.bulk_create(rows, ignore_conflicts=True)
        counts["created"] = len(rows)
    return counts


# --- Sending ----------------------------------------------------------------------------------

def _lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.EMAIL_TIMEOUT + settings.LETTER_CLAIM_MARGIN_SECONDS)


def _due(now: dt.datetime) -> Q:
    return Q(status=Reminder.Status.PENDING, due_at__lte=now) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)) & (
        Q(claim_expires_at__isnull=True) | Q(claim_expires_at__lt=now))


def send_due(*, now: dt.datetime | None = None, limit: int = 200) -> dict[str, int]:
    """Send the reminders that are due (module docstring). Returns counts by outcome."""
    now = now or timezone.now()
    due_cases = set(Reminder.objects.filter(_due(now)).values_list("case_id", flat=True)[:limit])
    outcome: dict[str, int] = defaultdict(int)
    if not due_cases:
        return dict(outcome)
    plan(cases=due_cases, now=now)  # what changed since the last plan is not reminded of
    token = uuid.uuid4()
    ids = list(Reminder.objects.filter(_due(now), case_id__in=due_cases).order_by("due_at", "pk")
               .values_list("pk", flat=True)[:limit])
    # The claim: a conditional update, so two workers never hold the same reminder.
    Reminder.objects.filter(_due(now), pk__in=ids).update(claim_token=token, claim_expires_at=now + _lease())
    claimed = list(Reminder.objects.filter(claim_token=token, status=Reminder.Status.PENDING)
                   .select_related("user", "case__organization").order_by("due_at", "pk"))
    by_user: dict[int, list[Reminder]] = defaultdict(list)
    for reminder in claimed:
        by_user[reminder.user_id].append(reminder)
    with MailSession(settings.EMAIL_TIMEOUT) as mail:
        for reminders in by_user.values():
            user = reminders[0].user
            digest = user.reminder_mode == ReminderMode.DIGEST
            groups = [reminders] if digest and len(reminders) > 1 else [[r] for r in reminders]
            for group in groups:
                outcome[_send(mail, user, group, token, now, digest=digest and len(group) > 1)] += 1
    return dict(outcome)


def _send(mail: MailSession, user: User, reminders: list[Reminder], token: uuid.UUID, now: dt.datetime, *,
          digest: bool) -> str:
    ids = [r.pk for r in reminders]
    # The claim must cover this send's whole deadline (a long run extends it as it goes).
    Reminder.objects.filter(pk__in=ids, claim_token=token).update(claim_expires_at=timezone.now() + _lease())

    def commit() -> None:
        # The commit point: these reminders count as sent from now on, if they are still this
        # worker's and still wanted; otherwise the message is abandoned before its last line.
        if Reminder.objects.filter(pk__in=ids, claim_token=token, status=Reminder.Status.PENDING).update(
                status=Reminder.Status.SENT, sent_at=timezone.now(), in_digest=digest) != len(ids):
            raise _Abandoned

    try:
        mail.send(_message(user, reminders, now, digest=digest), commit)
    except _Abandoned:
        Reminder.objects.filter(pk__in=ids, claim_token=token, status=Reminder.Status.SENT).update(
            status=Reminder.Status.PENDING, sent_at=None, in_digest=False)  # the others go out next time
        Reminder.objects.filter(pk__in=ids, claim_token=token).update(claim_token=None, claim_expires_at=None)
        return "abandoned"
    except Unconfirmed as exc:
        Reminder.objects.filter(pk__in=ids).update(last_error=str(exc)[:200], claim_token=None, claim_expires_at=None)
        return "unconfirmed"  # the server may have it: never sent again
    except (TransientError, PermanentError) as exc:
        backoff = settings.REMINDER_RETRY_BACKOFF_SECONDS
        attempts = max(r.attempts for r in reminders)
        failed = isinstance(exc, PermanentError)
        Reminder.objects.filter(pk__in=ids, claim_token=token).update(
            status=Reminder.Status.FAILED if failed else Reminder.Status.PENDING, sent_at=None,
            attempts=F("attempts") + 1, last_error=str(exc)[:200], claim_token=None, claim_expires_at=None,
            next_attempt_at=now + dt.timedelta(seconds=backoff[min(attempts, len(backoff) - 1)]))
        logger.warning("reminders %s: not sent (%s)", ids, exc)
        return "failed" if failed else "retry"
    Reminder.objects.filter(pk__in=ids, claim_token=token).update(claim_token=None, claim_expires_at=None,
                                                                  last_error="")
    return "sent"


class _Abandoned(Exception):
    """The claim was lost, or the reminder was cancelled while it was being sent."""


def _message(user: User, reminders: list[Reminder], now: dt.datetime, *, digest: bool) -> EmailMessage:
    site = settings.SITE_URL.rstrip("/")
    with translation.override(user.language):
        items = [{"label": str(r.get_event_display()), "reference": r.case.reference, "days_before": _days_to(r, now),
                  "when": _when(r, now), "link": site + reverse("staff-case", args=[r.case_id])} for r in reminders]
        context = {"items": items, "digest": digest, "settings_link": site + reverse("reminder-settings")}
        subject = render_to_string("cases/email/reminder_subject.txt", context).strip()
        body = render_to_string("cases/email/reminder.txt", context)
    key = "-".join(str(r.pk) for r in reminders[:5])
    return EmailMessage(subject=subject, body=body, to=[user.email], from_email=settings.DEFAULT_FROM_EMAIL,
                        headers={"Message-ID": f"<reminder-{key}@{settings.LETTER_MESSAGE_ID_DOMAIN}>"})


def _days_to(reminder: Reminder, now: dt.datetime) -> int:
    """Days from today (the organisation's today, when the email goes out) to the event: a
    reminder sent late says how far the event really is."""
    return (reminder.event_on - now.astimezone(reminder.case.organization.zone).date()).days


def _when(reminder: Reminder, now: dt.datetime) -> str:
    """"in 7 days, Tuesday March 16, 2027 at 9 a.m. (America/Los_Angeles)", in the active language;
    a hearing's time on the organisation's clock."""
    org = reminder.case.organization
    day = f"{dateformat.format(reminder.event_on, 'l')} {formats.date_format(reminder.event_on, 'DATE_FORMAT')}"
    if reminder.event_at is not None:
        at = reminder.event_at.astimezone(org.zone).replace(tzinfo=None)
        day = _("%(day)s at %(time)s (%(zone)s)") % {
            "day": day, "time": formats.time_format(at.time(), "TIME_FORMAT"), "zone": org.time_zone}
    days = _days_to(reminder, now)
    if days <= 0:
        return _("today, %(day)s") % {"day": day}
    if days == 1:
        return _("tomorrow, %(day)s") % {"day": day}
    return ngettext("in %(n)d day, %(day)s", "in %(n)d days, %(day)s", days) % {"n": days, "day": day}


# --- Reads for the settings page ----------------------------------------------------------------

def upcoming_for(user: User, *, limit: int = 20) -> list[Reminder]:
    return list(Reminder.objects.filter(user=user, status=Reminder.Status.PENDING)
                .select_related("case").order_by("due_at", "pk")[:limit])


def unassigned_cases(organization: Organization, *, now: dt.datetime | None = None) -> list[tuple[Case, dt.date]]:
    """The organisation's open families with an event coming up that no legal staff member is
    assigned to (their reminders go to every advocate): for the admin, with the first such day."""
    now = now or timezone.now()
    case_orgs: dict[int, int] = {}
    events = _events(Case.objects.filter(organization=organization), now, {organization.pk: organization.zone},
                     case_orgs)
    mine = {e.case_id for e in events}
    staff = set(Membership.objects.filter(organization=organization, is_active=True, role__in=LEGAL_STAFF)
                .values_list("user_id", flat=True))
    covered = set(Assignment.objects.filter(case_id__in=list(mine), user_id__in=staff).values_list("case_id", flat=True))
    first: dict[int, dt.date] = {}
    for event in events:
        if event.case_id in mine and event.case_id not in covered:
            first[event.case_id] = min(first.get(event.case_id, event.on), event.on)
    cases = Case.objects.in_bulk(list(first))
    return sorted(((cases[pk], on) for pk, on in first.items()), key=lambda item: (item[1], item[0].reference))
