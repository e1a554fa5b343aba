"""Work that takes seconds runs as a Django task; the browser follows its progress.

Exports (the PDF): `start_export` records the job and enqueues the task once the transaction
commits; the task renders through the same `render_for_download` as a direct download, so both
give the same bytes. Issuing a signed-off year's report: `run_issue_job` runs
`issuing.issue_version`, which is idempotent (a retried or duplicated task does no harm).
"""

from django.db import transaction
from django.tasks import task
from django.utils import timezone

from perfreport.reports import issuing
from perfreport.reports.exporters import EXPORTERS
from perfreport.reports.issuing import render_for_download
from perfreport.reports.models import ExportJob, IssuedVersion
from strategies.errors import DomainError
from strategies.models import Year

Status = ExportJob.Status


def start_export(*, year: Year, format: str, user) -> ExportJob:  # type: ignore[no-untyped-def]
    """Record an export job for the user and queue it; the caller has checked the permission."""
    if format not in EXPORTERS:
        raise DomainError(f"沒有「{format}」這種匯出格式。")
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


@task
def run_export_job(job_id: int) -> None:
    """Render the job's format, recording progress; a failure is kept on the job, not raised."""
    job = ExportJob.objects.select_related("year__organization").get(pk=job_id)
    if job.status != Status.QUEUED:
        return  # already run (a task retried after a worker restart)
    _advance(job, status=Status.RUNNING, progress=10, step="整理報告資料")
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


def job_for(user, pk: int) -> ExportJob:  # type: ignore[no-untyped-def]
    """The user's own job (another person's job does not exist for them)."""
    return ExportJob.objects.select_related("year__organization").get(pk=pk, requested_by=user)


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
