"""The year-end report page, its downloads and the issued versions.

Every member who sees the organization reads the page; downloads are for its admins and
auditors (403 for other members); strangers get 404 and anonymous users the login page."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from perfreport.reports.exporters import EXPORTERS
from perfreport.reports.issuing import Download, issued_download, render_for_download
from perfreport.reports.models import IssuedReport, IssuedVersion
from perfreport.reports.selectors import build_report
from strategies.access import (
    can_download_year,
    can_see_unsigned_review,
    get_year_for_user,
    membership_of,
)
from strategies.auth import AuthenticatedHttpRequest
from strategies.downloads import attachment_response
from strategies.models import Year
from strategies.selectors import year_or_404, years_for


def year_and_download_right(
    request: AuthenticatedHttpRequest, org: str, roc_year: int
) -> tuple[Year, bool]:
    """The year (404 for strangers) and whether the user may download its files."""
    year = year_or_404(org, roc_year)
    membership = get_year_for_user(request.user, year)
    return year, can_download_year(membership, year)


def send(download: Download) -> HttpResponseBase:
    """A report file as an attachment with its Chinese name (and ASCII fallback): a fresh
    render from memory when small, else streamed from its spooled file; an issued file streamed
    from disk with its SHA-256."""
    if download.issued is None:
        size = download.size
        return attachment_response(
            download.read() if download.in_memory else download.open(),
            filename=download.filename,
            fallback=download.ascii_filename,
            content_type=download.content_type,
            size=size,
        )
    try:
        handle = download.open()
    except FileNotFoundError:
        raise Http404 from None
    return attachment_response(
        handle,
        filename=download.filename,
        fallback=download.ascii_filename,
        content_type=download.content_type,
        size=download.issued.size,
        sha256=download.issued.sha256,
    )


@login_required
@require_GET
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The years whose report the member may read."""
    return render(request, "reports/index.html", {"years": years_for(membership_of(request.user))})


@login_required
@require_GET
def report(request: AuthenticatedHttpRequest, org: str, roc_year: int) -> HttpResponse:
    """The report in the seed's layout, the download buttons and the issued versions."""
    year, can_download = year_and_download_right(request, org, roc_year)
    membership = get_year_for_user(request.user, year)
    issued = list(
        IssuedReport.objects.filter(year=year, version__in=done_versions(year))
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
            "report": build_report(
                year, include_unsigned_review=can_see_unsigned_review(membership, year)
            ),
            "pending": IssuedVersion.objects.filter(year=year)
            .exclude(status=IssuedVersion.Status.DONE)
            .order_by("-version")
            .first(),
            "exporters": EXPORTERS.values(),
            "versions": sorted(versions.items(), reverse=True),
        },
    )


@login_required
@require_GET
def download(
    request: AuthenticatedHttpRequest, org: str, roc_year: int, format: str
) -> HttpResponseBase:
    """One format: the issued bytes of a closed or locked year once issued, else a fresh render."""
    year, can_download = year_and_download_right(request, org, roc_year)
    if format not in EXPORTERS:
        raise Http404
    if not can_download:
        raise PermissionDenied
    return send(render_for_download(year, format))


@login_required
@require_GET
def issued_file(
    request: AuthenticatedHttpRequest, org: str, roc_year: int, pk: int
) -> HttpResponseBase:
    """Any issued file of the year, by id: earlier versions stay downloadable."""
    year, can_download = year_and_download_right(request, org, roc_year)
    if not can_download:
        raise PermissionDenied
    file = get_object_or_404(IssuedReport, pk=pk, year=year, version__in=done_versions(year))
    return send(issued_download(file))


def done_versions(year: Year) -> QuerySet[IssuedVersion, Any]:
    """The year's finished versions (a subquery): files of a version still being issued are
    not offered."""
    return IssuedVersion.objects.filter(year=year, status=IssuedVersion.Status.DONE).values(
        "version"
    )
