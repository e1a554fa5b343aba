"""Work that takes seconds runs as a Django task; the browser follows its progress.

Exports (the PDF): `start_export` records the job and enqueues the task once the transaction
commits; the task renders through the same `render_for_download` as a direct download, so both
give the same bytes. Issuing a signed-off year's report: `run_issue_job` runs
`issuing.issue_version`, which is idempotent (a retried or duplicated task does no harm).

A running job holds a lease: the worker that runs it renews `heartbeat_at` every few seconds
(perfreport/reports/worker.py). When a worker dies mid-job (killed, out of memory, machine
restarted) its lease runs out; `reclaim_stale_jobs`, run by every live worker, queues the job
again, or after MAX_ATTEMPTS runs marks it failed with a message the person waiting reads.
"""

import datetime as dt
import functools
import logging

from django.conf import settings
from django.db import transaction
from django.tasks import TaskContext, task
from django.utils import timezone
from django.utils.translation import gettext

from perfreport.reports import issuing
from perfreport.reports.exporters import EXPORTERS
from perfreport.reports.issuing import render_for_download
from perfreport.reports.models import ExportJob, IssuedVersion
from strategies.auth import User
from strategies.errors import DomainError
from strategies.models import Year

logger = logging.getLogger(__name__)
Status = ExportJob.Status

# Runs of one job before a dead worker makes it fail instead of being queued again.
MAX_ATTEMPTS = 2


def lease_seconds() -> int:
    """How long a running job may go without its worker's heartbeat before it counts as dead."""
    return settings.EXPORT_JOB_LEASE_SECONDS


def lease_expired(job: ExportJob, *, now: dt.datetime | None = None) -> bool:
    """A running job whose worker stopped renewing its lease (the page says so)."""
    if job.status != Status.RUNNING:
        return False
    last = job.heartbeat_at or job.created_at
    return (now or timezone.now()) - last > dt.timedelta(seconds=lease_seconds())


def start_export(*, year: Year, format: str, user: User) -> ExportJob:
    """Record an export job for the user and queue it; the caller has checked the permission."""
    if format not in EXPORTERS:
        raise DomainError(gettext("沒有「%(format)s」這種匯出格式。") % {"format": format})
    with transaction.atomic():
        job = ExportJob.objects.create(
            year=year, format=format, requested_by=user, step="排隊等待產生"
        )
        transaction.on_commit(lambda: run_export_job.enqueue(job.pk))
    return job


def _advance(job: ExportJob, **fields: object) -> None:
    for name, value in fields.items():
        setattr(job, name, value)
    job.save(update_fields=list(fields))


@task(takes_context=True)
def run_export_job(context: TaskContext[[int], None], job_id: int) -> None:
    """Render the job's format, recording progress; a failure is kept on the job, not raised."""
    job = ExportJob.objects.select_related("year__organization").get(pk=job_id)
    if job.status != Status.QUEUED:
        return  # already run (a task retried after a worker restart)
    worker_ids = context.task_result.worker_ids
    _advance(
        job,
        status=Status.RUNNING,
        progress=10,
        step="整理報告資料",
        worker_id=worker_ids[-1] if worker_ids else "",
        heartbeat_at=timezone.now(),
        attempts=job.attempts + 1,
    )
    try:
        download = render_for_download(job.year, job.format)
        content = download.read()
    except Exception as exc:  # noqa: BLE001 - any failure is shown to the person waiting
        _advance(
            job,
            status=Status.FAILED,
            progress=100,
            step="產生失敗",
            error=f"{type(exc).__name__}: {exc}",
            finished_at=timezone.now(),
        )
        raise
    _advance(
        job,
        status=Status.DONE,
        progress=100,
        step="檔案已產生",
        filename=download.filename,
        ascii_filename=download.ascii_filename,
        content_type=download.content_type,
        content=content,
        finished_at=timezone.now(),
    )


def job_for(user: User, pk: int) -> ExportJob:
    """The user's own job (another person's job does not exist for them)."""
    return ExportJob.objects.select_related("year__organization").get(pk=pk, requested_by=user)


def renew_leases(worker_id: str, *, now: dt.datetime | None = None) -> int:
    """The worker's heartbeat: extend the lease of every job it is running. One query."""
    return ExportJob.objects.filter(status=Status.RUNNING, worker_id=worker_id).update(
        heartbeat_at=now or timezone.now()
    )


def reclaim_stale_jobs(*, now: dt.datetime | None = None) -> list[ExportJob]:
    """Queue again (or fail, after MAX_ATTEMPTS) every running job whose lease ran out.

    Each job is claimed by compare-and-set on its status and heartbeat, so two workers
    reclaiming at once requeue it only once.
    """
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=lease_seconds())
    stale = ExportJob.objects.filter(status=Status.RUNNING, heartbeat_at__lt=cutoff) | (
        ExportJob.objects.filter(
            status=Status.RUNNING, heartbeat_at__isnull=True, created_at__lt=cutoff
        )
    )
    reclaimed = []
    for job in stale:
        claim = ExportJob.objects.filter(
            pk=job.pk, status=Status.RUNNING, heartbeat_at=job.heartbeat_at
        )
        if job.attempts >= MAX_ATTEMPTS:
            fields: dict[str, object] = {
                "status": Status.FAILED,
                "progress": 100,
                "step": "產生失敗",
                "error": (
                    f"產生檔案的工作程序中斷了 {job.attempts} 次，已停止重試；"
                    "請重新申請匯出，若仍失敗請洽系統管理者。"
                ),
                "finished_at": now,
            }
        else:
            fields = {
                "status": Status.QUEUED,
                "progress": 0,
                "step": "產生檔案的工作程序中斷，已重新排隊",
                "worker_id": "",
                "heartbeat_at": None,
            }
        with transaction.atomic():
            if not claim.update(**fields):
                continue  # another worker reclaimed it first
            if fields["status"] == Status.QUEUED:
                transaction.on_commit(functools.partial(run_export_job.enqueue, job.pk))
        logger.warning(
            "export job %s: worker %s stopped renewing its lease; %s",
            job.pk,
            job.worker_id or "?",
            "queued again" if fields["status"] == Status.QUEUED else "marked failed",
        )
        job.refresh_from_db()
        reclaimed.append(job)
    return reclaimed


@task
def run_issue_job(version_id: int) -> None:
    """Issue a queued version of a signed-off year's report (see issuing.issue_version)."""
    issuing.issue_version(version_id)


def queue_issue(version: IssuedVersion) -> None:
    """Enqueue the version's issuing once the current transaction commits."""
    transaction.on_commit(lambda: run_issue_job.enqueue(version.pk))


def retry_issue(version: IssuedVersion) -> bool:
    """Queue a failed version again (its stored formats are kept); False if it had not failed."""
    with transaction.atomic():
        updated = IssuedVersion.objects.filter(
            pk=version.pk, status=IssuedVersion.Status.FAILED
        ).update(status=IssuedVersion.Status.QUEUED, step="排隊等待產生", progress=0)
        if updated:
            queue_issue(version)
    return bool(updated)
