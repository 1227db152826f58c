"""A user's calendar feed (RFC 5545): the hearings and deadlines of the open families they may see,
at a secret address a calendar app subscribes to.

Each event carries the family's reference, the kind of event, the court and the time, and a link
to the family's page: never a name, an A-number, a docket or a hearing's free-text notes, because a
calendar is synced to phones and shared more freely than the case tracker. Each event's UID names
only the record it comes from (hearing-12@host), so a moved hearing updates the event in the
user's calendar (its SEQUENCE goes up) instead of adding a second one, and a cancelled hearing stays
in the feed for a while marked CANCELLED, which calendar apps show or remove.

Which families: the same selector as every page (visible_cases), read at each fetch, so a share
revoked or a membership ended takes the families out of the feed at the next refresh. Every
fetch is recorded in the access log with the families it listed.
"""
import datetime as dt
import secrets
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from accounts import audit
from accounts.models import User

from ..fields import blind_index
from ..models import CalendarFeed, Case, CredibleFearProcess, Hearing, Sponsor
from ..selectors import visible_cases

# Events from this far back stay in the feed (a calendar keeps last week's hearing), and this far ahead.
PAST = dt.timedelta(days=30)
AHEAD = dt.timedelta(days=730)
HEARING_LENGTH = dt.timedelta(hours=1)  # the record has no end time: an hour, as courts list them


def _index(secret: str) -> str:
    return blind_index(f"calendar:{secret}")


def feed_issue(*, user: User) -> CalendarFeed:
    """A new secret address for the user's calendar: the first, or one replacing the old (which
    answers 404 from now on)."""
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        feed, created = CalendarFeed.objects.select_for_update().get_or_create(
            user=user, defaults={"secret": secret, "secret_index": _index(secret)})
        if not created:
            feed.secret, feed.secret_index, feed.last_read_at = secret, _index(secret), None
            feed.save(update_fields=["secret", "secret_index", "last_read_at"])
        audit.record(None, audit.AccessKind.TOKEN, user=user, via=audit.AccessVia.FEED,
                     what="calendar address issued" if created else "calendar address replaced")
    return feed


def feed_revoke(*, user: User) -> bool:
    with transaction.atomic():
        deleted, _rows = CalendarFeed.objects.filter(user=user).delete()
        if deleted:
            audit.record(None, audit.AccessKind.TOKEN, user=user, via=audit.AccessVia.FEED,
                         what="calendar address ended")
    return bool(deleted)


def feed_for(secret: str) -> CalendarFeed | None:
    """The live feed behind an address, or None (unknown, replaced, revoked, or its user can no
    longer sign in)."""
    if not secret or len(secret) > 100:
        return None
    return CalendarFeed.objects.select_related("user").filter(
        secret_index=_index(secret), user__is_active=True).first()


def feed_url(feed: CalendarFeed) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("calendar-feed", args=[feed.secret])


def render_feed(feed: CalendarFeed, *, request: object = None, now: dt.datetime | None = None) -> bytes:
    """The feed's iCalendar text, in the user's language; records the read in the access log."""
    now = now or timezone.now()
    user = feed.user
    cases = visible_cases(user=user).filter(status=Case.Status.OPEN)
    hearings = list(Hearing.objects.filter(
        proceeding__case__in=cases, status__in=(Hearing.Status.SCHEDULED, Hearing.Status.CANCELLED),
        scheduled_at__gte=now - PAST, scheduled_at__lte=now + AHEAD,
    ).select_related("proceeding__case", "proceeding__court").order_by("scheduled_at", "pk"))
    today = timezone.localdate(now)
    reviews = [p for p in CredibleFearProcess.objects.filter(
        CredibleFearProcess.review_due_between(today - PAST, today + AHEAD), person__case__in=cases,
    ).select_related("person__case").order_by("pk")]
    steps = list(Sponsor.objects.filter(
        status__in=Sponsor.IN_VETTING, step_due_on__gte=today - PAST, step_due_on__lte=today + AHEAD,
        case__in=cases).select_related("case").order_by("step_due_on", "pk"))
    host = urlsplit(settings.SITE_URL).hostname or "casetracker.invalid"
    site = settings.SITE_URL.rstrip("/")
    calendar = Calendar()
    calendar.add("prodid", "-//Family case tracker//Hearings and deadlines//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    with translation.override(user.language):
        calendar.add("x-wr-calname", _("Hearings and deadlines"))
        for h in hearings:
            case = h.proceeding.case
            event = _event(f"hearing-{h.pk}@{host}", _("Hearing"), case, site, stamp=h.updated_at, sequence=h.version)
            event.add("dtstart", h.scheduled_at.astimezone(dt.UTC))
            event.add("dtend", (h.scheduled_at + HEARING_LENGTH).astimezone(dt.UTC))
            event.add("status", "CANCELLED" if h.status == Hearing.Status.CANCELLED else "CONFIRMED")
            if h.proceeding.court_id:
                event.add("location", h.proceeding.court.name)
            event.add("description", f"{h.proceeding.get_kind_display()}\n{site}{reverse('staff-case', args=[case.pk])}")
            calendar.add_component(event)
        for p in reviews:
            event = _event(f"review-{p.pk}@{host}", _("Judge's review deadline"), p.person.case, site,
                           stamp=p.updated_at, sequence=p.version)
            _all_day(event, p.review_deadline)
            calendar.add_component(event)
        for s in steps:
            event = _event(f"sponsor-step-{s.pk}@{host}", _("Sponsor vetting step due"), s.case, site,
                           stamp=s.updated_at, sequence=s.version)
            _all_day(event, s.step_due_on)
            calendar.add_component(event)
    shown = {h.proceeding.case_id for h in hearings} | {p.person.case_id for p in reviews} | {s.case_id for s in steps}
    CalendarFeed.objects.filter(pk=feed.pk).update(last_read_at=now)
    audit.record(request, audit.AccessKind.EXPORT, user=user, via=audit.AccessVia.FEED, what="calendar feed",
                 case_ids=shown)
    return calendar.to_ical()


def _event(uid: str, label: str, case: Case, site: str, *, stamp: dt.datetime, sequence: int) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp.astimezone(dt.UTC))
    event.add("last-modified", stamp.astimezone(dt.UTC))
    event.add("sequence", sequence)
    event.add("summary", f"{label} · {case.reference}")
    event.add("url", f"{site}{reverse('staff-case', args=[case.pk])}")
    event.add("transp", "OPAQUE")
    return event


def _all_day(event: Event, day: dt.date) -> None:
    event.add("dtstart", day)
    event.add("dtend", day + dt.timedelta(days=1))
    event.add("description", event["url"])
