"""The task worker's heartbeat, with the real django-tasks-db worker and a real thread.

PostgreSQL only: the heartbeat runs in a thread with its own connection, which the tests'
in-memory SQLite database cannot give (production runs PostgreSQL; make test runs both).
"""

import time

import pytest
from django.core.management import call_command
from django.db import connection

from perfreport.reports import jobs, worker
from perfreport.reports.models import ExportJob, WorkerHeartbeat

Status = ExportJob.Status
pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("the heartbeat thread needs its own connection: PostgreSQL")


def test_run_worker_runs_a_queued_job_under_its_id_and_beats(year, item, auditor, settings):
    """The real django-tasks-db worker (batch mode) runs the job and records its heartbeat."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    job = jobs.start_export(year=year, format="json", user=auditor)
    beats = []
    original = worker.beat

    def recording_beat(worker_id):
        beats.append(original(worker_id).beat_at)
        return beats[-1]

    worker.beat, saved = recording_beat, worker.beat
    try:
        call_command(
            "run_worker",
            "--batch",
            "--no-reload",
            "--no-startup-delay",
            "--worker-id",
            "w-test",
            verbosity=0,
        )
    finally:
        worker.beat = saved
    job.refresh_from_db()
    assert (job.status, job.worker_id, job.attempts) == (Status.DONE, "w-test", 1)
    assert beats, "the heartbeat thread recorded nothing"
    # A worker that stops cleanly takes its heartbeat with it.
    assert not WorkerHeartbeat.objects.filter(worker_id="w-test").exists()


def test_the_heartbeat_thread_beats_until_stopped(settings):
    thread = worker.Heartbeat("w-thread", interval=0.05)
    thread.start()
    deadline = time.monotonic() + 10
    first = None
    while time.monotonic() < deadline:
        row = WorkerHeartbeat.objects.filter(worker_id="w-thread").first()
        if row and first is None:
            first = row.beat_at
        if row and first and row.beat_at > first:
            break
        time.sleep(0.05)
    thread.stop()
    assert not thread.is_alive()
    row = WorkerHeartbeat.objects.get(worker_id="w-thread")
    assert first is not None and row.beat_at > first
