"""A supporter acts: one submission per supporter per action, one letter per submission per
decision maker. The public form's hot path: one upsert, one insert of the letters, one update of
letters that no longer apply, and one task enqueued after the commit."""
import base64
import datetime as dt
import hashlib
import hmac
from dataclasses import asdict, dataclass

from django.conf import settings

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Action, ActionStatus, DecisionMaker, Letter, LetterStatus, Submission
from ..targets import action_targets
from .channels import choose_channel


@dataclass(frozen=True)
class SupporterInput:
    """What the public form validated (shapes only; the rules are here)."""

    prefix: str
    first_name: str
    last_name: str
    email: str
    street: str
    city: str
    state: str
    zip_code: str
    district: int | None = None
    phone: str = ""
    note: str = ""
    edited_body: str = ""
    language: str = "en"
    referred_by: str = ""


@dataclass(frozen=True)
class Submitted:
    submission: Submission
    targets: list[DecisionMaker]


def action_accepts_letters(action: Action) -> bool:
    return action.status == ActionStatus.PUBLISHED and not (action.deadline and action.deadline <= timezone.now())


def referral_code(action_id: int, email_key: str) -> str:
    """The supporter's own code for share links: derived (keyed HMAC), so a second submission by
    the same supporter carries the same code without a query, and it reveals nothing of them."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"referral:{action_id}:{email_key}".encode(), hashlib.sha256)
    return base64.b32encode(digest.digest()).decode()[:16].lower()  # 80 bits: no collision in practice


UPDATED_ON_RESUBMIT = (
    "email", "prefix", "first_name", "last_name", "street", "city", "state", "zip_code", "district", "phone",
    "note", "edited_body", "language", "updated_at", "letters_made_at",
)


def submit(*, action: Action, data: SupporterInput, targets: list[DecisionMaker] | None = None) -> Submitted:
    """Record (or update) the supporter's submission; its letters are created and sent by the
    delivery task enqueued after the commit (letters_for_submission), off the supporter's request.

    A second submission by the same email updates the row: letters already created stay (they are
    rendered from the submission when sent, so a corrected note still reaches letters not yet
    sent), and those to decision makers the new address no longer reaches are cancelled.
    `targets`: the decision makers for this address when the caller has just looked them up
    (action_targets, as the public form does to show them); otherwise they are looked up here.
    """
    if not action_accepts_letters(action):
        raise ValidationError(_("This action is no longer taking letters."), code="closed")
    if targets is None:
        _congress, targets = action_targets(action, zip_code=data.zip_code, state=data.state, district=data.district)
    if not targets:
        raise ValidationError({"zip_code": _("We could not find anyone to send your letter to from this address.")},
                              code="no_targets")
    fields = asdict(data)
    fields["email_key"] = data.email.strip().lower()
    now = timezone.now()
    row = Submission(action=action, referral_code=referral_code(action.pk, fields["email_key"]), created_at=now,
                     updated_at=now, **fields)
    # INSERT ... ON CONFLICT (action, email_key) DO UPDATE: a double submit, even two at once, leaves
    # one row (its creation time is the first submission's). One statement, atomic on its own: no
    # transaction around it, so no BEGIN and COMMIT round trips on the public form's hot path.
    (submission,) = Submission.objects.bulk_create(
        [row], update_conflicts=True, unique_fields=["action", "email_key"], update_fields=UPDATED_ON_RESUBMIT,
    )
    from ..tasks import deliver_submission

    # Now if the row is committed already; after the commit when a caller's transaction holds it.
    deliver_submission.delay_on_commit(submission.pk)
    return Submitted(submission=submission, targets=targets)


def submissions_without_letters(*, grace_seconds: int, limit: int = 5000) -> list[int]:
    """Submissions whose delivery task never ran (a message lost on the way): the sweep's other half."""
    cutoff = timezone.now() - dt.timedelta(seconds=grace_seconds)
    ids = list(Submission.objects.filter(letters_made_at__isnull=True, updated_at__lt=cutoff)
               .order_by("updated_at").values_list("pk", flat=True)[:limit])
    if ids:  # touched, so the next sweep waits another grace period
        Submission.objects.filter(pk__in=ids, letters_made_at__isnull=True).update(updated_at=timezone.now())
    return ids


def letters_for_submission(submission_id: int) -> list[int]:
    """One letter per decision maker the submission's address reaches (created once, whatever
    was sent before); pending letters to anyone it no longer reaches are cancelled. Returns the
    letters still to deliver. Run by the delivery task; safe to run again."""
    submission = Submission.objects.select_related("action__organization").get(pk=submission_id)
    read_at = submission.updated_at
    try:
        _congress, targets = action_targets(submission.action, zip_code=submission.zip_code, state=submission.state,
                                            district=submission.district)
    except ValidationError:
        # The crosswalk changed since the supporter was told their targets: keep what exists.
        targets = None
    with transaction.atomic():
        if targets is not None:
            Letter.objects.bulk_create(
                [Letter(action_id=submission.action_id, submission_id=submission.pk, decision_maker=dm,
                        channel=choose_channel(dm), language=submission.language) for dm in targets],
                ignore_conflicts=True,  # one letter per submission and decision maker (a constraint)
            )
            Letter.objects.filter(submission_id=submission.pk, status__in=(LetterStatus.QUEUED, LetterStatus.RENDERED)) \
                .exclude(decision_maker__in=[dm.pk for dm in targets]).update(status=LetterStatus.CANCELLED)
        # Done for this version of the submission only: a resubmission since then runs this again.
        Submission.objects.filter(pk=submission.pk, updated_at=read_at).update(letters_made_at=timezone.now())
        return list(Letter.objects.filter(submission_id=submission.pk, status__in=(LetterStatus.QUEUED,
                                                                                   LetterStatus.RENDERED))
                    .order_by("pk").values_list("pk", flat=True))
