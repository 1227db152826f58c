"""People and their custody: the timeline that follows each family member."""
import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from accounts.models import User
from accounts.roles import CHANGE

from ..fields import blind_index, normalise_a_number
from ..models import DETAINED_KINDS, Case, CustodianKind, CustodyEpisode, Facility, Person, Sponsor
from ..models.people import ADULT_AGE, CUSTODY_FACILITY_KINDS, ORR_KINDS
from ..permissions import require_case_perm
from ._base import create_on_case, field_error, record_event, snapshot, update_versioned, validate

PERSON_FIELDS = (
    "role", "first_name", "last_name", "date_of_birth", "country_of_birth", "languages", "address", "a_number",
)
EPISODE_FIELDS = ("kind", "facility", "release_type", "removed_to", "sponsor", "started_on", "ended_on")


def _set_a_number(person: Person, raw: str | None) -> None:
    if not raw:
        person.a_number, person.a_number_index = "", ""
        return
    try:
        normalised = normalise_a_number(raw)
    except ValidationError as exc:
        raise ValidationError({"a_number": exc.messages}) from exc
    person.a_number, person.a_number_index = normalised, blind_index(normalised)


EARLIEST_BIRTH = dt.date(1900, 1, 1)


def _check_person(p: Person) -> None:
    if p.date_of_birth and p.date_of_birth > timezone.localdate():
        raise field_error("date_of_birth", "A date of birth cannot be in the future.")
    if p.date_of_birth and p.date_of_birth < EARLIEST_BIRTH:
        raise field_error("date_of_birth", "Check the year of birth.")


def person_create(*, actor: User, case: Case, a_number: str = "", **fields: Any) -> Person:
    person = Person(case=case, **fields)
    _set_a_number(person, a_number)
    return create_on_case(actor=actor, case=case, obj=person, action="person.added", checks=_check_person)


def person_update(*, actor: User, person: Person, version: int, **changes: Any) -> Person:
    def prepare(p: Person, ch: dict[str, Any]) -> None:
        if "a_number" in ch:
            _set_a_number(p, ch["a_number"])

    return update_versioned(
        actor=actor, obj=person, case_of=lambda p: p.case, version=version, changes=changes,
        action="person.updated", prepare=prepare, checks=_check_person,
    )


def _recompute_detained_since(person_id: int) -> None:
    """Carry the first day of detention across back-to-back detention episodes (CBP -> ICE)."""
    prev: CustodyEpisode | None = None
    for ep in CustodyEpisode.objects.filter(person_id=person_id).order_by("started_on", "id"):
        since = None
        if ep.kind in DETAINED_KINDS:
            continuous = (
                prev is not None and prev.detained_since is not None and prev.ended_on is not None
                and (ep.started_on - prev.ended_on).days <= 1
            )
            since = prev.detained_since if continuous else ep.started_on
        if ep.detained_since != since:
            CustodyEpisode.objects.filter(pk=ep.pk).update(detained_since=since)
            ep.detained_since = since
        prev = ep


def _check_episode(ep: CustodyEpisode) -> None:
    errors: dict[str, str] = {}
    if ep.ended_on and ep.started_on and ep.ended_on < ep.started_on:
        errors["ended_on"] = "A custody episode cannot end before it starts."
    if ep.kind == CustodianKind.REMOVED and not ep.removed_to:
        errors["removed_to"] = "Say which country the person was removed to."
    if ep.kind != CustodianKind.REMOVED and ep.removed_to:
        errors["removed_to"] = "Only a removal names a country."
    if ep.release_type and ep.kind != CustodianKind.RELEASED:
        errors["release_type"] = "Only a release has a release type."
    errors.update(_fit_errors(ep))
    today = timezone.localdate()
    if ep.started_on and ep.started_on > today:
        errors["started_on"] = "Custody cannot start in the future."
    if ep.ended_on and ep.ended_on > today:
        errors.setdefault("ended_on", "Custody cannot end in the future.")
    if ep.ended_on is None:
        other_open = CustodyEpisode.objects.filter(person_id=ep.person_id, ended_on__isnull=True).exclude(pk=ep.pk)
        if other_open.exists():
            errors["ended_on"] = (
                "This person already has an open custody episode (their current custody). "
                "End it first, or use transfer-custody."
            )
    if not errors:
        errors.update(_overlap_errors(ep))
    if errors:
        raise ValidationError(errors)


def _age_on(person: Person, day: dt.date) -> int | None:
    dob = person.date_of_birth
    if dob is None:
        return None
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


def _fit_errors(ep: CustodyEpisode) -> dict[str, str]:
    """The custody fits the person, the facility and the sponsor (docs/domain-rules.md)."""
    errors: dict[str, str] = {}
    person = ep.person
    accepted = CUSTODY_FACILITY_KINDS.get(ep.kind, frozenset())
    if ep.facility_id and ep.facility.kind not in accepted:
        where = ", ".join(str(Facility.Kind(k).label) for k in sorted(accepted)) or "no facility"
        errors["facility"] = (
            f"{CustodianKind(ep.kind).label} cannot be at a facility of kind "
            f"'{Facility.Kind(ep.facility.kind).label}' (accepted: {where})."
        )
    if person.date_of_birth and ep.started_on and ep.started_on < person.date_of_birth:
        errors["started_on"] = (
            f"This person was born on {person.date_of_birth.isoformat()}: custody cannot begin before.")
    if ep.kind in ORR_KINDS and ep.started_on:
        age = _age_on(person, ep.started_on)
        if age is not None and age >= ADULT_AGE:
            errors["kind"] = f"ORR custody is for children; this person was {age} on {ep.started_on.isoformat()}."
        elif age is None and person.role != Person.Role.CHILD:
            errors["kind"] = "ORR custody is for children: record this person's date of birth first."
    if ep.kind == CustodianKind.WITH_SPONSOR:
        sponsor = ep.sponsor if ep.sponsor_id else None
        if sponsor is None:
            errors["sponsor"] = "Name the sponsor this person lives with."
        elif sponsor.case_id != person.case_id:
            errors["sponsor"] = "This sponsor belongs to another family."
        elif sponsor.person_id not in (None, person.pk):
            errors["sponsor"] = "This sponsor is another child's sponsor."
        elif sponsor.status not in Sponsor.VETTED:
            errors["sponsor"] = (
                f"A release needs a sponsor whose vetting is approved; this one is "
                f"'{Sponsor.Status(sponsor.status).label}'."
            )
    elif ep.sponsor_id:
        errors["sponsor"] = "Only custody 'with sponsor' names a sponsor."
    return errors


def _overlap_errors(ep: CustodyEpisode) -> dict[str, str]:
    """One person is in one custody at a time: episodes are half-open [start, end) date ranges
    (a transfer ends one and starts the next on the same day), and none may overlap another."""
    if ep.ended_on is not None and ep.ended_on == ep.started_on:
        return {}  # an empty range holds no day
    others = CustodyEpisode.objects.filter(person_id=ep.person_id).exclude(pk=ep.pk).exclude(
        ended_on=models.F("started_on")
    ).filter(models.Q(ended_on__isnull=True) | models.Q(ended_on__gt=ep.started_on))
    if ep.ended_on is not None:
        others = others.filter(started_on__lt=ep.ended_on)
    other = others.select_related("facility").order_by("started_on", "pk").first()
    if other is None:
        return {}
    where = f" at {other.facility.name}" if other.facility_id else ""
    until = other.ended_on.isoformat() if other.ended_on else "now"
    field = "started_on" if other.started_on <= ep.started_on else "ended_on"
    return {field: (
        f"This overlaps the custody '{CustodianKind(other.kind).label}'{where} from "
        f"{other.started_on.isoformat()} to {until}: one person is in one custody at a time."
    )}


def custody_episode_create(*, actor: User, person: Person, **fields: Any) -> CustodyEpisode:
    """Record an episode directly (e.g. past custody entered after the fact)."""
    with transaction.atomic():
        # Serialise writers on this person so the open-episode check cannot race.
        Person.objects.select_for_update().filter(pk=person.pk).first()
        episode = CustodyEpisode(person=person, **fields)
        episode = create_on_case(actor=actor, case=person.case, obj=episode, action="custody.recorded",
                                 checks=_check_episode)
        _recompute_detained_since(person.pk)
        episode.refresh_from_db()
        return episode


def custody_episode_update(
    *, actor: User, episode: CustodyEpisode, version: int, reason: str = "", **changes: Any,
) -> CustodyEpisode:
    """Correct a recorded episode (a mistyped date, the wrong facility): its own history entry,
    marked as a correction with the reason given; nothing earlier is rewritten.

    A transfer ends one episode on the day the next begins. Moving that day moves it for both: the
    neighbour that touched the old date is corrected with the same reason, so the timeline keeps
    no gap and no overlap. The neighbour that would shrink is moved first, so neither correction
    overlaps the other on the way."""
    reason = (reason or "").strip()
    if not reason:
        raise field_error("reason", "Say why this entry is corrected (it is kept in the timeline).")
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=episode.person_id).first()  # serialise this person's custody
        current = CustodyEpisode.objects.get(pk=episode.pk)
        about = {"person": current.person_id, "reason": reason}
        before, after = [], []  # neighbour corrections to make before and after this one
        siblings = CustodyEpisode.objects.filter(person_id=current.person_id).exclude(pk=current.pk)
        new_start = changes.get("started_on", current.started_on)
        if new_start != current.started_on:
            previous = siblings.filter(ended_on=current.started_on).first()
            if previous is not None:
                (before if new_start < current.started_on else after).append((previous, {"ended_on": new_start}))
        new_end = changes.get("ended_on", current.ended_on)
        if "ended_on" in changes and current.ended_on is not None and new_end is not None and new_end != current.ended_on:
            following = siblings.filter(started_on=current.ended_on).first()
            if following is not None:
                (before if new_end > current.ended_on else after).append((following, {"started_on": new_end}))

        def correct(ep: CustodyEpisode, ep_version: int, ep_changes: dict[str, Any]) -> CustodyEpisode:
            return update_versioned(
                actor=actor, obj=ep, case_of=lambda e: e.person.case, version=ep_version, changes=ep_changes,
                action="custody.corrected", checks=_check_episode, about=about,
            )

        for neighbour, moved in before:
            correct(neighbour, neighbour.version, moved)
        updated = correct(current, version, changes)
        for neighbour, moved in after:
            correct(neighbour, neighbour.version, moved)
        _recompute_detained_since(updated.person_id)
        updated.refresh_from_db()
    return updated


def custody_transfer(
    *, actor: User, person: Person, kind: str, on: dt.date, facility: Facility | None = None,
    release_type: str = "", removed_to: str = "", sponsor: Sponsor | None = None,
) -> CustodyEpisode:
    """End the current custody on `on` and open the next one from the same day."""
    with transaction.atomic():
        person = Person.objects.select_for_update().select_related("case").get(pk=person.pk)
        require_case_perm(actor, CHANGE, person.case)
        if on > timezone.localdate():
            raise field_error("on", "A custody change cannot be dated in the future.")
        current = CustodyEpisode.objects.filter(person=person, ended_on__isnull=True).first()
        if current and on < current.started_on:
            raise field_error("on", f"The current custody began on {current.started_on}; a transfer cannot precede it.")
        if current and (current.kind, current.facility_id, current.release_type, current.removed_to,
                        current.sponsor_id) == (kind, facility.pk if facility else None, release_type, removed_to,
                                                sponsor.pk if sponsor else None):
            # A repeated submit (or a second advocate recording the same news) adds nothing.
            raise field_error("kind", f"This person has been in this custody since {current.started_on}.")
        new = CustodyEpisode(
            person=person, kind=kind, facility=facility, release_type=release_type, removed_to=removed_to,
            sponsor=sponsor, started_on=on,
        )
        before = snapshot(current, ("kind", "facility", "started_on")) if current else {}
        if current:
            current.ended_on = on
            current.version += 1
            current.save(update_fields=["ended_on", "version", "updated_at"])
        validate(new, exclude=["person"])
        try:
            _check_episode(new)
        except ValidationError as exc:  # the new episode starts on the transfer's day: name it so
            raise ValidationError({"on" if k == "started_on" else k: v for k, v in exc.error_dict.items()}) from exc
        new.save()
        _recompute_detained_since(person.pk)
        new.refresh_from_db()
        record_event(
            case=person.case, actor=actor, action="custody.transferred", subject=new,
            before=before,
            after=snapshot(new, ("person", "kind", "facility", "release_type", "removed_to", "sponsor", "started_on")),
        )
    return new


def release_to_sponsor(*, actor: User, person: Person, sponsor: Sponsor, on: dt.date) -> CustodyEpisode:
    """Custody 'with sponsor' from `on`; the sponsor must be this child's (or the family's) and
    approved (checked with the custody, see _fit_errors); it becomes 'released to sponsor'."""
    with transaction.atomic():
        # Lock the sponsor: its vetting cannot be withdrawn between the check and the release.
        sponsor = Sponsor.objects.select_for_update().get(pk=sponsor.pk)
        episode = custody_transfer(actor=actor, person=person, kind=CustodianKind.WITH_SPONSOR, on=on, sponsor=sponsor)
        if sponsor.status != Sponsor.Status.RELEASED_TO_SPONSOR:
            before = {"status": sponsor.status}
            Sponsor.objects.filter(pk=sponsor.pk).update(status=Sponsor.Status.RELEASED_TO_SPONSOR, version=sponsor.version + 1)
            sponsor.refresh_from_db()
            record_event(case=person.case, actor=actor, action="sponsor.status_changed", subject=sponsor,
                         before=before, after={"status": sponsor.status})
    return episode
