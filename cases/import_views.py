"""Importing families from a spreadsheet: upload, preview, confirm, progress, the refused rows
(cases.services.imports). For the organisation's admins and advocates; another's import is a 404."""
from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.roles import CAN_CREATE_CASES
from accounts.selectors import current_membership, organizations_where

from .models import ImportJob
from .services import imports

SHOWN = 200  # refused rows listed on the page; the report has them all


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Spreadsheet (.xlsx or .csv)"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}))


def _organization(request: HttpRequest):  # noqa: ANN202
    membership = current_membership(request)
    if membership is None or membership.role not in CAN_CREATE_CASES:
        raise Http404
    return membership.organization


def _job(request: HttpRequest, pk: int) -> ImportJob:
    return get_object_or_404(ImportJob, pk=pk, organization__in=organizations_where(user=request.user,
                                                                                   roles=CAN_CREATE_CASES))


@login_required
def import_start(request: HttpRequest) -> HttpResponse:
    organization = _organization(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                job = imports.import_check(actor=request.user, organization=organization,
                                           upload=form.cleaned_data["file"])
            except PermissionDenied:
                raise Http404 from None
            except ValidationError as exc:
                for message in exc.message_dict.get("file", exc.messages):
                    form.add_error("file", message)
            else:
                return HttpResponseRedirect(reverse("import", args=[job.pk]))
        status = 400
    recent = ImportJob.objects.filter(organization=organization).select_related("created_by")[:10]
    return render(request, "cases/import_start.html", {
        "section": "cases", "form": form, "organization": organization, "columns": imports.COLUMNS, "recent": recent,
    }, status=status)


@login_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    return render(request, "cases/import_detail.html", {
        "section": "cases", "job": job, "rows": job.rejected[:SHOWN], "more": max(0, len(job.rejected) - SHOWN),
    })


@login_required
@require_POST
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    try:
        imports.import_confirm(actor=request.user, job=job)
    except PermissionDenied:
        raise Http404 from None
    return HttpResponseRedirect(reverse("import", args=[job.pk]))


@login_required
def import_rejected(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    response = HttpResponse(imports.rejected_csv(job), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-refused-rows.csv"'
    return response


@login_required
def import_template(request: HttpRequest) -> HttpResponse:
    _organization(request)
    response = HttpResponse(imports.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="families-template.csv"'
    return response
