"""Issuing a year's report: every format rendered once, stored with its SHA-256, never changed.

The sign-off service (scoring) is orchestrated from this layer's caller; it calls
`issue_report` inside its own transaction, so the sign-off and the frozen files land together.
"""

import hashlib
from dataclasses import replace

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from perfreport.reports.exporters import EXPORTERS, get_exporter
from perfreport.reports.models import IssuedReport
from perfreport.reports.selectors import Release, build_report
from strategies.models import Year


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def issue_report(*, year: Year, user) -> list[IssuedReport]:  # type: ignore[no-untyped-def]
    """Render every format of the year's report once and store the bytes and their SHA-256 as a
    new version (1, 2, ...). Earlier versions are kept untouched. Returns the new rows, in the
    order of EXPORTERS. Runs in one transaction (joins the caller's, if any)."""
    with transaction.atomic():
        # Lock the year row so two concurrent issues cannot take the same version number.
        list(Year.objects.select_for_update().filter(pk=year.pk).values_list("pk", flat=True))
        latest = IssuedReport.objects.filter(year=year).aggregate(v=Max("version"))["v"] or 0
        version = latest + 1
        now = timezone.now()
        # The files say which version they are and when it was signed off.
        data = replace(
            build_report(year, include_entries=True),
            release=Release(version=version, signed_off_on=timezone.localdate(now)),
        )
        rendered = [(key, exporter.render(data)) for key, exporter in EXPORTERS.items()]
        issued = []
        for identifier, (filename, content_type, content) in rendered:
            report = IssuedReport(
                year=year,
                version=version,
                format=identifier,
                filename=filename,
                content_type=content_type,
                content=content,
                size=len(content),
                sha256=sha256_of(content),
                issued_at=now,
                issued_by=user,
            )
            report.full_clean()
            report.save()
            issued.append(report)
    return issued


def latest_issued(year: Year) -> dict[str, IssuedReport]:
    """The newest issued file of each format, by format (one query; content deferred)."""
    latest: dict[str, IssuedReport] = {}
    for report in IssuedReport.objects.filter(year=year).defer("content").order_by("-version"):
        latest.setdefault(report.format, report)
    return latest


def verify_issued(year: Year) -> list[tuple[IssuedReport, bool]]:
    """Re-hash every stored file of the year: (report, matches) for each, oldest first."""
    results = []
    for report in IssuedReport.objects.filter(year=year).order_by("version", "format"):
        results.append((report, sha256_of(bytes(report.content)) == report.sha256))
    return results


# A year that is closed or locked is served from its latest issued files; a reopened year is a
# draft again until it is re-issued, so it is rendered from the current data.
_FROZEN = {Year.Status.CLOSED, Year.Status.LOCKED}


def render_for_download(
    year: Year, identifier: str, *, live: bool = False
) -> tuple[str, str, bytes, IssuedReport | None]:
    """(filename, content_type, bytes, issued or None) of one format of the year's report:
    exactly the issued bytes when the year is closed or locked and has been issued, otherwise
    a fresh render. Raises KeyError for an unknown format."""
    exporter = get_exporter(identifier)
    if not live and year.status in _FROZEN:
        issued = (
            IssuedReport.objects.filter(year=year, format=identifier).order_by("-version").first()
        )
        if issued is not None:
            return issued.filename, issued.content_type, bytes(issued.content), issued
    data = build_report(year, include_entries=exporter.needs_entries)
    filename, content_type, content = exporter.render(data)
    return filename, content_type, content, None
