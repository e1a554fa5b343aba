"""The task worker's heartbeat: `manage.py run_worker` is db_worker plus a thread that, every
WORKER_HEARTBEAT_SECONDS, records that the worker is alive (WorkerHeartbeat, read by the
healthcheck), renews the lease of the export jobs it runs, and reclaims the jobs of workers
that died (jobs.reclaim_stale_jobs).
"""

import logging
import os
import socket
import threading

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from perfreport.reports import jobs
from perfreport.reports.models import WorkerHeartbeat

logger = logging.getLogger(__name__)


def beat(worker_id: str) -> WorkerHeartbeat:
    """Record that this worker is alive now and renew its jobs' leases."""
    now = timezone.now()
    heartbeat, created = WorkerHeartbeat.objects.get_or_create(
        worker_id=worker_id,
        defaults={
            "hostname": socket.gethostname()[:255],
            "pid": os.getpid(),
            "started_at": now,
            "beat_at": now,
        },
    )
    if not created:
        WorkerHeartbeat.objects.filter(pk=heartbeat.pk).update(beat_at=now)
        heartbeat.beat_at = now
    jobs.renew_leases(worker_id, now=now)
    return heartbeat


def latest_heartbeat() -> WorkerHeartbeat | None:
    return WorkerHeartbeat.objects.order_by("-beat_at").first()


def forget(worker_id: str) -> None:
    """A worker that stops cleanly removes its heartbeat (it is not a dead worker)."""
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


class Heartbeat(threading.Thread):
    """Beats until stopped; a database outage is logged and the next beat tries again."""

    def __init__(self, worker_id: str, interval: float | None = None) -> None:
        super().__init__(name=f"heartbeat-{worker_id[:8]}", daemon=True)
        self.worker_id = worker_id
        self.interval = interval or settings.WORKER_HEARTBEAT_SECONDS
        self.stopped = threading.Event()

    def run(self) -> None:
        while True:
            try:
                beat(self.worker_id)
                jobs.reclaim_stale_jobs()
            except DatabaseError as error:
                logger.warning("worker heartbeat not recorded: %s", error)
            finally:
                connection.close()  # this thread's own connection; a fresh one next beat
            if self.stopped.wait(self.interval):
                return

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=self.interval + 5)
