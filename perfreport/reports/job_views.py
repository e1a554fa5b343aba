"""Background exports: start one, watch its progress, download the result.

Same permission as a direct download (admins and auditors of the organization); a job belongs
to the person who started it and is a 404 for everyone else."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from perfreport.reports.exporters import EXPORTERS
from perfreport.reports.jobs import job_for, lease_expired, start_export
from perfreport.reports.models import ExportJob
from perfreport.reports.views import year_and_download_right
from strategies.access import can_download_year, check_year_right
from strategies.auth import AuthenticatedHttpRequest
from strategies.downloads import attachment_response


def _own_job(request: AuthenticatedHttpRequest, pk: int) -> ExportJob:
    """The requester's job, while they still may download the year's files."""
    try:
        job = job_for(request.user, pk)
    except ExportJob.DoesNotExist:
        raise Http404 from None
    check_year_right(request.user, job.year, can_download_year)
    return job


@login_required
@require_POST
def export_start(
    request: AuthenticatedHttpRequest, org: str, roc_year: int, format: str
) -> HttpResponse:
    year, can_download = year_and_download_right(request, org, roc_year)
    if format not in EXPORTERS:
        raise Http404
    if not can_download:
        raise PermissionDenied
    job = start_export(year=year, format=format, user=request.user)
    return redirect("reports:export-job", pk=job.pk)


@login_required
@require_GET
def export_job(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    job = _own_job(request, pk)
    return render(request, "reports/export_job.html", {"job": job, "stale": lease_expired(job)})


@login_required
@require_GET
def export_job_status(request: AuthenticatedHttpRequest, pk: int) -> JsonResponse:
    job = _own_job(request, pk)
    done = job.status == ExportJob.Status.DONE
    return JsonResponse(
        {
            "status": job.status,
            "status_label": job.get_status_display(),
            "progress": job.progress,
            "step": job.step,
            "error": job.error,
            "download_url": reverse("reports:export-job-download", args=[job.pk]) if done else "",
            "filename": job.filename,
            # The worker running it stopped answering: it will be retried or marked failed.
            "stale": lease_expired(job),
        }
    )


@login_required
@require_GET
def export_job_download(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    job = _own_job(request, pk)
    if job.status != ExportJob.Status.DONE or job.content is None:
        raise Http404
    return attachment_response(
        bytes(job.content),
        filename=job.filename,
        fallback=job.ascii_filename,
        content_type=job.content_type,
    )
