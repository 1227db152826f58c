"""A family's printable summary: asked for on its page, laid out by a worker, downloaded by the
reader who asked (cases.services.summaries)."""
import io

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from . import selectors
from .models import CaseSummary
from .services import summaries


@login_required
@require_POST
def summary_new(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_object_or_404(selectors.visible_cases(user=request.user), pk=pk)
    summary = summaries.summary_request(actor=request.user, case=case,
                                        language=request.POST.get("language", request.user.language))
    return HttpResponseRedirect(reverse("staff-case-summary", args=[case.pk, summary.pk]))


def _own(request: HttpRequest, pk: int, summary_pk: int) -> CaseSummary:
    """The reader's own summary of a family they may still see; anyone else's is a 404."""
    case = get_object_or_404(selectors.visible_cases(user=request.user), pk=pk)
    return get_object_or_404(CaseSummary.objects.select_related("case"), pk=summary_pk, case=case,
                             requested_by=request.user)


@login_required
def summary_status(request: HttpRequest, pk: int, summary_pk: int) -> HttpResponse:
    summary = _own(request, pk, summary_pk)
    return render(request, "cases/summary_status.html", {"section": "cases", "summary": summary,
                                                          "case": summary.case})


@login_required
def summary_pdf(request: HttpRequest, pk: int, summary_pk: int) -> HttpResponse:
    summary = _own(request, pk, summary_pk)
    try:
        pdf = summaries.summary_read(actor=request.user, summary=summary, request=request)
    except CaseSummary.DoesNotExist:
        raise Http404 from None
    return FileResponse(io.BytesIO(pdf), as_attachment=True, content_type="application/pdf",
                        filename=f"{summary.case.reference}-summary-{summary.language}.pdf")
