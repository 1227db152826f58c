"""Actions: creation from cases, edits, publishing, closing, winning, pausing, sharing, tallies.

Each change locks the action row, checks the actor's object permission, validates and saves in
one transaction. The letter templates are checked against the live, consent-filtered facts every
time they are saved: a template may not name a fact no consenting family supports.
"""
import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Organization, OrganizationGroup, User
from accounts.roles import (
    ACTION_SHARE_PERMS, ACTION_SHARE_RECIPIENT_ROLES, CAN_CREATE_ACTIONS, CHANGE_ACTION, VIEW,
)
from accounts.selectors import has_role_in
from cases.models import Case, ConsentLevel
from cases.permissions import cases_with_perm
from cases.services import advocacy_link_record

from ..letters.render import check_template, facts_for
from ..models import (
    Action, ActionCase, ActionShare, ActionStatus, DecisionMaker, Language, Letter, NoticeKind, Tally, TallyKind,
)
from ..permissions import grant_owner_perms, require_action_perm, set_group_perms, set_user_perms

# What an organizer may set on an action (everything else is derived or a transition).
EDITABLE = (
    "title", "slug", "intro", "letter_subject", "letter_body", "title_es", "intro_es", "letter_subject_es",
    "letter_body_es", "languages", "supporter_editing", "target_senators", "target_representative",
    "target_case_officials", "goal", "goal_counts_pledges", "collects_handwritten", "deadline",
)
FINAL = (ActionStatus.CLOSED, ActionStatus.WON)


def _error(field: str, message: str, code: str = "invalid") -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _visible_cases(actor: User, cases: list[Case]) -> list[Case]:
    """The cases, if the actor may see every one; otherwise the same answer as for ids that do not
    exist (a hidden family is never confirmed)."""
    if not cases:
        raise _error("cases", _("Choose at least one family."), "required")
    ids = {c.pk for c in cases}
    visible = set(cases_with_perm(actor, VIEW, Case.objects.filter(pk__in=ids)).values_list("pk", flat=True))
    if visible != ids:
        raise _error("cases", _("One or more of these cases do not exist."), "does_not_exist")
    return sorted(cases, key=lambda c: c.pk)


def _clean(action: Action, *, has_fixed_targets: bool) -> None:
    langs = action.languages
    if not isinstance(langs, list) or not langs or Language.EN not in langs or not set(langs) <= set(Language.values):
        raise _error("languages", _('Offer the action in English ("en"), and optionally Spanish ("es").'))
    action.languages = [lang for lang in Language.values if lang in langs]
    action.full_clean(exclude=["organization", "created_by"], validate_constraints=False)
    if action.deadline and action.deadline <= timezone.now() and action.status not in FINAL:
        raise _error("deadline", _("The deadline must be in the future."))
    if not (action.target_senators or action.target_representative or action.target_case_officials
            or has_fixed_targets):
        raise _error("targets", _("Choose who the letters go to."), "required")


def _check_fixed_targets(organization_id: int, fixed_targets: list[DecisionMaker]) -> None:
    """An action writes to the shared directory and to its own organisation's entries only."""
    from .decision_makers import usable_by

    usable = set(DecisionMaker.objects.filter(usable_by(organization_id), pk__in=[dm.pk for dm in fixed_targets])
                 .values_list("pk", flat=True))
    if any(dm.pk not in usable for dm in fixed_targets):
        raise _error("fixed_targets", _("One or more of these decision makers do not exist."), "does_not_exist")


def _unique_slug(title: str) -> str:
    base = slugify(title)[:70] or "action"
    slug, n = base, 1
    while Action.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _check_letters(action: Action, case_ids: list[int], *, strict: bool = True) -> None:
    """Texts refer only to known fields; a published action (and one being published) also to
    facts available now, while a draft may wait for them (the builder warns)."""
    check_template(action=action, facts=facts_for(action, case_ids), strict=strict)


def _created_with(organization: Organization, request_token: uuid.UUID | None) -> Action | None:
    if request_token is None:
        return None
    return Action.objects.filter(organization=organization, request_token=request_token).first()


def action_create(
    *, actor: User, organization: Organization, cases: list[Case], fixed_targets: list[DecisionMaker] | None = None,
    request_token: uuid.UUID | None = None, **fields: Any,
) -> Action:
    """Create a draft. With a `request_token` (the builder form's one-time token), a second call
    with the same token - a double submit, even one racing the first - returns the first action."""
    if not has_role_in(user=actor, organization=organization, roles=CAN_CREATE_ACTIONS):
        raise PermissionDenied(_("Only the organisation's admins, advocates and organizers may create actions."))
    existing = _created_with(organization, request_token)
    if existing is not None:
        return existing
    cases = _visible_cases(actor, cases)
    fields.setdefault("languages", [Language.EN])
    if not fields.get("slug"):
        fields["slug"] = _unique_slug(fields.get("title", ""))
    action = Action(organization=organization, created_by=actor, request_token=request_token, **fields)
    _check_fixed_targets(organization.pk, fixed_targets or [])
    try:
        # A savepoint: a racing submit of the same form fails on one_action_per_request_token
        # once the first commits, and the caller's transaction (if any) stays usable to find it.
        with transaction.atomic():
            _clean(action, has_fixed_targets=bool(fixed_targets))
            _check_letters(action, [c.pk for c in cases], strict=False)
            action.save()
            action.fixed_targets.set(fixed_targets or [])
            ActionCase.objects.bulk_create([ActionCase(action=action, case=c, added_by=actor) for c in cases])
            grant_owner_perms(action)
            for case in cases:
                advocacy_link_record(actor=actor, case=case, action_id=action.pk, linked=True)
    except IntegrityError:
        existing = _created_with(organization, request_token)
        if existing is None:
            raise
        return existing
    return action


def _locked(action: Action) -> Action:
    return Action.objects.select_for_update(of=("self",)).select_related("organization").get(pk=action.pk)


def action_update(
    *, actor: User, action: Action, version: int, cases: list[Case] | None = None,
    fixed_targets: list[DecisionMaker] | None = None, **changes: Any,
) -> Action:
    from cases.services import StaleVersion

    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise _error(sorted(unknown)[0], _("This field cannot be changed here."))
    with transaction.atomic():
        locked = _locked(action)
        require_action_perm(actor, CHANGE_ACTION, locked)
        if locked.version != version:
            raise StaleVersion()
        if locked.status in FINAL:
            raise _error("status", _("This action has ended; it can no longer be changed."))
        for name, value in changes.items():
            setattr(locked, name, value)
        current_ids = _linked_ids(locked)
        added: list[Case] = []
        removed: list[int] = []
        if cases is not None:
            added = [c for c in cases if c.pk not in current_ids]
            if added:
                _visible_cases(actor, added)
            # A family the editor cannot see (a partner's edit) stays linked: they cannot name it,
            # so a partner who sees none of the families sends none and keeps them all.
            seen = set(cases_with_perm(actor, VIEW, Case.objects.filter(pk__in=current_ids)).values_list("pk", flat=True))
            new_ids = {c.pk for c in cases} | {pk for pk in current_ids if pk not in seen}
            if not new_ids:
                raise _error("cases", _("Choose at least one family."), "required")
            removed = [pk for pk in current_ids if pk not in new_ids]
            current_ids = sorted(new_ids)
        if fixed_targets is not None:
            _check_fixed_targets(locked.organization_id, fixed_targets)
            locked.fixed_targets.set(fixed_targets)
        _clean(locked, has_fixed_targets=locked.fixed_targets.exists())
        if locked.status == ActionStatus.PUBLISHED:
            _require_consent(actor, current_ids)
        _check_letters(locked, current_ids, strict=locked.status != ActionStatus.DRAFT)
        locked.version += 1
        locked.save()
        if removed:
            ActionCase.objects.filter(action=locked, case_id__in=removed).delete()
        ActionCase.objects.bulk_create([ActionCase(action=locked, case=c, added_by=actor) for c in added])
        for case in added:
            advocacy_link_record(actor=actor, case=case, action_id=locked.pk, linked=True)
        for case in Case.objects.filter(pk__in=removed):
            advocacy_link_record(actor=actor, case=case, action_id=locked.pk, linked=False)
    return locked


def _require_consent(actor: User, case_ids: list[int]) -> None:
    """Every linked family has consented to at least anonymous facts."""
    lacking = list(Case.objects.filter(pk__in=case_ids, consent_level=ConsentLevel.NONE).values_list("pk", flat=True))
    if not lacking:
        return
    # Name only the families the actor can see; a partner organisation learns a count, not references.
    named = sorted(cases_with_perm(actor, VIEW, Case.objects.filter(pk__in=lacking)).values_list("reference", flat=True))
    message = ngettext("%(count)d linked family has not consented to advocacy use.",
                       "%(count)d linked families have not consented to advocacy use.", len(lacking)) % {
        "count": len(lacking)}
    if named:
        message += " " + _("Record their consent or remove them: %(refs)s.") % {"refs": ", ".join(named)}
    raise _error("cases", message, "consent_missing")


def _transition(*, actor: User, action: Action, check: Callable[[Action], None], **changes: Any) -> Action:
    """Lock, check the actor's change right and the transition's own rule, apply, save."""
    with transaction.atomic():
        locked = _locked(action)
        require_action_perm(actor, CHANGE_ACTION, locked)
        check(locked)
        for name, value in changes.items():
            setattr(locked, name, value(locked) if callable(value) else value)
        locked.version += 1
        locked.save()
    return locked


def _linked_ids(action: Action) -> list[int]:
    return list(ActionCase.objects.filter(action=action).values_list("case_id", flat=True))


def action_publish(*, actor: User, action: Action) -> Action:
    def check(locked: Action) -> None:
        if locked.status != ActionStatus.DRAFT:
            raise _error("status", _("Only a draft can be published."))
        case_ids = _linked_ids(locked)
        _require_consent(actor, case_ids)
        _clean(locked, has_fixed_targets=locked.fixed_targets.exists())
        _check_letters(locked, case_ids)

    return _transition(actor=actor, action=action, check=check, status=ActionStatus.PUBLISHED,
                       published_at=timezone.now())


def action_close(*, actor: User, action: Action) -> Action:
    def check(locked: Action) -> None:
        if locked.status not in (ActionStatus.DRAFT, ActionStatus.PUBLISHED):
            raise _error("status", _("This action has already ended."))

    return _transition(actor=actor, action=action, check=check, status=ActionStatus.CLOSED, closed_at=timezone.now())


def action_reopen(*, actor: User, action: Action) -> Action:
    """Open a closed action's page again, before its deadline (an organizer who closed it too
    soon, or by mistake). What publishing checks is checked again: the families' consent and the
    facts may have changed while it was closed."""
    def check(locked: Action) -> None:
        if locked.status != ActionStatus.CLOSED:
            raise _error("status", _("Only a closed action can be reopened."))
        if locked.deadline and locked.deadline <= timezone.now():
            raise _error("deadline", _("The deadline has passed: this action cannot be reopened."))
        case_ids = _linked_ids(locked)
        _require_consent(actor, case_ids)
        _check_letters(locked, case_ids)

    return _transition(actor=actor, action=action, check=check, status=ActionStatus.PUBLISHED, closed_at=None)


def action_mark_won(*, actor: User, action: Action) -> Action:
    """The organizer's call: offered when every family is released or reunited, never automatic
    (a release can be reversed, and only people close to the families know it is a win)."""
    def check(locked: Action) -> None:
        if locked.status not in (ActionStatus.PUBLISHED, ActionStatus.CLOSED):
            raise _error("status", _("Only a published or closed action can be marked won."))

    now = timezone.now()
    return _transition(actor=actor, action=action, check=check, status=ActionStatus.WON,
                       closed_at=lambda locked: locked.closed_at or now)


def action_resume(*, actor: User, action: Action) -> Action:
    """Lift a pause once the letter no longer needs a fact that lost its consenting families; the
    letters that waited go out with the facts as they stand."""
    def check(locked: Action) -> None:
        if not locked.paused_reason:
            raise _error("status", _("This action is not paused."))
        _check_letters(locked, _linked_ids(locked))

    resumed = _transition(actor=actor, action=action, check=check, paused_reason="")
    from ..tasks import deliver_action_pending, try_enqueue

    # With the broker away, the sweep finds the waiting letters (no longer held by the pause).
    transaction.on_commit(lambda: try_enqueue(deliver_action_pending, resumed.pk))
    return resumed


def action_pause(*, action_id: int, reason: str) -> bool:
    """The system's hold, when a letter could not be rendered. Returns True for the first pause
    (whoever pauses first notifies the organizer; a conditional update decides who)."""
    from . import notify

    with transaction.atomic():  # the organizer's notice is written with the pause
        paused = Action.objects.filter(pk=action_id, paused_reason="").update(paused_reason=reason[:300])
        if paused:
            notify.queue(action_id, NoticeKind.PAUSED)
    return paused == 1


def close_due_actions(*, now: dt.datetime | None = None) -> int:
    """Published actions whose deadline has passed close (beat, every minute)."""
    now = now or timezone.now()
    return Action.objects.filter(status=ActionStatus.PUBLISHED, deadline__lte=now).update(
        status=ActionStatus.CLOSED, closed_at=now, updated_at=now
    )


def suggest_won_actions() -> list[int]:
    """Published or closed actions whose every family is now released or reunited, not yet
    offered to their organizer as won (a notice, written with the offer). Returns the ids newly
    offered (each offered once)."""
    from cases.facts import all_out_of_custody

    from . import notify

    offered = []
    for action in Action.objects.filter(status__in=(ActionStatus.PUBLISHED, ActionStatus.CLOSED),
                                        won_suggested_at__isnull=True):
        if not all_out_of_custody(case_ids=_linked_ids(action)):
            continue
        with transaction.atomic():
            if Action.objects.filter(pk=action.pk, won_suggested_at__isnull=True).update(won_suggested_at=timezone.now()):
                notify.queue(action.pk, NoticeKind.WON)
                offered.append(action.pk)
    return offered


# --- Sharing with coalition partners ----------------------------------------------------------

def _require_owner_staff(actor: User, action: Action) -> None:
    # Only the running organisation's own staff share; a partner never passes the action on.
    if not has_role_in(user=actor, organization=action.organization, roles=CAN_CREATE_ACTIONS):
        raise PermissionDenied(_("Only the organisation running this action may share it."))


def action_share_create(
    *, actor: User, action: Action, access: str, user: User | None = None, organization: Organization | None = None,
) -> ActionShare:
    if (user is None) == (organization is None):
        raise _error("grantee", _("Share with either a user or an organisation."))
    if access not in ACTION_SHARE_PERMS:
        raise _error("access", _("Choose 'view' or 'change'."), "invalid_choice")
    if organization is not None and organization.pk == action.organization_id:
        raise _error("organization", _("The action already belongs to this organisation."))
    with transaction.atomic():
        locked = _locked(action)
        require_action_perm(actor, CHANGE_ACTION, locked)
        _require_owner_staff(actor, locked)
        share = ActionShare.objects.select_for_update().filter(
            action=locked, revoked_at__isnull=True, user=user, organization=organization
        ).first() or ActionShare(action=locked, user=user, organization=organization, created_by=actor)
        share.access = access
        share.save()
        codes = ACTION_SHARE_PERMS[access]
        if user is not None:
            set_user_perms(locked, user, codes)
        else:
            set_group_perms(locked, _recipient_groups(organization.pk), codes)
    return share


def _recipient_groups(organization_id: int) -> list[int]:
    return list(OrganizationGroup.objects.filter(organization_id=organization_id, role__in=ACTION_SHARE_RECIPIENT_ROLES)
                .values_list("group_id", flat=True))


def action_share_revoke(*, actor: User, share: ActionShare) -> ActionShare:
    with transaction.atomic():
        share = ActionShare.objects.select_for_update(of=("self",)).select_related("action__organization").get(
            pk=share.pk)
        require_action_perm(actor, CHANGE_ACTION, share.action)
        _require_owner_staff(actor, share.action)
        if share.revoked_at:
            return share
        share.revoked_at = timezone.now()
        share.save(update_fields=["revoked_at"])
        if share.user_id:
            set_user_perms(share.action, share.user, ())
        else:
            set_group_perms(share.action, _recipient_groups(share.organization_id), ())
    return share


# --- Tallies ------------------------------------------------------------------------------------

def tally_record(*, actor: User, action: Action, kind: str, count: int, note: str = "",
                 received_on: dt.date | None = None, received_from: str = "") -> Tally:
    """Pledges and offline letters, recorded by hand. A negative count corrects an earlier entry;
    a total never goes below zero. A batch of handwritten letters says when it was received and
    from whom."""
    if kind not in TallyKind.values:
        raise _error("kind", _("Choose pledges or offline letters."), "invalid_choice")
    if not count:
        raise _error("count", _("Enter a number other than zero."))
    if received_on and received_on > timezone.localdate():
        raise _error("received_on", _("Letters cannot have been received in the future."), "future")
    with transaction.atomic():
        locked = _locked(action)
        require_action_perm(actor, CHANGE_ACTION, locked)
        total = Tally.objects.filter(action=locked, kind=kind).aggregate(n=Sum("count"))["n"] or 0
        if total + count < 0:
            raise _error("count", _("That would bring the total below zero (it is %(total)d).") % {"total": total})
        tally = Tally(action=locked, kind=kind, count=count, note=note, recorded_by=actor, received_on=received_on,
                      received_from=received_from.strip())
        tally.full_clean(exclude=["action", "recorded_by"])
        tally.save()
    return tally


# What a letter sent again starts from: a fresh round of attempts, nothing claimed or told yet.
_SENT_AGAIN = {"attempts": 0, "next_attempt_at": None, "committed_at": None, "failure_notified_at": None,
               "enqueued_at": None}


def _send_again(ids: list[int]) -> None:
    from ..models import LetterStatus
    from ..tasks import enqueue_letters

    Letter.objects.filter(pk__in=ids).update(status=LetterStatus.QUEUED, updated_at=timezone.now(), **_SENT_AGAIN)
    transaction.on_commit(lambda: enqueue_letters(ids))


def letter_retry(*, actor: User, letter: Letter) -> Letter:
    """Give a failed letter another round of attempts (after the organizer fixed its cause), or
    send an unconfirmed one again (the organizer checked that the office did not get it)."""
    from ..models import LetterStatus

    with transaction.atomic():
        locked = Letter.objects.select_for_update(of=("self",)).select_related("action").get(pk=letter.pk)
        require_action_perm(actor, CHANGE_ACTION, locked.action)
        if locked.status not in (LetterStatus.FAILED, LetterStatus.UNCONFIRMED):
            raise _error("status", _("Only a failed or unconfirmed letter can be sent again."))
        _send_again([locked.pk])
    locked.refresh_from_db()
    return locked


def letters_retry(*, actor: User, action: Action, decision_maker_id: int, status: str) -> int:
    """Send again every letter of `action` to one decision maker that is in `status` (failed, or
    unconfirmed once the office said they did not arrive); return how many. Letters no longer in
    that status (sent again already, by a double click or by a colleague) are left alone."""
    from ..models import LetterStatus

    if status not in (LetterStatus.FAILED, LetterStatus.UNCONFIRMED):
        raise _error("status", _("Only failed or unconfirmed letters can be sent again."))
    with transaction.atomic():
        require_action_perm(actor, CHANGE_ACTION, action)
        ids = list(Letter.objects.select_for_update(of=("self",)).filter(
            action=action, decision_maker_id=decision_maker_id, status=status).order_by("pk").values_list("pk", flat=True))
        if ids:
            _send_again(ids)
    return len(ids)
