"""A PDF export runs as a background task: the page follows its progress, then downloads it."""

import pytest
from django.urls import reverse

from perfreport.reports import jobs
from perfreport.reports.models import ExportJob
from tests.conftest import login

pytestmark = pytest.mark.django_db


def start_url(year, fmt="pdf"):
    return reverse(
        "reports:export-start",
        kwargs={"org": year.organization.code, "roc_year": year.roc_year, "format": fmt},
    )


@pytest.fixture
def run_tasks(django_capture_on_commit_callbacks):
    """Tasks are queued when the transaction commits; run them at once, as a worker would."""

    def post(client, url):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url)

    return post


def test_the_auditor_starts_a_pdf_export_and_downloads_it(client, year, item, auditor, run_tasks):
    login(client, auditor)
    response = run_tasks(client, start_url(year))
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:export-job", args=[job.pk])

    page = client.get(response["Location"])
    assert "匯出 PDF" in page.content.decode()
    status = client.get(reverse("reports:export-job-status", args=[job.pk])).json()
    assert status["status"] == "done"
    assert status["progress"] == 100
    assert status["filename"] == "高雄分局113年度提升服務效能執行績效與成果-draft.pdf"

    download = client.get(status["download_url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download.content.startswith(b"%PDF")
    # The same bytes as a direct download's render would give: one code path.
    job.refresh_from_db()
    assert bytes(job.content) == download.content


def test_a_failed_export_says_why_and_offers_no_file(client, year, auditor, monkeypatch, run_tasks):
    def broken(year, identifier):
        raise RuntimeError("字型檔遺失")

    monkeypatch.setattr(jobs, "render_for_download", broken)
    login(client, auditor)
    run_tasks(client, start_url(year))
    job = ExportJob.objects.get()
    status = client.get(reverse("reports:export-job-status", args=[job.pk])).json()
    assert status["status"] == "failed"
    assert "字型檔遺失" in status["error"]
    assert status["download_url"] == ""
    assert client.get(reverse("reports:export-job-download", args=[job.pk])).status_code == 404


def test_staff_may_not_start_exports_and_nothing_is_queued(client, year, staff_a):
    login(client, staff_a)
    assert client.post(start_url(year)).status_code == 403
    assert not ExportJob.objects.exists()


def test_strangers_get_404(client, year, outsider):
    login(client, outsider)
    assert client.post(start_url(year)).status_code == 404
    assert not ExportJob.objects.exists()


def test_a_job_is_only_its_requesters(client, year, auditor, admin_user):
    login(client, auditor)
    client.post(start_url(year))
    job = ExportJob.objects.get()
    login(client, admin_user)
    for name in ("reports:export-job", "reports:export-job-status", "reports:export-job-download"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404


def test_unknown_format_and_get_are_refused(client, year, auditor):
    login(client, auditor)
    assert client.post(start_url(year, "rtf")).status_code == 404
    assert client.get(start_url(year)).status_code == 405
    assert not ExportJob.objects.exists()


def test_status_polling_costs_few_queries(client, year, auditor, django_assert_max_num_queries):
    login(client, auditor)
    client.post(start_url(year))
    job = ExportJob.objects.get()
    # session, user, the job with its year and organization, the membership (may they still
    # download?), and the session's save (savepoint, update, release): whatever the report's size.
    with django_assert_max_num_queries(7):
        client.get(reverse("reports:export-job-status", args=[job.pk]))


def test_a_job_closes_when_its_requester_loses_the_right(client, year, auditor, unit_a, run_tasks):
    login(client, auditor)
    run_tasks(client, start_url(year))
    job = ExportJob.objects.get()
    membership = auditor.membership
    membership.role, membership.unit = "staff", unit_a
    membership.save()
    assert client.get(reverse("reports:export-job-download", args=[job.pk])).status_code == 403
