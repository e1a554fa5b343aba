"""Issuing a year's report freezes every format with its SHA-256; re-issuing adds a version."""

import hashlib

import pytest

from perfreport.reports import synthetic
from perfreport.reports.issuing import issue_report, latest_issued
from perfreport.reports.models import IssuedReport

FORMATS = ["html", "pdf", "xlsx", "ods", "odt", "docx", "json"]


@pytest.fixture
def closed_year(org):
    return synthetic.build_year(org, 112)


def test_issue_stores_every_format_once_with_its_hash(closed_year, auditor):
    issued = issue_report(year=closed_year, user=auditor)

    assert [r.format for r in issued] == FORMATS
    stored = IssuedReport.objects.filter(year=closed_year).order_by("pk")
    assert stored.count() == len(FORMATS)
    for report in stored:
        content = bytes(report.content)
        assert report.version == 1
        assert report.sha256 == hashlib.sha256(content).hexdigest()
        assert report.size == len(content)
        assert report.issued_by == auditor
        assert report.filename == f"khh-112-service-performance.{report.format}"
    assert bytes(stored.get(format="pdf").content).startswith(b"%PDF")


def test_reissue_adds_a_version_and_keeps_the_first(closed_year, auditor, admin_user):
    first = {r.format: (r.pk, r.sha256) for r in issue_report(year=closed_year, user=auditor)}
    second = issue_report(year=closed_year, user=admin_user)

    assert {r.version for r in second} == {2}
    assert IssuedReport.objects.filter(year=closed_year).count() == 2 * len(FORMATS)
    for pk, sha in first.values():
        kept = IssuedReport.objects.get(pk=pk)
        assert kept.version == 1
        assert kept.sha256 == sha == hashlib.sha256(bytes(kept.content)).hexdigest()
    latest = latest_issued(closed_year)
    assert {r.version for r in latest.values()} == {2}
    assert sorted(latest) == sorted(FORMATS)


def test_admin_lists_issued_files_read_only(client, closed_year, auditor, admin_user, monkeypatch):
    monkeypatch.setattr(
        "perfreport.reports.exporters.pdf.html_to_pdf", lambda html: b"%PDF-1.7 stub"
    )
    issued = issue_report(year=closed_year, user=auditor)
    client.force_login(admin_user)

    listing = client.get("/admin/reports/issuedreport/")
    assert listing.status_code == 200
    assert issued[0].sha256 in listing.text
    assert client.get("/admin/reports/issuedreport/add/").status_code == 403
    pdf = next(r for r in issued if r.format == "pdf")
    assert client.post(f"/admin/reports/issuedreport/{pdf.pk}/delete/").status_code == 403
    assert IssuedReport.objects.filter(pk=pdf.pk).exists()
