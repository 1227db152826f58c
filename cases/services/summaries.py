"""A printable summary of one family - to hand a co-counsel or attach to a parole request.

Asked for on the family's page (`summary_request`), laid out by a worker with the same WeasyPrint
stack as the letters' PDF batches (`summary_build`), from the record as it stands then and as the
reader who asked may see it: the family's page's own selector and redaction (names, dates of
birth, A-numbers, addresses, sponsors' names and contacts and dockets only with PII rights on the
family). The PDF is encrypted in the documents storage; only that reader downloads it, and each
download is an export in the access log.
"""
import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation

from accounts import audit
from accounts.models import User
from accounts.roles import VIEW, VIEW_PII

from ..facts import family_summary
from ..models import Case, CaseSummary
from ..permissions import has_case_perm, require_case_perm
from ..timeline import person_name
from .documents import read_encrypted, save_encrypted

# As long as build_case_summary's time_limit (cases/tasks.py): a build is never taken from a worker
# that may still be running it. Change both together.
LEASE = dt.timedelta(minutes=5)


def summary_request(*, actor: User, case: Case, language: str) -> CaseSummary:
    require_case_perm(actor, VIEW, case)
    if language not in dict(settings.LANGUAGES):
        language = "en"
    with transaction.atomic():
        summary = CaseSummary.objects.create(case=case, requested_by=actor, language=language)
        from config.celery import try_enqueue

        from ..tasks import build_case_summary

        # With the broker away the summary waits, queued, for the upkeep sweep: never a 500.
        transaction.on_commit(lambda: try_enqueue(build_case_summary, summary.pk))
    return summary


def waiting_summaries(*, now: dt.datetime | None = None) -> QuerySet:
    """Summaries to send to a worker again: asked for while the broker was away, or left building
    by a worker that died (its lease run out)."""
    from config.celery import WAITING_FOR_A_WORKER

    now = now or timezone.now()
    return CaseSummary.objects.filter(Q(status=CaseSummary.Status.QUEUED, created_at__lt=now - WAITING_FOR_A_WORKER)
                                      | Q(status=CaseSummary.Status.BUILDING, claimed_at__lt=now - LEASE))


def _claim(summary_id: int) -> bool:
    now = timezone.now()
    return CaseSummary.objects.filter(
        Q(status=CaseSummary.Status.QUEUED) | Q(status=CaseSummary.Status.BUILDING, claimed_at__lt=now - LEASE),
        pk=summary_id,
    ).update(status=CaseSummary.Status.BUILDING, claimed_at=now) == 1


def summary_html(case: Case, *, reader: User, pii: bool, language: str) -> str:
    """The summary's page, for a family loaded by selectors.case_detail(history=True)."""
    people = [{"person": p, "name": person_name(p, pii=pii)} for p in case.people.all()]
    with translation.override(language), timezone.override(case.organization.zone):
        return render_to_string("cases/summary_pdf.html", {
            "case": case, "pii": pii, "people": people, "facts": family_summary(case),
            "sponsors": list(case.sponsors.all()), "proceedings": list(case.proceedings.all()),
            "reader": reader, "language": language, "now": timezone.now(),
        })


def summary_build(summary_id: int) -> CaseSummary:
    from weasyprint import HTML

    from ..selectors import case_detail

    if not _claim(summary_id):
        return CaseSummary.objects.get(pk=summary_id)
    summary = CaseSummary.objects.select_related("requested_by").get(pk=summary_id)
    reader = summary.requested_by
    try:
        case = case_detail(user=reader, history=True).filter(pk=summary.case_id).first()
        if case is None:  # the reader lost access in the meantime: nothing is laid out
            raise PermissionError("no longer visible")
        pii = has_case_perm(reader, VIEW_PII, case)
        document = HTML(string=summary_html(case, reader=reader, pii=pii, language=summary.language)).render()
        pdf = document.write_pdf()
        stored = save_encrypted("summary", pdf)
        CaseSummary.objects.filter(pk=summary_id).update(
            status=CaseSummary.Status.READY, storage_name=stored, pages=len(document.pages), with_pii=pii,
            finished_at=timezone.now(), claimed_at=None)
    except Exception as exc:  # noqa: BLE001 - recorded on the row (its class only), then re-raised
        CaseSummary.objects.filter(pk=summary_id).update(status=CaseSummary.Status.FAILED, error=type(exc).__name__,
                                                         finished_at=timezone.now(), claimed_at=None)
        raise
    return CaseSummary.objects.get(pk=summary_id)


def summary_read(*, actor: User, summary: CaseSummary, request: object = None) -> bytes:
    """The PDF, for the reader who asked, while they may still see the family; an export in the log."""
    if summary.requested_by_id != actor.pk or summary.status != CaseSummary.Status.READY:
        raise CaseSummary.DoesNotExist
    require_case_perm(actor, VIEW, summary.case)
    pdf = read_encrypted(summary.storage_name)
    audit.record(request, audit.AccessKind.EXPORT, user=actor, via=audit.AccessVia.PAGE, what="case summary PDF",
                 object_id=summary.pk, case_ids=[summary.case_id] if summary.with_pii else [])
    return pdf
