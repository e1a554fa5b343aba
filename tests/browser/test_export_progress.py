"""The auditor asks for the PDF: the page follows the background export, then offers the file."""

import pytest
from playwright.sync_api import expect

from perfreport.reports.models import ExportJob
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pdf_export_shows_progress_then_the_download(
    page, live_server, login_as, shots, year, item, auditor
):
    login_as(page, "auditor", PASSWORD)
    page.goto(f"{live_server.url}/reports/khh/113/")
    page.click("#export-pdf")
    expect(page.locator("h1")).to_have_text("匯出 PDF")
    expect(page.locator("#job-download")).to_be_visible(timeout=30_000)
    expect(page.locator("#job-percent")).to_have_text("100%")
    expect(page.locator("#job-status")).to_have_text("完成")
    shots(page, "export-done")
    with page.expect_download() as download:
        page.click("#job-download-link")
    assert (
        download.value.suggested_filename == "高雄分局113年度提升服務效能執行績效與成果-draft.pdf"
    )
    job = ExportJob.objects.get()
    assert (job.requested_by, job.status) == (auditor, ExportJob.Status.DONE)
    with open(download.value.path(), "rb") as handle:
        assert handle.read() == bytes(job.content)


def test_a_job_whose_worker_died_says_so_then_shows_the_outcome(
    page, live_server, login_as, shots, year, item, auditor
):
    import datetime as dt

    from django.utils import timezone

    from perfreport.reports import jobs

    job = ExportJob.objects.create(
        year=year,
        format="pdf",
        requested_by=auditor,
        status=ExportJob.Status.RUNNING,
        progress=10,
        step="整理報告資料",
        worker_id="dead",
        heartbeat_at=timezone.now() - dt.timedelta(hours=1),
        attempts=jobs.MAX_ATTEMPTS,
    )
    login_as(page, "auditor", PASSWORD)
    page.goto(f"{live_server.url}/reports/jobs/{job.pk}/")
    expect(page.locator("#job-stale")).to_be_visible()
    shots(page, "export-stale")
    # A live worker reclaims it: after two runs, it fails with a message the page then shows.
    jobs.reclaim_stale_jobs()
    expect(page.locator("#job-error")).to_be_visible(timeout=10_000)
    expect(page.locator("#job-error-text")).to_contain_text("工作程序中斷了 2 次")
    expect(page.locator("#job-stale")).to_be_hidden()
