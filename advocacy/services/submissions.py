"""A supporter acts: one submission per supporter per action, one letter per submission per
decision maker. The public form's hot path: one upsert, one insert of the letters, one update of
letters that no longer apply, and one task enqueued after the commit."""
import secrets
from dataclasses import asdict, dataclass

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


def new_referral_code() -> str:
    return secrets.token_urlsafe(6)  # 8 characters; a collision fails the insert, never merges two people


UPDATED_ON_RESUBMIT = (
    "email", "prefix", "first_name", "last_name", "street", "city", "state", "zip_code", "district", "phone",
    "note", "edited_body", "language", "updated_at",
)


def submit(*, action: Action, data: SupporterInput, targets: list[DecisionMaker] | None = None) -> Submitted:
    """Record (or update) the supporter's submission and queue one letter per decision maker.

    A second submission by the same email updates the row; letters already created stay (they
    are rendered from the submission when sent, so a corrected note still makes it into letters not
    yet sent), and letters to decision makers the new address no longer reaches are cancelled.
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
    fields["district"] = data.district
    now = timezone.now()
    row = Submission(action=action, referral_code=new_referral_code(), created_at=now, updated_at=now, **fields)
    with transaction.atomic():
        # INSERT ... ON CONFLICT (action, email_key) DO UPDATE: a double submit, even two at once,
        # leaves one row; the referral code and creation time of the first one are kept.
        (submission,) = Submission.objects.bulk_create(
            [row], update_conflicts=True, unique_fields=["action", "email_key"], update_fields=UPDATED_ON_RESUBMIT,
        )
        Letter.objects.bulk_create(
            [Letter(action=action, submission_id=submission.pk, decision_maker=dm, channel=choose_channel(dm),
                    language=data.language) for dm in targets],
            ignore_conflicts=True,  # one letter per submission and decision maker, whatever was sent before
        )
        Letter.objects.filter(submission_id=submission.pk, status__in=(LetterStatus.QUEUED, LetterStatus.RENDERED)) \
            .exclude(decision_maker__in=[dm.pk for dm in targets]).update(status=LetterStatus.CANCELLED)
        # The row holds the first submission's referral code and time, not this attempt's.
        submission.refresh_from_db(fields=["referral_code", "created_at"])
        from ..tasks import deliver_submission

        deliver_submission.delay_on_commit(submission.pk)
    return Submitted(submission=submission, targets=targets)
