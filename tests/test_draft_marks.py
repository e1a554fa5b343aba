"""A year that is not signed off exports drafts: the HTML has a banner, every file name ends in
-draft; the issued files carry the version and sign-off date instead. Every format reads the
same three fields of the report data: is_draft, version, signed_off_at."""

import pytest
from django.utils import timezone

from perfreport.reports.exporters import EXPORTERS, get_exporter
from perfreport.reports.issuing import issue_report
from perfreport.reports.models import IssuedReport
from perfreport.reports.selectors import DRAFT_LABEL, build_report
from scoring import services
from tests.conftest import stored_bytes

SEED = {1: "184", 2: "284", 3: "182", 4: "186", 5: "84"}


def test_an_unsigned_year_exports_drafts(year, item):
    data = build_report(year)
    assert data.is_draft and data.version is None and data.signed_off_at is None
    assert data.issue_label == DRAFT_LABEL == "草稿／未發布"

    html = get_exporter("html").render(data)[2].decode()
    assert '<p class="report-mark report-draft" id="report-mark" role="note">' in html
    assert "草稿／未發布</strong>：本報告為草稿" in html
    assert '<div class="draft-watermark" aria-hidden="true">草稿／未發布</div>' in html
    for identifier, exporter in EXPORTERS.items():
        assert (
            exporter.filename(data)
            == f"高雄分局113年度提升服務效能執行績效與成果-draft.{identifier}"
        )
        assert exporter.ascii_filename(data) == f"khh-113-service-performance-draft.{identifier}"


@pytest.mark.usefixtures("quick_pdf")
def test_issued_files_carry_the_version_and_the_sign_off_date(year, item, auditor):
    services.save_scores(year=year, round="review", scores=SEED, user=auditor)
    sheet = services.sign_off_review(year=year, user=auditor)
    issue_report(year=year, user=auditor)

    html = stored_bytes(IssuedReport.objects.get(year=year, format="html")).decode()
    date = timezone.localtime(sheet.signed_off_at).date().isoformat()
    assert f'<span class="issue-mark">第 1 版．{date} 完成複評發布</span>' in html
    assert "草稿" not in html
    assert IssuedReport.objects.get(year=year, format="xlsx").filename.endswith("-v1.xlsx")


def test_a_live_render_of_a_signed_off_year_is_still_a_draft(year, item, auditor):
    """Only the issuing job renders an issued version; anything else says it is a draft."""
    services.save_scores(year=year, round="review", scores=SEED, user=auditor)
    services.sign_off_review(year=year, user=auditor)
    data = build_report(year)
    assert data.is_draft and data.signed_off_at is not None and data.includes_review
