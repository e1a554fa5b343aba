"""verify_report re-hashes the issued files: exit 0 when intact, non-zero on any change."""

import hashlib

import pytest
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError

from perfreport.reports import synthetic
from perfreport.reports.issuing import issue_report
from perfreport.reports.models import IssuedReport


@pytest.fixture(autouse=True)
def quick_pdf(monkeypatch):
    # The PDF's bytes do not matter here; skip WeasyPrint's seconds.
    monkeypatch.setattr(
        "perfreport.reports.exporters.pdf.html_to_pdf",
        lambda html: b"%PDF-1.7 " + hashlib.sha256(html.encode()).hexdigest().encode(),
    )


@pytest.fixture
def issued_year(org, auditor):
    year = synthetic.build_year(org, 112)
    issue_report(year=year, user=auditor)
    return year


def test_intact_files_pass(issued_year, capsys):
    call_command("verify_report", "--org", "khh", "--year", "112")
    out = capsys.readouterr().out
    assert out.count("OK v1 khh-112-service-performance.") == 7
    assert "7 個發布檔的 SHA-256 全部相符" in out


def test_a_changed_file_fails(issued_year, capsys):
    pdf = IssuedReport.objects.get(year=issued_year, format="pdf")
    IssuedReport.objects.filter(pk=pdf.pk).update(content=bytes(pdf.content) + b"tampered")

    with pytest.raises(CommandError, match="1 個發布檔的 SHA-256 不符"):
        call_command("verify_report", "--org", "khh", "--year", "112")
    assert f"MISMATCH v1 khh-112-service-performance.pdf {pdf.sha256}" in capsys.readouterr().out


def test_every_version_is_checked(issued_year, auditor, capsys):
    issue_report(year=issued_year, user=auditor)
    call_command("verify_report", "--org", "khh", "--year", "112")
    out = capsys.readouterr().out
    assert out.count("OK v1 ") == 7 and out.count("OK v2 ") == 7


def test_a_year_never_issued_is_an_error(org):
    synthetic.build_year(org, 112)
    with pytest.raises(CommandError, match="尚未發布報告"):
        call_command("verify_report", "--org", "khh", "--year", "112")


def test_an_unknown_year_is_an_error(org):
    with pytest.raises(CommandError, match="找不到機關 khh 的 99 年度"):
        call_command("verify_report", "--org", "khh", "--year", "99")


def run_from_shell(monkeypatch, *args: str) -> int:
    """manage.py's own path (argv parsing, CommandError -> exit status), in this process.
    It closes the connections at the end; keep the test's transaction open instead."""
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)
    try:
        ManagementUtility(["manage.py", *args]).execute()
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def test_exit_status(issued_year, monkeypatch, capsys):
    args = ("verify_report", "--org", "khh", "--year", "112")
    assert run_from_shell(monkeypatch, *args) == 0

    IssuedReport.objects.filter(year=issued_year, format="json").update(content=b"{}")
    assert run_from_shell(monkeypatch, *args) == 1
    assert "1 個發布檔的 SHA-256 不符" in capsys.readouterr().err
