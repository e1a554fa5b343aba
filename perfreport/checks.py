"""What an operator asks before trusting the service: `manage.py healthcheck` and
`/healthz/?deep=1` run the same checks.

- database: answers, and every migration is applied;
- media: MEDIA_ROOT is a folder the app can write to (evidence uploads);
- worker: the task worker's heartbeat is fresh (`manage.py run_worker`), and no export job is
  past its lease;
- signing key: the PKCS#12 file in SIGNING_PKCS12 opens with SIGNING_PKCS12_PASSPHRASE and its
  certificate is valid today ("not configured" when unset; that is not a failure).
"""

import datetime as dt
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

DATABASE_WORKER_BACKEND = "django_tasks_db.DatabaseBackend"


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str

    def line(self) -> str:
        return f"{'ok  ' if self.ok else 'FAIL'} {self.name}: {self.detail}"


def check_database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as error:
        return Check("database", False, f"does not answer: {error}".strip())
    if plan:
        return Check("database", False, f"{len(plan)} migration(s) not applied: run migrate")
    return Check("database", True, f"{connection.vendor} answers, migrations applied")


def check_media() -> Check:
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return Check("media", False, f"{root} is not a folder")
    try:
        with tempfile.NamedTemporaryFile(dir=root, prefix=".healthcheck-"):
            pass
    except OSError as error:
        return Check("media", False, f"{root} is not writable: {error.strerror}")
    return Check("media", True, f"{root} is writable")


def check_worker() -> Check:
    from perfreport.reports.jobs import lease_seconds
    from perfreport.reports.models import ExportJob
    from perfreport.reports.worker import latest_heartbeat

    if settings.TASKS["default"]["BACKEND"] != DATABASE_WORKER_BACKEND:
        return Check("worker", True, "tasks run in the web process (no worker to check)")
    try:
        heartbeat = latest_heartbeat()
        cutoff = timezone.now() - dt.timedelta(seconds=lease_seconds())
        overdue = ExportJob.objects.filter(
            status=ExportJob.Status.RUNNING, heartbeat_at__lt=cutoff
        ).count()
    except DatabaseError as error:
        return Check("worker", False, f"heartbeat unreadable: {error}".strip())
    if heartbeat is None:
        return Check("worker", False, "no heartbeat recorded: is `manage.py run_worker` running?")
    age = (timezone.now() - heartbeat.beat_at).total_seconds()
    limit = 3 * settings.WORKER_HEARTBEAT_SECONDS
    where = f"{heartbeat.hostname} pid {heartbeat.pid}"
    if age > limit:
        return Check("worker", False, f"last heartbeat {age:.0f} s ago ({where}), over {limit} s")
    if overdue:
        return Check("worker", False, f"{overdue} export job(s) past their lease ({where} alive)")
    return Check("worker", True, f"heartbeat {age:.0f} s ago ({where})")


def check_signing_key() -> Check:
    from cryptography.hazmat.primitives.serialization import pkcs12

    path = getattr(settings, "SIGNING_PKCS12", "") or ""
    if not str(path):
        return Check("signing key", True, "not configured (SIGNING_PKCS12 is unset)")
    passphrase = getattr(settings, "SIGNING_PKCS12_PASSPHRASE", "") or ""
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        return Check("signing key", False, f"{path}: {error.strerror}")
    try:
        _key, certificate, _chain = pkcs12.load_key_and_certificates(
            data, passphrase.encode() if passphrase else None
        )
    except ValueError:
        return Check("signing key", False, f"{path} does not open with SIGNING_PKCS12_PASSPHRASE")
    if certificate is None:
        return Check("signing key", False, f"{path} holds no certificate")
    now = timezone.now()
    if not certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc:
        return Check(
            "signing key",
            False,
            f"certificate valid {certificate.not_valid_before_utc:%Y-%m-%d} to "
            f"{certificate.not_valid_after_utc:%Y-%m-%d}, not today",
        )
    return Check(
        "signing key",
        True,
        f"{certificate.subject.rfc4514_string()}, valid until "
        f"{certificate.not_valid_after_utc:%Y-%m-%d}",
    )


def run_checks() -> list[Check]:
    return [check_database(), check_media(), check_worker(), check_signing_key()]
