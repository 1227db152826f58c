"""People and their custody: the timeline that follows each family member."""
import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.roles import CHANGE

from ..fields import blind_index, normalise_a_number
from ..models import DETAINED_KINDS, Case, CustodianKind, CustodyEpisode, Facility, Person, Sponsor
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


def _check_person(p: Person) -> None:
    if p.date_of_birth and p.date_of_birth > timezone.localdate():
        raise field_error("date_of_birth", "A date of birth cannot be in the future.")


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
    if ep.sponsor_id and ep.sponsor.case_id != ep.person.case_id:
        errors["sponsor"] = "This sponsor belongs to another family."
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
    if errors:
        raise ValidationError(errors)


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


def custody_episode_update(*, actor: User, episode: CustodyEpisode, version: int, **changes: Any) -> CustodyEpisode:
    with transaction.atomic():
        updated = update_versioned(
            actor=actor, obj=episode, case_of=lambda e: e.person.case, version=version, changes=changes,
            action="custody.corrected", checks=_check_episode,
        )
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
        _check_episode(new)
        new.save()
        _recompute_detained_since(person.pk)
        new.refresh_from_db()
        record_event(
            case=person.case, actor=actor, action="custody.transferred", subject=new,
            before=before, after=snapshot(new, ("kind", "facility", "release_type", "removed_to", "sponsor", "started_on")),
        )
    return new


def release_to_sponsor(*, actor: User, person: Person, sponsor: Sponsor, on: dt.date) -> CustodyEpisode:
    if sponsor.case_id != person.case_id:
        raise field_error("sponsor", "This sponsor belongs to another family.")
    if sponsor.status == Sponsor.Status.DENIED:
        raise field_error("sponsor", "This sponsor was denied; a release needs an approved sponsor.")
    with transaction.atomic():
        episode = custody_transfer(actor=actor, person=person, kind=CustodianKind.WITH_SPONSOR, on=on, sponsor=sponsor)
        if sponsor.status != Sponsor.Status.RELEASED_TO_SPONSOR:
            before = {"status": sponsor.status}
            Sponsor.objects.filter(pk=sponsor.pk).update(status=Sponsor.Status.RELEASED_TO_SPONSOR, version=sponsor.version + 1)
            sponsor.refresh_from_db()
            record_event(case=person.case, actor=actor, action="sponsor.status_changed", subject=sponsor,
                         before=before, after={"status": sponsor.status})
    return episode
