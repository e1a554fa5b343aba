"""deploy/: the systemd units parse and name commands that exist; the nginx site is the
README's and nginx accepts it.

`systemd-analyze verify` and `nginx -t` run where they are installed, on copies pointed at
this checkout (the units name /srv/perfreport/app, which a test machine does not have);
the plain parser checks run everywhere.
"""

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.management import get_commands

DEPLOY = Path(settings.BASE_DIR) / "deploy"
UNITS = sorted(DEPLOY.glob("*.service")) + sorted(DEPLOY.glob("*.timer"))
APP = "/srv/perfreport/app"


def parse_unit(path: Path) -> dict[str, list[tuple[str, str]]]:
    """Sections of a unit file, each a list of (key, value) (keys may repeat: OnCalendar=)."""
    sections: dict[str, list[tuple[str, str]]] = {}
    current = None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if re.fullmatch(r"\[[A-Za-z]+\]", line):
            current = sections.setdefault(line[1:-1], [])
            continue
        key, sep, value = line.partition("=")
        assert current is not None and sep and re.fullmatch(r"[A-Za-z]+", key), (
            f"{path.name}:{number}: not a key=value line in a section: {raw!r}"
        )
        current.append((key, value))
    return sections


def value(sections, section, key):
    values = [v for k, v in sections.get(section, []) if k == key]
    return values[-1] if values else None


def test_there_are_units_for_the_web_the_worker_and_the_reminders():
    names = {path.name for path in UNITS}
    assert {
        "perfreport-web.service",
        "perfreport-worker.service",
        "perfreport-reminders.service",
        "perfreport-reminders.timer",
    } <= names


@pytest.mark.parametrize("path", [p for p in UNITS if p.suffix == ".service"], ids=lambda p: p.name)
def test_each_service_runs_a_command_that_exists(path):
    sections = parse_unit(path)
    start = value(sections, "Service", "ExecStart")
    assert start, f"{path.name} has no ExecStart"
    program, *args = start.split()
    assert program.startswith(f"{APP}/.venv/bin/")
    # The same program exists in this checkout's virtualenv.
    local = Path(settings.BASE_DIR) / ".venv" / "bin" / Path(program).name
    assert local.exists(), f"{path.name}: {Path(program).name} is not installed"
    if Path(program).name == "python":
        assert args[0] == "manage.py"
        assert args[1] in get_commands(), f"{path.name}: no management command {args[1]!r}"
    else:
        assert Path(settings.BASE_DIR, args[args.index("-c") + 1]).exists()
    assert value(sections, "Service", "WorkingDirectory") == APP
    assert value(sections, "Service", "EnvironmentFile") == "/etc/perfreport/perfreport.env"
    assert value(sections, "Service", "User") == "perfreport"


def test_the_worker_always_restarts():
    sections = parse_unit(DEPLOY / "perfreport-worker.service")
    assert value(sections, "Service", "Restart") == "always"
    assert "run_worker" in value(sections, "Service", "ExecStart")


@pytest.mark.parametrize("path", [p for p in UNITS if p.suffix == ".timer"], ids=lambda p: p.name)
def test_each_timer_starts_a_service_that_is_there(path):
    sections = parse_unit(path)
    unit = value(sections, "Timer", "Unit") or path.with_suffix(".service").name
    assert (DEPLOY / unit).exists()
    assert value(sections, "Install", "WantedBy") == "timers.target"


def local_copies(tmp_path: Path) -> list[Path]:
    """The units pointed at this checkout and the current user, for an offline verify."""
    env = tmp_path / "perfreport.env"
    env.write_text("", encoding="utf-8")
    copies = []
    for path in UNITS:
        text = (
            path.read_text(encoding="utf-8")
            .replace(APP, str(settings.BASE_DIR))
            .replace("/srv/perfreport/media", str(tmp_path))
            .replace("/etc/perfreport/perfreport.env", str(env))
        )
        text = re.sub(r"^(User|Group)=.*$", r"\1=root", text, flags=re.MULTILINE)
        copy = tmp_path / path.name
        copy.write_text(text, encoding="utf-8")
        copies.append(copy)
    return copies


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze not installed")
def test_systemd_analyze_verifies_the_units(tmp_path):
    copies = local_copies(tmp_path)
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *map(str, copies)],
        capture_output=True,
        text=True,
        check=False,
    )
    # Bad values are only warnings (exit 0): any line about our files is a failure.
    ours = [
        line for line in result.stderr.splitlines() if str(tmp_path) in line or "perfreport" in line
    ]
    assert result.returncode == 0 and not ours, result.stderr


def readme_nginx_block() -> str:
    readme = (Path(settings.BASE_DIR) / "README.md").read_text(encoding="utf-8")
    return re.search(r"```nginx\n(.*?)```", readme, re.DOTALL).group(1)


def test_the_nginx_site_has_every_line_the_readme_shows():
    site = (DEPLOY / "nginx-perfreport.conf").read_text(encoding="utf-8")
    site_lines = {line.split("#")[0].strip() for line in site.splitlines()}
    missing = [
        line.split("#")[0].strip()
        for line in readme_nginx_block().splitlines()
        if line.split("#")[0].strip() and line.split("#")[0].strip() not in site_lines
    ]
    assert not missing, f"in the README's nginx block but not in deploy/: {missing}"


@pytest.mark.skipif(not shutil.which("nginx"), reason="nginx not installed")
def test_nginx_accepts_the_site(tmp_path):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "perfreport.example.gov.tw")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    site = (DEPLOY / "nginx-perfreport.conf").read_text(encoding="utf-8")
    site = re.sub(r"ssl_certificate\s+\S+;", f"ssl_certificate {tmp_path / 'cert.pem'};", site)
    site = re.sub(
        r"ssl_certificate_key\s+\S+;", f"ssl_certificate_key {tmp_path / 'key.pem'};", site
    )
    (tmp_path / "site.conf").write_text(site, encoding="utf-8")
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path / 'nginx.pid'};\nerror_log {tmp_path / 'error.log'};\n"
        "events {}\n"
        f"http {{ access_log off; client_body_temp_path {tmp_path}; "
        f"include {tmp_path / 'site.conf'}; }}\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        ["nginx", "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
