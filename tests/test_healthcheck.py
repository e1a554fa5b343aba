"""`manage.py healthcheck` and `/healthz/?deep=1`: database, media folder, worker heartbeat,
signing key; each failure named, the exit status non-zero."""

import datetime as dt
import re
from io import StringIO

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12
from cryptography.x509.oid import NameOID
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from perfreport.reports.models import ExportJob, WorkerHeartbeat

pytestmark = pytest.mark.django_db


def write_pkcs12(path, passphrase: str, *, valid_days: int = 365, expired: bool = False):
    """A real self-signed certificate and key in a PKCS#12 file (made here, never committed)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "perfreport test signer")])
    now = timezone.now()
    start = now - dt.timedelta(days=400 if expired else 1)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(
            now - dt.timedelta(days=1) if expired else now + dt.timedelta(days=valid_days)
        )
        .sign(key, hashes.SHA256())
    )
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"signer", key, certificate, None, BestAvailableEncryption(passphrase.encode())
        )
    )
    return path


@pytest.fixture
def healthy(settings, tmp_path):
    """A worker-backed setup whose worker beat just now, with a writable media folder."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    settings.SIGNING_PKCS12 = ""
    now = timezone.now()
    WorkerHeartbeat.objects.create(
        worker_id="w1", hostname="app1", pid=4242, started_at=now, beat_at=now
    )
    return settings


def healthcheck() -> tuple[str, str | None]:
    out = StringIO()
    try:
        call_command("healthcheck", stdout=out)
    except CommandError as error:
        assert error.returncode == 1
        return out.getvalue(), str(error)
    return out.getvalue(), None


def test_all_well_exits_zero_and_says_what_it_checked(healthy):
    out, error = healthcheck()
    assert error is None
    assert "ok   database:" in out and "migrations applied" in out
    assert "ok   media:" in out and "is writable" in out
    assert re.search(r"ok   worker: heartbeat \d+ s ago \(app1 pid 4242\)", out)
    assert "ok   signing key: not configured (SIGNING_PKCS12 is unset)" in out


def test_a_media_folder_that_is_not_there_is_named(healthy, tmp_path):
    healthy.MEDIA_ROOT = tmp_path / "gone"
    out, error = healthcheck()
    assert error == "unhealthy: media"
    assert f"FAIL media: {tmp_path / 'gone'} is not a folder" in out


def test_a_silent_worker_is_named(healthy):
    WorkerHeartbeat.objects.update(beat_at=timezone.now() - dt.timedelta(minutes=10))
    out, error = healthcheck()
    assert error == "unhealthy: worker"
    assert re.search(r"FAIL worker: last heartbeat 6\d\d s ago \(app1 pid 4242\), over 45 s", out)


def test_no_worker_at_all_is_named(healthy):
    WorkerHeartbeat.objects.all().delete()
    out, error = healthcheck()
    assert error == "unhealthy: worker"
    assert "is `manage.py run_worker` running?" in out


def test_an_export_job_past_its_lease_is_named(healthy, year, auditor):
    ExportJob.objects.create(
        year=year,
        format="pdf",
        requested_by=auditor,
        status=ExportJob.Status.RUNNING,
        worker_id="dead",
        heartbeat_at=timezone.now() - dt.timedelta(hours=1),
    )
    out, error = healthcheck()
    assert error == "unhealthy: worker"
    assert "1 export job(s) past their lease" in out


def test_a_signing_key_that_opens_is_described(healthy, tmp_path):
    healthy.SIGNING_PKCS12 = str(write_pkcs12(tmp_path / "signer.p12", "s3cret"))
    healthy.SIGNING_PKCS12_PASSPHRASE = "s3cret"
    out, error = healthcheck()
    assert error is None
    assert "ok   signing key: CN=perfreport test signer, valid until" in out


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("wrong passphrase", "does not open with SIGNING_PKCS12_PASSPHRASE"),
        ("missing file", "No such file or directory"),
        ("expired", "not today"),
    ],
)
def test_a_signing_key_problem_is_named(healthy, tmp_path, case, expected):
    path = write_pkcs12(tmp_path / "signer.p12", "s3cret", expired=case == "expired")
    healthy.SIGNING_PKCS12 = str(tmp_path / "nowhere.p12") if case == "missing file" else str(path)
    healthy.SIGNING_PKCS12_PASSPHRASE = "wrong" if case == "wrong passphrase" else "s3cret"
    out, error = healthcheck()
    assert error == "unhealthy: signing key"
    assert "FAIL signing key:" in out and expected in out


def test_several_problems_are_all_named(healthy, tmp_path):
    healthy.MEDIA_ROOT = tmp_path / "gone"
    WorkerHeartbeat.objects.all().delete()
    _out, error = healthcheck()
    assert error == "unhealthy: media, worker"


class TestDeepHealthz:
    def test_plain_healthz_does_not_run_the_checks(self, client, healthy):
        response = client.get(reverse("healthz"))
        assert response.content == b"ok\n"

    def test_from_loopback_without_a_proxy_it_runs_the_checks(self, client, healthy):
        response = client.get(reverse("healthz"), {"deep": "1"})
        assert response.status_code == 200
        assert "ok   worker: heartbeat" in response.content.decode()

    def test_a_failure_answers_503_naming_it(self, client, healthy):
        WorkerHeartbeat.objects.all().delete()
        response = client.get(reverse("healthz"), {"deep": "1"})
        assert response.status_code == 503
        assert "FAIL worker:" in response.content.decode()

    def test_through_the_proxy_it_needs_the_token(self, client, healthy):
        response = client.get(
            reverse("healthz"), {"deep": "1"}, headers={"X-Forwarded-For": "203.0.113.9"}
        )
        assert response.status_code == 403
        assert b"worker" not in response.content

    def test_with_a_token_set_only_the_token_opens_it(self, client, healthy):
        healthy.HEALTHCHECK_TOKEN = "monitor-token"
        url = reverse("healthz")
        assert client.get(url, {"deep": "1"}).status_code == 403
        wrong = client.get(url, {"deep": "1"}, headers={"X-Healthcheck-Token": "guess"})
        assert wrong.status_code == 403
        right = client.get(
            url,
            {"deep": "1"},
            headers={"X-Healthcheck-Token": "monitor-token", "X-Forwarded-For": "203.0.113.9"},
        )
        assert right.status_code == 200
        assert "ok   database:" in right.content.decode()
