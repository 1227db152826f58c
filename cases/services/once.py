"""Once-only writes: a staff form's one-time token, or an API client's Idempotency-Key, makes a
double tap, a resend after a timeout or a retried request change the record once.

The token is claimed in the same transaction as the change it guards, so a refused change releases
it (the corrected form can go), and a concurrent twin waits on the token's primary key until the
first commits (then it is a replay and gets the first one's result) or rolls back (then it goes
ahead). Tokens belong to the user who sent them and are forgotten after two days
(cases.tasks.forget_used_form_tokens)."""
import uuid
from collections.abc import Callable
from typing import TypeVar

from django.apps import apps
from django.db import IntegrityError, models, transaction

from accounts.models import User

from ..models import UsedFormToken
from ._base import field_error

T = TypeVar("T")

KEY_FIELD = "Idempotency-Key"


def parse_key(raw: str | None) -> uuid.UUID | None:
    """An Idempotency-Key header as a UUID; None when absent; a 400 on the header when malformed."""
    if raw is None:
        return None
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise field_error(KEY_FIELD, "Send a UUID, or no Idempotency-Key header.") from None


def run_once(*, actor: User, token: uuid.UUID | None, work: Callable[[], T]) -> tuple[T | models.Model | None, bool]:
    """Run `work` unless an earlier call with this token did. Returns what `work` returned and True;
    on a replay, what the first call created (a model row, or None for a change that created
    nothing) and False."""
    if token is None:
        return work(), True
    with transaction.atomic():
        try:
            with transaction.atomic():
                UsedFormToken.objects.create(token=token, user=actor)
        except IntegrityError:
            return _first_result(actor, token), False
        result = work()
        if isinstance(result, models.Model):
            UsedFormToken.objects.filter(pk=token).update(subject_type=result._meta.label_lower,
                                                           subject_id=result.pk)
        return result, True


def _first_result(actor: User, token: uuid.UUID) -> models.Model | None:
    used = UsedFormToken.objects.filter(pk=token).first()
    if used is None or used.user_id != actor.pk:
        # Another user's token: say nothing about what it made.
        raise field_error(KEY_FIELD, "This key was already used; make a new one for each request.")
    if not used.subject_type:
        return None
    return apps.get_model(used.subject_type).objects.filter(pk=used.subject_id).first()


def replayed_as(result: models.Model | None, model: type[models.Model]) -> models.Model:
    """The first call's row, when it is what this endpoint makes; a key reused for another kind of
    request is refused."""
    if not isinstance(result, model):
        raise field_error(KEY_FIELD, "This key was already used for another request; make a new one for each.")
    return result
