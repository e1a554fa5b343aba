"""The issued PDF of the 112 report (signed off): PAdES-signed with the organization's key,
which poppler's pdfsig reports as valid with the signer and the time (the test certificate is
self-signed, so pdfsig calls its issuer unknown); still PDF/A-3a and tagged after the
incremental signature; the version and sign-off date on every page instead of the draft mark."""

import re
import subprocess

import pytest
from django.core.management import call_command
from django.db import transaction
from pypdf import PdfReader

from perfreport.reports.issuing import issue_report
from perfreport.reports.models import IssuedReport
from scoring import services
from strategies.models import Year
from tests import factories
from tests.conftest import stored_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def issued_pdf(django_db_setup, django_db_blocker, tmp_path_factory, signing_pkcs12):
    """The seed signed off and issued once for the module (its PDF renders in seconds)."""
    from django.conf import settings

    from tests.conftest import SIGNING_PASSPHRASE

    media = tmp_path_factory.mktemp("media")
    saved = settings.MEDIA_ROOT, settings.SIGNING_PKCS12, settings.SIGNING_PKCS12_PASSPHRASE
    settings.MEDIA_ROOT = media
    settings.SIGNING_PKCS12, settings.SIGNING_PKCS12_PASSPHRASE = (
        str(signing_pkcs12),
        SIGNING_PASSPHRASE,
    )
    try:
        with django_db_blocker.unblock(), transaction.atomic():
            call_command("loaddata", "khh_112", verbosity=0)
            year = Year.objects.get(organization__code="khh", roc_year=112)
            Year.objects.filter(pk=year.pk).update(status=Year.Status.OPEN)
            auditor = factories.make_user("pdf-auditor", year.organization, "auditor")
            seed_scores = {1: "184", 2: "284", 3: "182", 4: "186", 5: "84"}
            services.save_scores(year=year, round="review", scores=seed_scores, user=auditor)
            services.sign_off_review(year=year, user=auditor)
            issue_report(year=year, user=auditor)
            report = IssuedReport.objects.get(year=year, format="pdf")
            content, filename = stored_bytes(report), report.filename
            transaction.set_rollback(True)
    finally:
        settings.MEDIA_ROOT, settings.SIGNING_PKCS12, settings.SIGNING_PKCS12_PASSPHRASE = saved
    path = tmp_path_factory.mktemp("issued") / "issued.pdf"
    path.write_bytes(content)
    return path, filename


def run(*args: str) -> str:
    return subprocess.run(list(args), capture_output=True, text=True, check=False).stdout


def test_pdfsig_reports_a_valid_signature_with_signer_and_time(issued_pdf):
    path, filename = issued_pdf
    assert filename == "高雄分局112年度提升服務效能執行績效與成果-v1.pdf"
    out = run("pdfsig", str(path))
    assert "Signature #1:" in out, out
    assert "Signature Validation: Signature is Valid." in out, out
    assert "Signer Certificate Common Name: 測試機關（示範簽章）" in out, out
    assert re.search(r"Signing Time: \w{3} \d{2} \d{4} \d{2}:\d{2}:\d{2}", out), out
    assert "Total document signed" in out, out
    assert "Signature Type: ETSI.CAdES.detached" in out, out  # PAdES
    # A self-signed certificate: valid signature, issuer not in poppler's trust store.
    assert "Certificate Validation: Certificate issuer is unknown." in out, out


def test_still_pdf_a_3a_and_tagged_after_signing(issued_pdf):
    path, _ = issued_pdf
    info = run("pdfinfo", str(path))
    assert re.search(r"^Tagged:\s+yes$", info, re.M), info
    assert re.search(r"^Author:\s+經濟部標準檢驗局高雄分局$", info, re.M), info
    xmp = run("pdfinfo", "-meta", str(path))
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="A"' in xmp, xmp
    assert "zh-Hant-TW" in xmp
    # PDF/A: the information dictionary and the XMP agree on the producer after the update.
    producer = re.search(r"^Producer:\s+(.+)$", info, re.M).group(1)
    assert f'pdf:Producer="{producer}"' in xmp or f"<pdf:Producer>{producer}<" in xmp, xmp


def test_the_version_and_sign_off_date_on_every_page(issued_pdf):
    path, _ = issued_pdf
    reader = PdfReader(path)
    for number, page in enumerate(reader.pages, start=1):
        text = page.extract_text()
        assert re.search(r"第 1 版．\d{4}-\d{2}-\d{2} 完成複評發布", text), number
        assert "草稿" not in text, number
