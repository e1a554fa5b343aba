"""verify_report re-hashes the issued files: exit 0 when intact, non-zero on any change."""

import hashlib
import os
import subprocess
import sys

import pytest
from django.core.management import call_command
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
    assert out.count("OK v1 khh-112-service-performance.") == 5
    assert "5 個發布檔的 SHA-256 全部相符" in out


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
    assert out.count("OK v1 ") == 5 and out.count("OK v2 ") == 5


def test_a_year_never_issued_is_an_error(org):
    synthetic.build_year(org, 112)
    with pytest.raises(CommandError, match="尚未發布報告"):
        call_command("verify_report", "--org", "khh", "--year", "112")


def test_an_unknown_year_is_an_error(org):
    with pytest.raises(CommandError, match="找不到機關 khh 的 99 年度"):
        call_command("verify_report", "--org", "khh", "--year", "99")


def test_exit_status_from_the_shell(tmp_path):
    """From the shell, a failed check (a CommandError) exits with status 1."""
    env = {
        "PERFREPORT_TESTING": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "PATH": os.environ.get("PATH", ""),
    }

    def manage(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "manage.py", *args], capture_output=True, text=True, env=env
        )

    assert manage("migrate", "-v0").returncode == 0
    result = manage("verify_report", "--org", "khh", "--year", "112")
    assert result.returncode == 1
    assert "找不到機關 khh 的 112 年度" in result.stderr
