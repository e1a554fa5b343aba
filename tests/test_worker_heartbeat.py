"""The task worker's heartbeat, with the real django-tasks-db worker and a real thread.

PostgreSQL only: the heartbeat runs in a thread with its own connection, which the tests'
in-memory SQLite database cannot give (production runs PostgreSQL; make test runs both).
"""

import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings as django_settings
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


def _worker(worker_id: str, tmp_path) -> subprocess.Popen:
    """A real `manage.py run_worker` process on the test database, with short timings."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": (
            f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        ),
        "PERFREPORT_TESTING": "0",  # the database task backend, as in production
        "DEBUG": "1",
        "MEDIA_ROOT": str(tmp_path),
        "WORKER_HEARTBEAT_SECONDS": "1",
        "EXPORT_JOB_LEASE_SECONDS": "3",
    }
    with (tmp_path / f"{worker_id}.log").open("w") as log:  # the child keeps its own copy
        return subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "run_worker",
                "--no-reload",
                "--no-startup-delay",
                "--interval",
                "0.2",
                "--worker-id",
                worker_id,
            ],
            cwd=django_settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def _wait_for(predicate, seconds: float):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(0.1)
    return None


def test_a_worker_killed_mid_export_leaves_a_job_the_next_worker_finishes(seed, settings, tmp_path):
    """kill -9 during the 38-page PDF; the restarted worker reclaims the job and renders it."""
    from django.contrib.auth import get_user_model

    from strategies.models import Year

    auditor = get_user_model().objects.get(username="auditor")
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.EXPORT_JOB_LEASE_SECONDS = 3
    year = Year.objects.get(organization__code="khh", roc_year=112)
    job = jobs.start_export(year=year, format="pdf", user=auditor)

    first = _worker("w-first", tmp_path)
    try:
        running = _wait_for(
            lambda: ExportJob.objects.filter(pk=job.pk, status=Status.RUNNING).exists(), 60
        )
        assert running, (tmp_path / "w-first.log").read_text()
    finally:
        first.send_signal(signal.SIGKILL)  # no clean shutdown: the job stays "running"
        first.wait()
    job.refresh_from_db()
    assert (job.status, job.worker_id) == (Status.RUNNING, "w-first")

    second = _worker("w-second", tmp_path)
    try:
        done = _wait_for(
            lambda: ExportJob.objects.filter(pk=job.pk, status=Status.DONE).exists(), 180
        )
    finally:
        second.terminate()
        second.wait(timeout=60)
    job.refresh_from_db()
    assert done, (job.status, job.step, (tmp_path / "w-second.log").read_text()[-2000:])
    assert (job.worker_id, job.attempts) == ("w-second", 2)
    assert bytes(job.content).startswith(b"%PDF")
