"""The year-end report page, its downloads and the issued versions.

Every member who sees the organization reads the page; downloads are for its admins and
auditors (403 for other members); strangers get 404 and anonymous users the login page."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from perfreport.reports.exporters import EXPORTERS
from perfreport.reports.issuing import render_for_download
from perfreport.reports.models import IssuedReport
from perfreport.reports.selectors import build_report
from strategies.access import can_read_all, get_year_for_user, membership_of
from strategies.models import Year
from strategies.selectors import years_for


def year_and_download_right(request: HttpRequest, org: str, roc_year: int) -> tuple[Year, bool]:
    """The year (404 for strangers) and whether the user may download its files."""
    year = get_object_or_404(
        Year.objects.select_related("organization"), organization__code=org, roc_year=roc_year
    )
    membership = get_year_for_user(request.user, year)
    return year, can_read_all(membership)


def file_response(
    filename: str, content_type: str, content: bytes, sha256: str = ""
) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Content-Length"] = str(len(content))
    if sha256:
        response["X-Content-SHA256"] = sha256
    return response


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The years whose report the member may read."""
    return render(request, "reports/index.html", {"years": years_for(membership_of(request.user))})


@login_required
@require_GET
def report(request: HttpRequest, org: str, roc_year: int) -> HttpResponse:
    """The report in the seed's layout, the download buttons and the issued versions."""
    year, can_download = year_and_download_right(request, org, roc_year)
    issued = list(
        IssuedReport.objects.filter(year=year)
        .defer("content")
        .select_related("issued_by")
        .order_by("-version", "pk")
    )
    versions: dict[int, list[IssuedReport]] = {}
    for file in issued:
        versions.setdefault(file.version, []).append(file)
    return render(
        request,
        "reports/report.html",
        {
            "year": year,
            "report": build_report(year),
            "can_download": can_download,
            "exporters": EXPORTERS.values(),
            "versions": sorted(versions.items(), reverse=True),
        },
    )


@login_required
@require_GET
def download(request: HttpRequest, org: str, roc_year: int, format: str) -> HttpResponse:
    """One format: the issued bytes of a closed or locked year once issued, else a fresh render."""
    year, can_download = year_and_download_right(request, org, roc_year)
    if format not in EXPORTERS:
        raise Http404
    if not can_download:
        raise PermissionDenied
    filename, content_type, content, issued = render_for_download(year, format)
    return file_response(filename, content_type, content, issued.sha256 if issued else "")


@login_required
@require_GET
def issued_file(request: HttpRequest, org: str, roc_year: int, pk: int) -> HttpResponse:
    """Any issued file of the year, by id: earlier versions stay downloadable."""
    year, can_download = year_and_download_right(request, org, roc_year)
    if not can_download:
        raise PermissionDenied
    file = get_object_or_404(IssuedReport, pk=pk, year=year)
    return file_response(file.filename, file.content_type, bytes(file.content), file.sha256)
