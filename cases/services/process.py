"""Sponsors, credible-fear processes, proceedings and hearings."""
import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.roles import CHANGE

from ..models import Case, CredibleFearProcess, Hearing, Person, Proceeding, Sponsor
from ..permissions import require_case_perm
from ._base import create_on_case, field_error, record_event, update_versioned


def _check_sponsor(sponsor: Sponsor) -> None:
    if sponsor.person_id and sponsor.person.case_id != sponsor.case_id:
        raise field_error("person", "This person belongs to another family.")


def sponsor_create(*, actor: User, case: Case, **fields: Any) -> Sponsor:
    sponsor = Sponsor(case=case, **fields)
    _check_sponsor(sponsor)
    return create_on_case(actor=actor, case=case, obj=sponsor, action="sponsor.added")


def sponsor_update(*, actor: User, sponsor: Sponsor, version: int, **changes: Any) -> Sponsor:
    action = "sponsor.status_changed" if set(changes) == {"status"} else "sponsor.updated"
    return update_versioned(actor=actor, obj=sponsor, case_of=lambda s: s.case, version=version,
                            changes=changes, action=action, checks=_check_sponsor)


def fear_process_create(*, actor: User, person: Person, **fields: Any) -> CredibleFearProcess:
    process = CredibleFearProcess(person=person, **fields)
    return create_on_case(actor=actor, case=person.case, obj=process, action="credible_fear.opened",
                          checks=_check_process)


# Dates that record something that happened: never in the future (docs/domain-rules.md).
PAST_DATES = {
    "interview_on": "An interview cannot be dated in the future.",
    "decided_on": "A decision cannot be dated in the future.",
    "review_requested_on": "A review request cannot be dated in the future.",
    "referred_on": "A referral cannot be dated in the future.",
    "review_decided_on": "A judge's decision cannot be dated in the future.",
}
REVIEW_UNDER_WAY = (CredibleFearProcess.Review.REQUESTED, CredibleFearProcess.Review.AFFIRMED,
                    CredibleFearProcess.Review.VACATED)


def _check_process(p: CredibleFearProcess) -> None:
    today = timezone.localdate()
    errors = {name: msg for name, msg in PAST_DATES.items() if getattr(p, name) and getattr(p, name) > today}
    if p.outcome != CredibleFearProcess.Outcome.PENDING and not p.decided_on:
        errors.setdefault("decided_on", "Give the date of the decision.")
    if p.decided_on and p.interview_on and p.decided_on < p.interview_on:
        errors.setdefault("decided_on", "The decision cannot precede the interview.")
    if p.review and p.outcome != CredibleFearProcess.Outcome.NEGATIVE:
        errors.setdefault("review", "Only a negative finding can go to an immigration judge.")
    for name in ("review_requested_on", "referred_on"):
        if getattr(p, name) and p.decided_on and getattr(p, name) < p.decided_on:
            errors.setdefault(name, "This cannot precede the negative finding.")
    if p.review_decided_on and p.review_requested_on and p.review_decided_on < p.review_requested_on:
        errors.setdefault("review_decided_on", "The judge cannot decide before the review was requested.")
    if (p.kind == CredibleFearProcess.Kind.REASONABLE and p.review in REVIEW_UNDER_WAY and not p.referred_on):
        # 8 CFR 208.31(g): the judge's 10 days run from the referral.
        errors.setdefault("referred_on", "Give the date the case was referred to the immigration judge.")
    if errors:
        raise ValidationError(errors)



def fear_process_update(*, actor: User, process: CredibleFearProcess, version: int, **changes: Any) -> CredibleFearProcess:
    return update_versioned(actor=actor, obj=process, case_of=lambda p: p.person.case, version=version,
                            changes=changes, action="credible_fear.updated", checks=_check_process)


def _transition(*, actor: User, process: CredibleFearProcess, action: str, changes: dict[str, Any], allowed) -> CredibleFearProcess:  # noqa: ANN001
    with transaction.atomic():
        locked = CredibleFearProcess.objects.select_for_update().select_related("person__case").get(pk=process.pk)
        require_case_perm(actor, CHANGE, locked.person.case)
        allowed(locked)
        before = {k: _plain(getattr(locked, k)) for k in changes}
        for k, v in changes.items():
            setattr(locked, k, v)
        _check_process(locked)
        locked.version += 1
        locked.save()
        record_event(case=locked.person.case, actor=actor, action=action, subject=locked, before=before,
                     after={k: _plain(v) for k, v in changes.items()})
    return locked


def _plain(v: Any) -> Any:
    return v.isoformat() if isinstance(v, dt.date) else v


def interview_outcome_record(
    *, actor: User, process: CredibleFearProcess, outcome: str, decided_on: dt.date, interview_on: dt.date | None = None,
) -> CredibleFearProcess:
    if outcome not in (CredibleFearProcess.Outcome.POSITIVE, CredibleFearProcess.Outcome.NEGATIVE):
        raise field_error("outcome", "Record a positive or a negative outcome.", "invalid_choice")

    def allowed(p: CredibleFearProcess) -> None:
        if p.review:
            raise field_error("outcome", "An immigration judge is already reviewing this finding.")

    changes: dict[str, Any] = {"outcome": outcome, "decided_on": decided_on}
    if interview_on:
        changes["interview_on"] = interview_on
    return _transition(actor=actor, process=process, action="credible_fear.decided", changes=changes, allowed=allowed)


def _review_not_yet_decided(p: CredibleFearProcess) -> None:
    if p.outcome != CredibleFearProcess.Outcome.NEGATIVE:
        raise field_error("outcome", "Only a negative finding can go to an immigration judge.")
    if p.review == CredibleFearProcess.Review.DECLINED:
        raise field_error("review", "Review by an immigration judge was declined.")
    if p.review:
        raise field_error("review", "Review was already requested.")


def ij_review_request(
    *, actor: User, process: CredibleFearProcess, requested_on: dt.date, referred_on: dt.date | None = None,
) -> CredibleFearProcess:
    """The person asks an immigration judge to review a negative finding. A reasonable-fear
    review also needs the date of the referral to the judge, from which its 10 days run."""
    def allowed(p: CredibleFearProcess) -> None:
        _review_not_yet_decided(p)
        if requested_on > timezone.localdate():
            raise field_error("requested_on", PAST_DATES["review_requested_on"])
        if p.decided_on and requested_on < p.decided_on:
            raise field_error("requested_on", "The request cannot precede the decision.")

    changes: dict[str, Any] = {"review": CredibleFearProcess.Review.REQUESTED, "review_requested_on": requested_on}
    if referred_on:
        changes["referred_on"] = referred_on
    return _transition(actor=actor, process=process, action="credible_fear.review_requested",
                       changes=changes, allowed=allowed)


def ij_review_decline(*, actor: User, process: CredibleFearProcess) -> CredibleFearProcess:
    """The person declined review of a negative finding: no judge review, and no deadline."""
    return _transition(actor=actor, process=process, action="credible_fear.review_declined",
                       changes={"review": CredibleFearProcess.Review.DECLINED}, allowed=_review_not_yet_decided)


def ij_review_record(*, actor: User, process: CredibleFearProcess, result: str, decided_on: dt.date) -> CredibleFearProcess:
    if result not in (CredibleFearProcess.Review.AFFIRMED, CredibleFearProcess.Review.VACATED):
        raise field_error("result", "Record 'affirmed' or 'vacated'.", "invalid_choice")

    def allowed(p: CredibleFearProcess) -> None:
        if p.review != CredibleFearProcess.Review.REQUESTED:
            raise field_error("result", "No immigration-judge review is pending.")
        if decided_on > timezone.localdate():
            raise field_error("decided_on", PAST_DATES["review_decided_on"])
        if p.review_requested_on and decided_on < p.review_requested_on:
            raise field_error("decided_on", "The judge cannot decide before the review was requested.")

    return _transition(actor=actor, process=process, action="credible_fear.reviewed",
                       changes={"review": result, "review_decided_on": decided_on}, allowed=allowed)


def proceeding_create(*, actor: User, case: Case, **fields: Any) -> Proceeding:
    proceeding = Proceeding(case=case, **fields)
    if proceeding.person_id and proceeding.person.case_id != case.pk:
        raise field_error("person", "This person belongs to another family.")
    return create_on_case(actor=actor, case=case, obj=proceeding, action="proceeding.opened")


def proceeding_update(*, actor: User, proceeding: Proceeding, version: int, **changes: Any) -> Proceeding:
    return update_versioned(actor=actor, obj=proceeding, case_of=lambda p: p.case, version=version,
                            changes=changes, action="proceeding.updated")


# A hearing date is a real one: not before this, and not more than this many years ahead (the
# immigration courts' backlog sets hearings some years out, never decades). The database refuses
# anything outside 1990-2199 as well (Hearing.Meta).
HEARING_EARLIEST = dt.datetime(1990, 1, 1, tzinfo=dt.UTC)
HEARING_YEARS_AHEAD = 10


def _check_hearing(h: Hearing) -> None:
    latest = timezone.now() + dt.timedelta(days=365 * HEARING_YEARS_AHEAD)
    if h.scheduled_at and not (HEARING_EARLIEST <= h.scheduled_at <= latest):
        raise field_error("scheduled_at", f"Check the date: a hearing falls between {HEARING_EARLIEST.year} "
                                          f"and {HEARING_YEARS_AHEAD} years from now.")


def hearing_schedule(*, actor: User, proceeding: Proceeding, scheduled_at: dt.datetime, purpose: str = "",
                     location: str = "") -> Hearing:
    if proceeding.status == Proceeding.Status.CLOSED:
        raise field_error("proceeding", "This proceeding is closed.")
    hearing = Hearing(proceeding=proceeding, scheduled_at=scheduled_at, purpose=purpose, location=location)
    return create_on_case(actor=actor, case=proceeding.case, obj=hearing, action="hearing.scheduled",
                          checks=_check_hearing)


def hearing_update(*, actor: User, hearing: Hearing, version: int, **changes: Any) -> Hearing:
    return update_versioned(actor=actor, obj=hearing, case_of=lambda h: h.proceeding.case, version=version,
                            changes=changes, action="hearing.updated", checks=_check_hearing)
