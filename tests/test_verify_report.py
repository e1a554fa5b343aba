"""verify_report checks signatures, not hashes in the database: the manifest's CMS signature,
each file against the signed manifest, the PDF's own PAdES signature. Changing a file and its
stored hash together is caught; reading and verifying never sign anything."""

import hashlib
import json
import os

import pytest
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError

from benchmarks import synthetic
from perfreport.reports import signing
from perfreport.reports.demo_key import write_self_signed_pkcs12
from perfreport.reports.exporters import EXPORTERS
from perfreport.reports.issuing import issue_report
from perfreport.reports.models import IssuedReport, IssuedVersion
from tests.conftest import login, stored_bytes

pytestmark = pytest.mark.usefixtures("quick_pdf")
VERIFY = ("verify_report", "--org", "khh", "--year", "112")


@pytest.fixture
def issued_year(org, auditor):
    year = synthetic.build_year(org, 112)
    issue_report(year=year, user=auditor)
    return year


def overwrite(report, content: bytes) -> None:
    with open(report.file.path, "wb") as handle:
        handle.write(content)


def test_intact_files_pass(issued_year, capsys):
    call_command(*VERIFY)
    out = capsys.readouterr().out
    assert "OK v1 清單簽章" in out
    assert out.count("OK v1 高雄分局112年度提升服務效能執行績效與成果-v1.") == len(EXPORTERS)
    assert f"1 個版本、{len(EXPORTERS) + 1} 項簽章檢查全部通過" in out


def test_a_file_changed_with_its_stored_hash_is_caught(issued_year, capsys):
    report = IssuedReport.objects.get(year=issued_year, format="json")
    forged = stored_bytes(report).replace(b'"roc_year": 112', b'"roc_year": 111')
    assert forged != stored_bytes(report)
    overwrite(report, forged)
    IssuedReport.objects.filter(pk=report.pk).update(
        sha256=hashlib.sha256(forged).hexdigest(), size=len(forged)
    )

    with pytest.raises(CommandError, match="1 項檢查未通過"):
        call_command(*VERIFY)
    assert "內容與簽署的檔案清單不符" in capsys.readouterr().out


def test_a_rewritten_manifest_without_the_key_is_caught(issued_year, capsys):
    version = IssuedVersion.objects.get(year=issued_year)
    report = IssuedReport.objects.get(year=issued_year, format="html")
    forged = stored_bytes(report) + b"<!-- forged -->"
    overwrite(report, forged)
    digest = hashlib.sha256(forged).hexdigest()
    IssuedReport.objects.filter(pk=report.pk).update(sha256=digest)
    with open(version.manifest.path, encoding="utf-8") as handle:
        manifest = json.load(handle)
    for entry in manifest["files"]:
        if entry["format"] == "html":
            entry["sha256"] = digest
    with open(version.manifest.path, "w", encoding="utf-8") as handle:
        json.dump(manifest, handle)

    with pytest.raises(CommandError):
        call_command(*VERIFY)
    assert "FAILED v1 清單簽章: 簽章與內容不符" in capsys.readouterr().out


def test_a_changed_pdf_fails_its_own_signature(issued_year, capsys):
    pdf = IssuedReport.objects.get(year=issued_year, format="pdf")
    content = stored_bytes(pdf)
    check = signing.verify_pdf(content)
    assert check.ok, check.detail
    # One byte inside the signed range (the PDF header's comment line) changed.
    tampered = content[:10] + bytes([content[10] ^ 1]) + content[11:]
    assert not signing.verify_pdf(tampered).ok


def test_files_signed_with_another_key_do_not_verify(issued_year, settings, tmp_path):
    other = tmp_path / "other.p12"
    write_self_signed_pkcs12(other, passphrase="x", organization="冒名機關")
    pdf = IssuedReport.objects.get(year=issued_year, format="pdf")
    settings.SIGNING_PKCS12, settings.SIGNING_PKCS12_PASSPHRASE = str(other), "x"

    check = signing.verify_pdf(stored_bytes(pdf))

    assert not check.ok
    assert "不是本機關的簽章憑證" in check.detail


def test_reading_and_verifying_never_sign(client, issued_year, admin_user, monkeypatch):
    before = {r.pk: os.stat(r.file.path).st_mtime_ns for r in IssuedReport.objects.all()}

    def refuse(*args, **kwargs):
        raise AssertionError("signed while reading")

    monkeypatch.setattr(signing, "sign_pdf", refuse)
    monkeypatch.setattr(signing, "sign_detached", refuse)
    call_command(*VERIFY)
    login(client, admin_user)
    for report in IssuedReport.objects.all():
        response = client.get(f"/reports/khh/112/issued/{report.pk}/")
        assert b"".join(response.streaming_content) == stored_bytes(report)

    assert {r.pk: os.stat(r.file.path).st_mtime_ns for r in IssuedReport.objects.all()} == before


def test_every_version_is_checked(issued_year, auditor, capsys):
    issue_report(year=issued_year, user=auditor)
    call_command(*VERIFY)
    out = capsys.readouterr().out
    checks = len(EXPORTERS) + 1  # each file and the manifest's signature
    assert out.count("OK v1 ") == checks and out.count("OK v2 ") == checks


def test_a_version_issued_before_signing_is_reported(issued_year, capsys):
    IssuedVersion.objects.filter(year=issued_year).update(manifest="", manifest_signature="")
    with pytest.raises(CommandError):
        call_command(*VERIFY)
    assert "沒有簽署的檔案清單" in capsys.readouterr().out


def test_a_year_never_issued_is_an_error(org):
    synthetic.build_year(org, 112)
    with pytest.raises(CommandError, match="尚未發布報告"):
        call_command(*VERIFY)


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
    assert run_from_shell(monkeypatch, *VERIFY) == 0

    report = IssuedReport.objects.get(year=issued_year, format="json")
    overwrite(report, b"{}")
    assert run_from_shell(monkeypatch, *VERIFY) == 1
    assert "1 項檢查未通過" in capsys.readouterr().err
