"""A supporter acts: one submission per supporter per action, one letter per submission per
decision maker.

The public form's hot path is one statement: INSERT ... ON CONFLICT DO NOTHING. A second
submission with the same email changes the first only when it proves it comes from the same
supporter (the owner token their browser got the first time); otherwise nothing is changed and the
answer is the same as for a new supporter, so an address typed by someone else neither overwrites
a supporter's letter nor reveals that they signed. The letters are made by the delivery task
enqueued after the commit (letters_for_submission), off the supporter's request."""
import base64
import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import asdict, dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Action, ActionStatus, DecisionMaker, Letter, LetterStatus, NoticeKind, Submission
from ..targets import action_targets
from . import notify
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
    # "created", "updated" (the same supporter, proven by their token) or "unchanged" (someone
    # without the token used an email that already signed): the caller answers all three alike.
    outcome: str
    submission_id: int | None
    targets: list[DecisionMaker]
    owner_token: str  # for the supporter's browser: the proof that lets them change it later
    referral_code: str


def action_accepts_letters(action: Action) -> bool:
    return action.status == ActionStatus.PUBLISHED and not (action.deadline and action.deadline <= timezone.now())


def referral_code(action_id: int, email_key: str) -> str:
    """The supporter's own code for share links: derived (keyed HMAC), so a second submission by
    the same supporter carries the same code without a query, and it reveals nothing of them."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"referral:{action_id}:{email_key}".encode(), hashlib.sha256)
    return base64.b32encode(digest.digest()).decode()[:16].lower()  # 80 bits: no collision in practice


def owner_key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


UPDATED_ON_RESUBMIT = (
    "email", "prefix", "first_name", "last_name", "street", "city", "state", "zip_code", "district", "phone",
    "note", "edited_body", "language",
)


def _insert_if_new(row: Submission) -> int | None:
    """INSERT ... ON CONFLICT (action, email) DO NOTHING RETURNING id: the new row's id, or None
    when this email already signed. One statement, atomic on its own (so no transaction around it);
    written out because Django's bulk_create cannot tell an insert from a conflict."""
    meta = Submission._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    qn = connection.ops.quote_name
    values = [f.get_db_prep_save(f.pre_save(row, add=True), connection) for f in fields]
    sql = (f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))}) "
           f"ON CONFLICT ({qn('action_id')}, {qn('email_key')}) DO NOTHING RETURNING {qn(meta.pk.column)}")
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        found = cursor.fetchone()
    return found[0] if found else None


def submit(*, action: Action, data: SupporterInput, targets: list[DecisionMaker] | None = None,
           owner_token: str | None = None) -> Submitted:
    """Record the supporter's submission, or update theirs when `owner_token` proves it is theirs.

    An update keeps the letters already made (they are rendered from the submission when sent, so
    a corrected note reaches those not yet sent); the delivery task then cancels pending letters to
    offices the new address no longer reaches. `targets`: the decision makers for this address when
    the caller has just looked them up (the public form does, to show them).
    """
    if not action_accepts_letters(action):
        raise ValidationError(_("This action is no longer taking letters."), code="closed")
    if targets is None:
        _congress, targets = action_targets(action, zip_code=data.zip_code, state=data.state, district=data.district)
    if not targets:
        raise ValidationError({"zip_code": _("We could not find anyone to send your letter to from this address.")},
                              code="no_targets")
    fields = asdict(data)
    email_key = data.email.strip().lower()
    code = referral_code(action.pk, email_key)
    from ..tasks import enqueue_submission

    now = timezone.now()
    if owner_token:
        mine = Submission.objects.filter(action=action, email_key=email_key, owner_key=owner_key(owner_token))
        pk = mine.values_list("pk", flat=True).first()
        if pk is not None:
            with transaction.atomic():
                mine.update(**{f: fields[f] for f in UPDATED_ON_RESUBMIT}, updated_at=now, letters_made_at=None,
                            enqueued_at=now)
                notify.queue(action.pk, NoticeKind.SUPPORTER, submission_id=pk)  # their letters may go elsewhere now
                transaction.on_commit(lambda: enqueue_submission(pk))
            return Submitted("updated", pk, targets, owner_token, code)
    token = secrets.token_urlsafe(24)
    row = Submission(action=action, email_key=email_key, referral_code=code, owner_key=owner_key(token),
                     created_at=now, updated_at=now, enqueued_at=now, **fields)
    with transaction.atomic():  # the submission and the supporter's email, or neither
        pk = _insert_if_new(row)
        if pk is not None:
            notify.queue(action.pk, NoticeKind.SUPPORTER, submission_id=pk)
    if pk is None:
        return Submitted("unchanged", None, targets, token, code)
    # Now if the row is committed already; after the commit when a caller's transaction holds it.
    # The submission is stored either way: with the broker away, the sweep sends it later.
    transaction.on_commit(lambda: enqueue_submission(pk))
    return Submitted("created", pk, targets, token, code)


def submissions_without_letters(*, grace_seconds: int, requeue_seconds: int, limit: int = 5000) -> list[int]:
    """Submissions whose delivery task never ran: never sent to the broker (it was away) and older
    than the grace period, or sent there longer ago than the broker takes to hand a message out
    again (it was lost). Marked enqueued now, in the same transaction, so a second sweep running
    at once takes none of them: the sweep's other half."""
    now = timezone.now()
    never = Q(enqueued_at__isnull=True, updated_at__lt=now - dt.timedelta(seconds=grace_seconds))
    lost = Q(enqueued_at__lt=now - dt.timedelta(seconds=requeue_seconds))
    with transaction.atomic():
        ids = list(Submission.objects.filter(never | lost, letters_made_at__isnull=True)
                   .select_for_update(skip_locked=True).order_by("updated_at").values_list("pk", flat=True)[:limit])
        if ids:
            Submission.objects.filter(pk__in=ids).update(enqueued_at=now)
    return ids


def letters_for_submission(submission_id: int) -> list[int]:
    """One letter per decision maker the submission's address reaches (made once, whatever was
    sent before; a letter cancelled by an earlier change of address comes back if the address
    reaches that office again), in the supporter's current language; pending letters to anyone it
    no longer reaches are cancelled. Returns the letters still to deliver. Run by the delivery task;
    safe to run again, and two runs for one submission take turns (the row is locked)."""
    submission = Submission.objects.select_related("action__organization").get(pk=submission_id)
    try:
        _congress, targets = action_targets(submission.action, zip_code=submission.zip_code, state=submission.state,
                                            district=submission.district)
    except ValidationError:
        # The crosswalk changed since the supporter was told their targets: keep what exists.
        targets = None
    pending = (LetterStatus.QUEUED, LetterStatus.RENDERED)
    with transaction.atomic():
        locked = Submission.objects.select_for_update().filter(pk=submission.pk).values_list(
            "updated_at", "language").first()
        if locked is None or locked[0] != submission.updated_at:
            return []  # changed since we read it: the run its change enqueued does the work
        if targets is not None:
            ids = [dm.pk for dm in targets]
            Letter.objects.bulk_create(
                [Letter(action_id=submission.action_id, submission_id=submission.pk, decision_maker=dm,
                        channel=choose_channel(dm), language=submission.language) for dm in targets],
                ignore_conflicts=True,  # one letter per submission and decision maker (a constraint)
            )
            mine = Letter.objects.filter(submission_id=submission.pk)
            mine.filter(status=LetterStatus.CANCELLED, decision_maker__in=ids).update(status=LetterStatus.QUEUED)
            mine.filter(status__in=pending).exclude(decision_maker__in=ids).update(status=LetterStatus.CANCELLED)
            mine.filter(status__in=pending).exclude(language=submission.language).update(language=submission.language)
        Submission.objects.filter(pk=submission.pk).update(letters_made_at=timezone.now())
        return list(Letter.objects.filter(submission_id=submission.pk, status__in=pending).order_by("pk")
                    .values_list("pk", flat=True))
