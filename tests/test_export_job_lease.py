"""A running export job holds a lease its worker renews; a dead worker's job is retried or
failed with a message, and the progress page says what is going on."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from perfreport.reports import jobs, worker
from perfreport.reports.models import ExportJob, WorkerHeartbeat
from tests.conftest import login

Status = ExportJob.Status


def running_job(year, user, *, silent_for: int, attempts: int = 1, worker_id: str = "dead"):
    return ExportJob.objects.create(
        year=year,
        format="json",
        requested_by=user,
        status=Status.RUNNING,
        progress=10,
        step="整理報告資料",
        worker_id=worker_id,
        heartbeat_at=timezone.now() - dt.timedelta(seconds=silent_for),
        attempts=attempts,
    )


@pytest.mark.django_db
class TestDeadWorker:
    def test_the_page_says_the_worker_stopped_answering(self, client, year, auditor, settings):
        job = running_job(year, auditor, silent_for=settings.EXPORT_JOB_LEASE_SECONDS + 5)
        login(client, auditor)
        page = client.get(reverse("reports:export-job", args=[job.pk])).content.decode()
        assert '<p id="job-stale" class="form-errors" role="alert">' in page
        assert "工作程序已有一段時間沒有回應" in page
        status = client.get(reverse("reports:export-job-status", args=[job.pk])).json()
        assert (status["status"], status["stale"]) == ("running", True)

    def test_a_job_within_its_lease_is_not_called_stale(self, client, year, auditor):
        job = running_job(year, auditor, silent_for=5)
        login(client, auditor)
        page = client.get(reverse("reports:export-job", args=[job.pk])).content.decode()
        assert '<p id="job-stale" class="form-errors" role="alert" hidden>' in page
        assert jobs.reclaim_stale_jobs() == []
        job.refresh_from_db()
        assert job.status == Status.RUNNING

    def test_a_dead_workers_job_is_queued_again_and_completes(
        self, client, year, item, auditor, settings, django_capture_on_commit_callbacks
    ):
        job = running_job(year, auditor, silent_for=settings.EXPORT_JOB_LEASE_SECONDS + 5)
        with django_capture_on_commit_callbacks(execute=True):
            (reclaimed,) = jobs.reclaim_stale_jobs()
        assert reclaimed.pk == job.pk
        job.refresh_from_db()
        # Queued again and run at once by the tests' immediate task backend.
        assert (job.status, job.attempts, job.filename) == (
            Status.DONE,
            2,
            "高雄分局113年度提升服務效能執行績效與成果-draft.json",
        )
        login(client, auditor)
        status = client.get(reverse("reports:export-job-status", args=[job.pk])).json()
        assert status["download_url"] and status["stale"] is False

    def test_a_job_whose_worker_died_twice_fails_with_a_message(
        self, client, year, auditor, settings
    ):
        job = running_job(
            year, auditor, silent_for=settings.EXPORT_JOB_LEASE_SECONDS + 5, attempts=2
        )
        jobs.reclaim_stale_jobs()
        job.refresh_from_db()
        assert job.status == Status.FAILED
        assert "工作程序中斷了 2 次" in job.error
        login(client, auditor)
        page = client.get(reverse("reports:export-job", args=[job.pk])).content.decode()
        assert "工作程序中斷了 2 次" in page
        assert client.get(reverse("reports:export-job-download", args=[job.pk])).status_code == 404

    def test_two_reclaimers_queue_the_job_once(
        self, year, auditor, settings, django_capture_on_commit_callbacks
    ):
        running_job(year, auditor, silent_for=settings.EXPORT_JOB_LEASE_SECONDS + 5)
        with django_capture_on_commit_callbacks() as callbacks:
            first = jobs.reclaim_stale_jobs()
            second = jobs.reclaim_stale_jobs()
        assert (len(first), second, len(callbacks)) == (1, [], 1)

    def test_a_live_worker_renews_its_jobs_lease(self, year, auditor, settings):
        job = running_job(
            year, auditor, silent_for=settings.EXPORT_JOB_LEASE_SECONDS + 5, worker_id="alive"
        )
        worker.beat("alive")
        assert jobs.reclaim_stale_jobs() == []
        job.refresh_from_db()
        assert job.status == Status.RUNNING
        assert WorkerHeartbeat.objects.get(worker_id="alive").beat_at == job.heartbeat_at
