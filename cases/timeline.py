"""The case page's timeline: each history event as a translated label and 'Field: before → after'
lines. Values a reader may not see were redacted to None before they get here; facilities are
named with one query for the whole page."""
import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from .models import CaseEvent, Document, Facility

# Bookkeeping that says nothing to a reader of the timeline.
SKIPPED = frozenset({"id", "version", "case", "person", "created_by", "updated_by", "created_at", "updated_at",
                     "consent_recorded_by", "consent_recorded_at", "a_number_index", "detained_since", "action",
                     # ids that name people or organisations; the event label says enough
                     "user", "organization", "sponsor", "proceeding", "author"})

LABELS: dict[str, Any] = {
    "reference": _("Reference"), "separated_on": _("Separated on"), "separation_place": _("Place of separation"),
    "port_of_entry": _("Port of entry"), "summary": _("Summary"), "consent_level": _("Consent"),
    "access": _("Access"),
    "role": _("Role"), "first_name": _("First name"), "last_name": _("Last name"),
    "date_of_birth": _("Date of birth"), "country_of_birth": _("Country of birth"), "languages": _("Languages"),
    "address": _("Address"), "a_number": _("A-number"), "kind": _("Kind"), "facility": _("Facility"),
    "release_type": _("Release type"), "removed_to": _("Removed to"),
    "started_on": _("Since"), "ended_on": _("Until"), "name": _("Name"), "relationship": _("Relationship"),
    "category": _("Category"), "status": _("Status"), "contact": _("Contact"), "interview_on": _("Interview on"),
    "outcome": _("Outcome"), "decided_on": _("Decided on"), "review": _("Judge review"),
    "review_requested_on": _("Review requested on"), "referred_on": _("Referred to the judge on"), "review_decided_on": _("Review decided on"),
    "court": _("Court"), "docket": _("Docket"), "agency_position": _("Agency position"),
    "scheduled_at": _("Date and time"), "purpose": _("Purpose"), "location": _("Location"), "body": _("Note"),
    "on": _("On"), "reason": _("Reason"), "closed_on": _("Closed on"),
    "file_type": _("File type"), "size": _("Size in bytes"), "expires_on": _("Expires on"),
    "step_due_on": _("Next vetting step due on"),
}
EVENTS: dict[str, Any] = {
    "case.opened": _("Case opened"), "case.updated": _("Case updated"), "case.shared": _("Shared"),
    "case.share_revoked": _("Share revoked"), "case.assigned": _("Assigned"), "case.unassigned": _("Unassigned"),
    "case.reunified": _("Reunified"), "case.closed": _("File closed"), "case.reopened": _("File reopened"), "consent.recorded": _("Consent recorded"),
    "consent.revoked": _("Consent revoked"), "person.added": _("Person added"),
    "person.updated": _("Person updated"), "custody.transferred": _("Custody changed"),
    "custody.recorded": _("Custody recorded"), "custody.corrected": _("Correction of custody"),
    "sponsor.added": _("Sponsor added"), "sponsor.updated": _("Sponsor updated"),
    "sponsor.status_changed": _("Sponsor status changed"), "credible_fear.opened": _("Credible-fear process opened"),
    "credible_fear.decided": _("Interview outcome"), "credible_fear.review_requested": _("Judge review requested"),
    "credible_fear.review_declined": _("Judge review declined"),
    "credible_fear.reviewed": _("Judge review decided"), "credible_fear.updated": _("Credible fear updated"),
    "proceeding.opened": _("Proceeding opened"), "proceeding.updated": _("Proceeding updated"),
    "hearing.scheduled": _("Hearing scheduled"), "hearing.updated": _("Hearing updated"),
    "note.added": _("Note added"), "document.added": _("Document added"), "document.removed": _("Document removed"), "story.saved": _("Story for letters saved (not approved)"),
    "story.approved": _("Story for letters approved"), "advocacy.linked": _("Used in an advocacy action"),
    "advocacy.unlinked": _("No longer used in an advocacy action"),
}
# Values the history holds that are not a field of the row: their labels.
EVENT_CHOICES: dict[tuple[str, str], Any] = {("document", "reason"): Document.RemovalReason.choices}
HIDDEN = _("(hidden)")
# Values that are facility ids: the timeline names the facility (a court is a facility too).
FACILITY_KEYS = ("facility", "court", "port_of_entry")


def _field(subject_type: str, key: str):  # noqa: ANN202
    try:
        return apps.get_model("cases", subject_type)._meta.get_field(key)
    except (LookupError, FieldDoesNotExist):
        return None


def _value(field, key: str, value: Any, facilities: dict[int, str], redacted: bool,  # noqa: ANN001
           choices: Any = ()) -> str:
    if value is None:
        return str(HIDDEN) if redacted and field is not None and key in _redactable(field) else "—"
    if value == "":
        return "—"
    if key in FACILITY_KEYS:
        return facilities.get(value, "—")
    kind = field.get_internal_type() if field is not None else ""
    if kind in ("DateField", "DateTimeField") and isinstance(value, str):
        return _when(kind, value)
    choices = dict(getattr(field, "flatchoices", None) or choices)
    return str(choices.get(value, value))


def _when(kind: str, value: str) -> str:
    """'2026-10-14' as '14 Oct 2026'; a moment in the reader's time zone, to the minute."""
    try:
        if kind == "DateField":
            return date_format(dt.date.fromisoformat(value), "j M Y")
        return date_format(timezone.localtime(dt.datetime.fromisoformat(value)), "j M Y H:i")
    except ValueError:
        return value


def _redactable(field) -> frozenset[str]:  # noqa: ANN001
    from .pii import PII_FIELDS

    return PII_FIELDS.get(field.model._meta.model_name, frozenset())


def person_name(person: Any, *, pii: bool) -> str:
    """A family member as a reader may name them: the full name with PII rights, otherwise the
    role and the first name's initial ("Parent A.")."""
    if pii:
        return f"{person.first_name} {person.last_name}".strip()
    initial = f" {person.first_name[:1]}." if person.first_name else ""
    return f"{person.get_role_display()}{initial}"


def actor_name(user: Any) -> str:
    if user is None:
        return str(_("the system"))
    return user.get_full_name() or user.email


def _subjects(case: Any, *, pii: bool) -> dict[tuple[str, int], str]:
    """What each of the family's rows is called in its timeline, from the rows the case page has
    already loaded (no query): its people, their custody and fear processes, sponsors, proceedings
    and hearings."""
    names: dict[tuple[str, int], str] = {}
    people = {p.pk: p for p in case.people.all()}
    for person in people.values():
        names["person", person.pk] = person_name(person, pii=pii)
        for process in person.fear_processes.all():
            names["crediblefearprocess", process.pk] = names["person", person.pk]
    for sponsor in case.sponsors.all():
        names["sponsor", sponsor.pk] = sponsor.name if pii else str(_("Sponsor (%(category)s)") % {
            "category": sponsor.category})
    for proceeding in case.proceedings.all():
        parts = [proceeding.get_kind_display(), proceeding.docket if pii else ""]
        if proceeding.person_id in people:
            parts.append(names["person", proceeding.person_id])
        names["proceeding", proceeding.pk] = " · ".join(p for p in parts if p)
        for hearing in proceeding.hearings.all():
            names["hearing", hearing.pk] = names["proceeding", proceeding.pk]
    return names


def _subject(event: CaseEvent, names: dict[tuple[str, int], str]) -> str:
    if event.subject_type == "custodyepisode":  # whose custody: the person is in the entry itself
        person = event.after.get("person") or event.before.get("person")
        return names.get(("person", person), "")
    return names.get((event.subject_type, event.subject_id), "")


def describe(events: Iterable[CaseEvent], *, redacted: bool, case: Any = None) -> list[CaseEvent]:
    """Set `event.label`, `event.subject` (whom or what it concerns, named from `case`'s loaded
    rows), `event.by` (who made it) and `event.lines` on each event; one query names every
    facility the events mention. For a redacted reader, a value that is None may be one they may
    not see: it reads "(hidden)"."""
    events = list(events)
    ids = {e.after.get(k) for e in events for k in FACILITY_KEYS} | {e.before.get(k) for e in events
                                                                    for k in FACILITY_KEYS}
    ids = {i for i in ids if isinstance(i, int)}
    facilities = dict(Facility.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}
    names = _subjects(case, pii=not redacted) if case is not None else {}
    for event in events:
        event.label = str(EVENTS.get(event.action, event.action))
        event.subject = _subject(event, names)
        event.by = actor_name(event.actor)
        lines = []
        for key in dict.fromkeys([*event.before, *event.after]):
            if key in SKIPPED or key.endswith("_id"):
                continue
            before, after = event.before.get(key), event.after.get(key)
            field = _field(event.subject_type, key)
            choices = EVENT_CHOICES.get((event.subject_type, key), ())
            if after in (None, "") and before in (None, "") and not (redacted and field and key in _redactable(field)):
                continue
            label = str(LABELS.get(key, key.replace("_", " ").capitalize()))
            if key in event.before and key in event.after and before != after:
                lines.append(f"{label}: {_value(field, key, before, facilities, redacted, choices)} → "
                             f"{_value(field, key, after, facilities, redacted, choices)}")
            elif key in event.after:
                lines.append(f"{label}: {_value(field, key, after, facilities, redacted, choices)}")
        event.lines = lines
    return events
