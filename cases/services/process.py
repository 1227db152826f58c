"""Sponsors, credible-fear processes, proceedings and hearings."""
import datetime as dt
from typing import Any

from django.db import transaction

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


def _check_process(p: CredibleFearProcess) -> None:
    if p.outcome != CredibleFearProcess.Outcome.PENDING and not p.decided_on:
        raise field_error("decided_on", "Give the date of the decision.", "required")
    if p.decided_on and p.interview_on and p.decided_on < p.interview_on:
        raise field_error("decided_on", "The decision cannot precede the interview.")


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


def ij_review_request(*, actor: User, process: CredibleFearProcess, requested_on: dt.date) -> CredibleFearProcess:
    def allowed(p: CredibleFearProcess) -> None:
        if p.outcome != CredibleFearProcess.Outcome.NEGATIVE:
            raise field_error("outcome", "Only a negative finding can go to an immigration judge.")
        if p.review:
            raise field_error("review", "Review was already requested.")
        if p.decided_on and requested_on < p.decided_on:
            raise field_error("requested_on", "The request cannot precede the decision.")

    return _transition(actor=actor, process=process, action="credible_fear.review_requested",
                       changes={"review": CredibleFearProcess.Review.REQUESTED, "review_requested_on": requested_on},
                       allowed=allowed)


def ij_review_record(*, actor: User, process: CredibleFearProcess, result: str, decided_on: dt.date) -> CredibleFearProcess:
    if result not in (CredibleFearProcess.Review.AFFIRMED, CredibleFearProcess.Review.VACATED):
        raise field_error("result", "Record 'affirmed' or 'vacated'.", "invalid_choice")

    def allowed(p: CredibleFearProcess) -> None:
        if p.review != CredibleFearProcess.Review.REQUESTED:
            raise field_error("result", "No immigration-judge review is pending.")

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


def hearing_schedule(*, actor: User, proceeding: Proceeding, scheduled_at: dt.datetime, purpose: str = "",
                     location: str = "") -> Hearing:
    if proceeding.status == Proceeding.Status.CLOSED:
        raise field_error("proceeding", "This proceeding is closed.")
    hearing = Hearing(proceeding=proceeding, scheduled_at=scheduled_at, purpose=purpose, location=location)
    return create_on_case(actor=actor, case=proceeding.case, obj=hearing, action="hearing.scheduled")


def hearing_update(*, actor: User, hearing: Hearing, version: int, **changes: Any) -> Hearing:
    return update_versioned(actor=actor, obj=hearing, case_of=lambda h: h.proceeding.case, version=version,
                            changes=changes, action="hearing.updated")
