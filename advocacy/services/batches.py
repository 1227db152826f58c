"""Printable PDF batches: an action's letters to one decision maker, for hand delivery.

Built by a worker in chunks: each chunk of letters is laid out by WeasyPrint and written to its
own file, and the chunks are joined at the end, so memory stays that of one chunk however many
letters the batch holds (docs/performance.md). Progress is saved after every chunk.
"""
import datetime as dt
import tempfile
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import get_template
from django.utils import timezone
from django.utils.translation import gettext as _
from pypdf import PdfWriter

from accounts.models import User
from accounts.roles import CHANGE_ACTION, VIEW_SUPPORTERS

from ..models import Action, BatchStatus, Channel, DecisionMaker, Letter, LetterStatus, PdfBatch
from ..permissions import require_action_perm
from .channels import automatic_channels
from .delivery import claim, release, render_and_store

CHUNK = 50


def require_not_paused(action: Action) -> None:
    """Nothing leaves while an action is paused: its letters name a fact no family consents to."""
    if Action.objects.filter(pk=action.pk).exclude(paused_reason="").exists():
        raise ValidationError({"status": _("This action is paused until its letter no longer uses a fact the "
                                           "families withdrew. Edit the letter and resume it first.")})


def batch_request(*, actor: User, action: Action, decision_maker: DecisionMaker) -> PdfBatch:
    # A batch prints supporters' names and addresses: it needs the supporters right.
    require_action_perm(actor, VIEW_SUPPORTERS, action)
    require_not_paused(action)
    if not Letter.objects.filter(action=action, decision_maker=decision_maker).exists():
        raise ValidationError({"decision_maker": _("This action has no letters to this decision maker.")})
    with transaction.atomic():
        batch = PdfBatch.objects.create(action=action, decision_maker=decision_maker, requested_by=actor)
        from ..tasks import build_pdf_batch, try_enqueue

        # With the broker away the batch waits, queued, for resume_waiting_batches: never a 500.
        transaction.on_commit(lambda: try_enqueue(build_pdf_batch, batch.pk))
    return batch


def waiting_batches(*, now: dt.datetime | None = None) -> QuerySet:
    """Batches to send to a worker again: asked for while the broker was away (still queued after
    WAITING_FOR_A_WORKER), or left building by a worker that died (its lease run out)."""
    from config.celery import WAITING_FOR_A_WORKER

    now = now or timezone.now()
    return PdfBatch.objects.filter(Q(status=BatchStatus.QUEUED, created_at__lt=now - WAITING_FOR_A_WORKER)
                                   | Q(status=BatchStatus.BUILDING, claimed_at__lt=now - _lease()))


def batch_letters(batch: PdfBatch):  # noqa: ANN201
    """The letters a batch prints: those no worker delivers by itself (print, contact form, CWC
    kept for export), still pending."""
    return Letter.objects.filter(status__in=(LetterStatus.QUEUED, LetterStatus.RENDERED), action_id=batch.action_id,
                                 decision_maker_id=batch.decision_maker_id).exclude(channel__in=automatic_channels())


def _lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.LETTER_CLAIM_LEASE_SECONDS)


def _claim_batch(batch_id: int) -> bool:
    now = timezone.now()
    return PdfBatch.objects.filter(
        Q(status=BatchStatus.QUEUED) | Q(status=BatchStatus.BUILDING, claimed_at__lt=now - _lease()), pk=batch_id,
    ).update(status=BatchStatus.BUILDING, claimed_at=now) == 1


def rendered_now(letter_ids: list[int]) -> list[Letter]:
    """The letters rendered again from the records at this moment (each under its claim), so what
    is printed or exported is what is stored and states only what the families consent to now. A
    letter that cannot be (its action paused, another worker holding it, no longer pending) is
    left out, never handed over with older text."""
    fresh = []
    for letter_id in letter_ids:
        token = claim(letter_id)
        if token is None:
            continue
        letter, state = render_and_store(letter_id, token)
        if state == "rendered":
            release(letter_id, token)
            fresh.append(letter_id)
    return list(Letter.objects.filter(pk__in=fresh).select_related("submission").order_by("pk"))


def letters_html(letters: list[Letter], decision_maker: DecisionMaker, action: Action) -> str:
    return get_template("advocacy/letters_print.html").render(
        {"letters": letters, "decision_maker": decision_maker, "action": action}
    )


def batch_build(batch_id: int, *, chunk: int = CHUNK, on_progress: Callable[[int, int], None] | None = None) -> PdfBatch:
    from weasyprint import HTML

    if not _claim_batch(batch_id):
        return PdfBatch.objects.get(pk=batch_id)
    batch = PdfBatch.objects.select_related("action", "decision_maker").get(pk=batch_id)
    ids = list(batch_letters(batch).order_by("pk").values_list("pk", flat=True))
    PdfBatch.objects.filter(pk=batch_id).update(total=len(ids), done=0, pages=0, letter_ids=[])
    printed: list[int] = []
    try:
        with tempfile.TemporaryDirectory(prefix="batch-") as tmp:
            parts, pages = [], 0
            for start in range(0, len(ids), chunk):
                letters = rendered_now(ids[start:start + chunk])
                printed += [letter.pk for letter in letters]
                document = HTML(string=letters_html(letters, batch.decision_maker, batch.action)).render()
                pages += len(document.pages)
                part = Path(tmp) / f"part-{start:07d}.pdf"
                document.write_pdf(part)
                del document
                parts.append(part)
                done = min(start + chunk, len(ids))
                # Progress, and a renewed lease: a long batch is not taken for an abandoned one.
                PdfBatch.objects.filter(pk=batch_id).update(done=done, pages=pages, claimed_at=timezone.now())
                if on_progress:
                    on_progress(done, len(ids))
            merged = Path(tmp) / "batch.pdf"
            writer = PdfWriter()
            for part in parts:
                writer.append(str(part))
            with merged.open("wb") as out:
                writer.write(out)
            writer.close()
            name = f"action-{batch.action_id}-dm-{batch.decision_maker_id}-batch-{batch.pk}.pdf"
            with merged.open("rb") as fh:
                batch.file.save(name, File(fh), save=False)
        # Only the letters actually printed: "delivered" marks exactly these.
        PdfBatch.objects.filter(pk=batch_id).update(
            file=batch.file.name, status=BatchStatus.READY, finished_at=timezone.now(), claimed_at=None,
            letter_ids=printed,
        )
    except Exception as exc:  # noqa: BLE001 - any failure is recorded on the batch, then re-raised
        PdfBatch.objects.filter(pk=batch_id).update(status=BatchStatus.FAILED, error=type(exc).__name__[:300],
                                                     finished_at=timezone.now(), claimed_at=None)
        raise
    return PdfBatch.objects.get(pk=batch_id)


def batch_mark_delivered(*, actor: User, batch: PdfBatch) -> int:
    """The organizer handed the printed letters over: the pending ones it holds are sent, by print."""
    require_action_perm(actor, CHANGE_ACTION, batch.action)
    if batch.status != BatchStatus.READY:
        raise ValidationError({"status": _("Only a finished batch can be marked delivered.")})
    return Letter.objects.filter(pk__in=batch.letter_ids, status__in=(LetterStatus.QUEUED, LetterStatus.RENDERED),
                                 claimed_at__isnull=True).update(status=LetterStatus.SENT, channel=Channel.PRINT,
                                                                 sent_at=timezone.now())
