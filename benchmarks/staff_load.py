"""What the load benchmarks share (load.py: one gunicorn; cluster.py: two nodes behind nginx):
a throwaway PostgreSQL database, the production settings for plain HTTP on loopback, the 10x
open year with its staff, gunicorn started and stopped as a process group, the simulated staff
member's scenario, and the check of every save against the database afterwards.

Only loopback addresses are ever targets: every server here is one this code started.
"""

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN_URL = os.environ.get("LOAD_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PASSWORD = "load-test-password-2024"  # noqa: S105 - a throwaway database's users
REQUEST_TIMEOUT = 30.0
MAX_ITERATIONS = 10_000  # per simulated user: a second bound besides the clock
LOGIN_STEPS = {"login form", "log in"}


def checked_db_name(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise SystemExit("database name: letters, digits and _ only")
    return name


def production_env(db_name: str, allowed_hosts: str) -> dict[str, str]:
    """Production settings (DEBUG off, SECRET_KEY set) with TLS redirect, secure cookies and
    login throttling off, because this is plain HTTP on loopback."""
    return {
        "DEBUG": "false",
        "SECRET_KEY": "load-benchmark-" + "k" * 50,
        "ALLOWED_HOSTS": allowed_hosts,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{checked_db_name(db_name)}",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
        "SECURE_HSTS_SECONDS": "0",
        "AXES_ENABLED": "false",
        "LOG_LEVEL": "ERROR",
    }


# --- measurements ---------------------------------------------------------------------------


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    error_samples: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def ok(self, step: str, seconds: float) -> None:
        with self.lock:
            self.latencies[step].append(seconds)

    def error(self, step: str, detail: str) -> None:
        with self.lock:
            self.errors[step] += 1
            if len(self.error_samples) < 10:
                self.error_samples.append(f"{step}: {detail}")

    def total_errors(self) -> int:
        return sum(self.errors.values())


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


@dataclass(frozen=True)
class Save:
    """One POST of an entry form: what it asked the server to store."""

    narrative: str
    status: str
    values: dict[int, int]


@dataclass
class Ledger:
    """Every save attempted, in order per (item, unit, month), and whether the server
    acknowledged it. A save whose response never came (timeout, node killed) may or may not be
    applied; an acknowledged one must be in the database."""

    attempts: dict[tuple, list[tuple[Save, bool]]] = field(default_factory=dict)
    # The form's version before the first save of the key (0 when the entry did not exist).
    start_version: dict[tuple, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def attempt(self, key: tuple, save: Save, form_version: int) -> int:
        with self.lock:
            self.start_version.setdefault(key, form_version)
            self.attempts.setdefault(key, []).append((save, False))
            return len(self.attempts[key]) - 1

    def acknowledge(self, key: tuple, index: int) -> None:
        with self.lock:
            save, _ack = self.attempts[key][index]
            self.attempts[key][index] = (save, True)

    def acknowledged(self) -> int:
        return sum(ack for saves in self.attempts.values() for _save, ack in saves)

    def merged(self, other: "Ledger") -> "Ledger":
        return Ledger(
            {**self.attempts, **other.attempts}, {**self.start_version, **other.start_version}
        )


@dataclass
class SaveCheck:
    checked: int = 0
    lost: list[str] = field(default_factory=list)  # acknowledged, not in the database
    half_applied: list[str] = field(default_factory=list)  # a mix of two saves, or of none
    duplicated: list[str] = field(default_factory=list)  # applied more often than sent
    unacknowledged: int = 0  # saves sent whose answer never came (or was an error)
    unacknowledged_applied: int = 0  # of them, the ones the database holds


def check_saves(ledger: Ledger) -> SaveCheck:
    """Every (item, unit, month) saved, compared with its row in the database: it holds the last
    acknowledged save or one sent after it (whole: narrative, status and values together), and
    its version rose at least once per acknowledged save and at most once per save sent."""
    from strategies.models import MonthlyEntry

    result = SaveCheck()
    entries = {
        (e.item_id, e.unit_id, e.month): e
        for e in MonthlyEntry.objects.prefetch_related("values").filter(
            item_id__in={k[0] for k in ledger.attempts}
        )
    }
    for key, saves in ledger.attempts.items():
        result.checked += 1
        entry = entries.get(key)
        acked = [n for n, (_save, ack) in enumerate(saves) if ack]
        result.unacknowledged += len(saves) - len(acked)
        if entry is None:
            if acked:
                result.lost.append(f"{key}: acknowledged {saves[acked[-1]][0]}, no row")
            continue
        found = Save(
            entry.narrative,
            entry.status,
            {v.indicator_id: int(v.value) for v in entry.values.all()},
        )
        allowed = [save for save, _ack in saves[acked[-1] if acked else 0 :]]
        applied = entry.version - ledger.start_version.get(key, 0)
        if found in allowed:
            if not saves[-1][1] and found == saves[-1][0]:
                result.unacknowledged_applied += 1
        elif acked or applied:
            if found in [save for save, _ack in saves]:
                result.lost.append(f"{key}: acknowledged {saves[acked[-1]][0]}, found {found}")
            else:
                result.half_applied.append(f"{key}: found {found}, sent {allowed}")
        if applied > len(saves):
            result.duplicated.append(f"{key}: {len(saves)} saves sent, version rose by {applied}")
        elif applied < len(acked):
            result.lost.append(f"{key}: {len(acked)} saves acknowledged, version rose by {applied}")
    return result


# --- the database and the year --------------------------------------------------------------


def create_database(name: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{checked_db_name(name)}" WITH (FORCE)')
        conn.execute(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0")


def drop_database(name: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{checked_db_name(name)}" WITH (FORCE)')


def setup_django(env: dict[str, str]) -> None:
    os.environ.pop("PERFREPORT_TESTING", None)
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "perfreport.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def multiply_items(year, factor: int) -> None:  # type: ignore[no-untyped-def]
    """Every item of the year `factor` times: copies in the same method, same host units and
    indicators, so each unit hosts `factor` times its share of the seed."""
    from django.db import transaction

    from strategies.models import Indicator, Item

    originals = list(
        Item.objects.filter(method__strategy__dimension__year=year).prefetch_related(
            "host_units", "indicators"
        )
    )
    with transaction.atomic():
        for copy in range(1, factor):
            clones = Item.objects.bulk_create(
                Item(
                    method_id=item.method_id,
                    order=item.order + 100 * copy,
                    title=f"{item.title}（複本 {copy}）" if item.title else f"複本 {copy}",
                    host_label=item.host_label,
                    planned_actions=item.planned_actions,
                )
                for item in originals
            )
            Item.host_units.through.objects.bulk_create(
                Item.host_units.through(item_id=clone.pk, unit_id=unit.pk)
                for item, clone in zip(originals, clones, strict=True)
                for unit in item.host_units.all()
            )
            Indicator.objects.bulk_create(
                Indicator(
                    item=clone,
                    order=indicator.order,
                    name=indicator.name,
                    measure=indicator.measure,
                    target=indicator.target,
                    aggregation=indicator.aggregation,
                    allows_decimals=indicator.allows_decimals,
                )
                for item, clone in zip(originals, clones, strict=True)
                for indicator in item.indicators.all()
            )


def build_data(users: int, scale: int) -> list[dict]:
    """Migrate, load the seed, build the open year 113 (items x scale) and the staff; return
    their work: each staff member's own (item, indicators, month) pairs."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command

    from strategies.models import Item, Membership, Organization, Year

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("loaddata", "khh_112", verbosity=0)
    call_command("copy_year", "--org", "khh", "--from", "112", "--to", "113", "--open", verbosity=0)
    org = Organization.objects.get(code="khh")
    year = Year.objects.get(organization=org, roc_year=113)
    multiply_items(year, scale)
    items = list(
        Item.objects.filter(method__strategy__dimension__year=year)
        .prefetch_related("host_units", "indicators")
        .order_by("pk")
    )
    host_units = sorted({u for item in items for u in item.host_units.all()}, key=lambda u: u.pk)

    User = get_user_model()
    hashed = make_password(PASSWORD)  # the production hasher, once: logins pay it, setup not
    staff = []
    for n in range(users):
        user = User.objects.create(username=f"load-staff-{n:02d}", password=hashed)
        unit = host_units[n % len(host_units)]
        Membership.objects.create(
            user=user, organization=org, unit=unit, role=Membership.Role.STAFF
        )
        staff.append((user.username, unit))
    work = []
    for n, (username, unit) in enumerate(staff):
        # The users of one unit split its (item, month) pairs: nobody edits another's entry.
        peers = [i for i, (_u, other) in enumerate(staff) if other == unit]
        k, count = peers.index(n), len(peers)
        hosted = [item for item in items if unit in item.host_units.all()]
        pairs = [
            (item.pk, [i.pk for i in item.indicators.all()], month)
            for month in range(1, 13)
            for index, item in enumerate(hosted)
            if index % count == k
        ]
        work.append({"username": username, "unit_id": unit.pk, "pairs": pairs})
    # Planner statistics for the tables just filled, as a database in use has them (autovacuum
    # would take a minute or more to gather them; without them My work's pairs query runs a
    # nested loop twenty times slower than its plan with statistics).
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"data: {len(items)} items in year 113 (the seed's 47 copied, x{scale}), {users} staff over "
        f"{len(host_units)} host units, {sum(len(w['pairs']) for w in work)} (item, month) pairs"
    )
    return work


def one_hash_ms() -> float:
    """The production hasher's time for one password, best of three (what a login costs)."""
    from django.contrib.auth.hashers import make_password

    times = []
    for _ in range(3):
        start = time.perf_counter()
        make_password(PASSWORD)
        times.append(time.perf_counter() - start)
    return min(times) * 1000


# --- gunicorn -------------------------------------------------------------------------------


def start_gunicorn(
    host: str, port: int, workers: int, log: Path, env: dict[str, str]
) -> subprocess.Popen:
    """gunicorn with `env` on host:port, in its own process group; returns once /healthz/
    answers there."""
    if not host.startswith("127."):
        raise SystemExit(f"{host}: loopback addresses only")
    child_env = {k: v for k, v in os.environ.items() if k != "PERFREPORT_TESTING"}
    child_env.update(
        env, GUNICORN_BIND=f"{host}:{port}", GUNICORN_WORKERS=str(workers), GUNICORN_TIMEOUT="60"
    )
    with log.open("wb") as handle:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                "perfreport/gunicorn.conf.py",
                "perfreport.wsgi",
            ],
            cwd=ROOT,
            env=child_env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped (or killed) as one
        )
    wait_healthy(f"http://{host}:{port}", process, log)
    return process


def wait_healthy(base: str, process: subprocess.Popen, log: Path, seconds: float = 120) -> None:
    import requests

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{process.args[2:4]} exited with {process.returncode}; see {log}")
        try:
            if requests.get(f"{base}/healthz/", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    stop_group(process)
    raise SystemExit(f"{base} did not answer within {seconds:.0f} s; see {log}")


def stop_group(process: subprocess.Popen, *, timeout: float = 30) -> None:
    """SIGTERM the process group `process` leads, SIGKILL it if it has not stopped in time."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass


# Kept for load.py's readers: gunicorn is stopped like any other group.
stop_gunicorn = stop_group


# --- the simulated people -------------------------------------------------------------------

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VERSION = re.compile(r'name="version" value="(\d+)"')


def timed(stats: Stats, step: str, call, expect: int):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    try:
        response = call()
    except Exception as exc:  # noqa: BLE001 - a failed request is a counted error
        stats.error(step, repr(exc)[:200])
        return None
    elapsed = time.perf_counter() - started
    if response.status_code != expect:
        stats.error(step, f"HTTP {response.status_code} {response.url}")
        return None
    stats.ok(step, elapsed)
    return response


def baseline_client(base: str, stats: Stats, deadline: float) -> None:
    import requests

    session = requests.Session()
    for _ in range(MAX_ITERATIONS * 10):
        if time.monotonic() >= deadline:
            break
        timed(
            stats, "healthz", lambda: session.get(f"{base}/healthz/", timeout=REQUEST_TIMEOUT), 200
        )
    session.close()


def log_in(session, base: str, username: str, stats: Stats) -> bool:  # type: ignore[no-untyped-def]
    """The login form, then the POST; True once logged in."""
    page = timed(
        stats,
        "login form",
        lambda: session.get(base + "/login/", timeout=REQUEST_TIMEOUT, allow_redirects=False),
        200,
    )
    if page is None:
        return False
    data = {
        "username": username,
        "password": PASSWORD,
        "csrfmiddlewaretoken": CSRF.search(page.text).group(1),
    }
    return (
        timed(
            stats,
            "log in",
            lambda: session.post(
                base + "/login/", data=data, timeout=REQUEST_TIMEOUT, allow_redirects=False
            ),
            302,
        )
        is not None
    )


def staff_client(
    base: str,
    job: dict,
    stats: Stats,
    deadline: float,
    ledger: Ledger,
    delay: float = 0.0,
    iterations: int = MAX_ITERATIONS,
) -> None:
    """Log in, then repeatedly: My work, an entry form, save a draft, submit. Every save is
    recorded in the ledger before it is sent and marked once the server acknowledges it."""
    import requests

    time.sleep(delay)  # the ramp: people do not all log in in the same second
    session = requests.Session()
    get = lambda path: session.get(base + path, timeout=REQUEST_TIMEOUT, allow_redirects=False)  # noqa: E731
    post = lambda path, data: session.post(  # noqa: E731
        base + path, data=data, timeout=REQUEST_TIMEOUT, allow_redirects=False
    )
    try:
        if not log_in(session, base, job["username"], stats):
            return
        pairs = iter(job["pairs"])
        for iteration in range(iterations):
            if time.monotonic() >= deadline:
                break
            if timed(stats, "my work", lambda: get("/my-work/"), 200) is None:
                continue
            try:
                item_id, indicator_ids, month = next(pairs)
            except StopIteration:
                break
            url = f"/items/{item_id}/units/{job['unit_id']}/months/{month}/"
            if time.monotonic() >= deadline:
                break
            form = timed(stats, "entry form", lambda url=url: get(url), 200)
            if form is None:
                continue
            token = CSRF.search(form.text).group(1)
            version = int(VERSION.search(form.text).group(1))
            key = (item_id, job["unit_id"], month)
            for step, action, value in (("save draft", "save", 1), ("submit", "submit", 2)):
                if time.monotonic() >= deadline:
                    break
                narrative = f"{job['username']} 第 {iteration} 輪 {month} 月 {action}"
                data = {
                    "csrfmiddlewaretoken": token,
                    "version": version,
                    "narrative": narrative,
                    **{f"value_{pk}": value for pk in indicator_ids},
                    "confirm_outliers": "on",
                    "action": action,
                }
                save = Save(
                    narrative,
                    "submitted" if action == "submit" else "draft",
                    dict.fromkeys(indicator_ids, value),
                )
                index = ledger.attempt(key, save, version)
                response = timed(stats, step, lambda url=url, data=data: post(url, data), 302)
                if response is None:
                    break
                # Acknowledged: the server said it saved. It must be in the database.
                ledger.acknowledge(key, index)
                version = version + 1 if version else 1
    finally:
        session.close()


def run_clients(target, jobs: list, seconds: float) -> float:  # type: ignore[no-untyped-def]
    """One thread per job, `target(job, deadline)`; the wall time they took."""
    deadline = time.monotonic() + seconds
    threads = [threading.Thread(target=target, args=(job, deadline), daemon=True) for job in jobs]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()) + REQUEST_TIMEOUT * 3)
    alive = sum(t.is_alive() for t in threads)
    if alive:
        print(f"warning: {alive} client threads still running after the bound; abandoned")
    return time.monotonic() - started


# --- report ---------------------------------------------------------------------------------


def report(title: str, stats: Stats, elapsed: float, baseline_p50: float | None) -> None:
    total = sum(len(v) for v in stats.latencies.values())
    errors = stats.total_errors()
    print(
        f"\n{title}: {total} requests in {elapsed:.1f} s = {total / elapsed:.1f} req/s, {errors} errors"
    )
    print(
        f"  {'step':<12} {'count':>6} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>6}"
        + ("  p50 / healthz p50" if baseline_p50 else "")
    )
    for step, values in stats.latencies.items():
        p50 = percentile(values, 50)
        line = (
            f"  {step:<12} {len(values):>6} {len(values) / elapsed:>7.1f} {p50 * 1000:>8.1f} "
            f"{percentile(values, 95) * 1000:>8.1f} {percentile(values, 99) * 1000:>8.1f} "
            f"{stats.errors.get(step, 0):>6}"
        )
        if baseline_p50:
            line += f"  {p50 / baseline_p50:>8.1f}x"
        print(line)
    for step, count in stats.errors.items():
        if step not in stats.latencies:
            print(f"  {step:<12} {0:>6} {'':>7} {'':>8} {'':>8} {'':>8} {count:>6}")
    for sample in stats.error_samples:
        print(f"  error: {sample}")


def report_saves(check: SaveCheck, acknowledged: int) -> None:
    print(
        f"\nsaves: {check.checked} entries checked in the database, {acknowledged} saves "
        f"acknowledged; lost: {len(check.lost)}, duplicated: {len(check.duplicated)}, "
        f"half-applied: {len(check.half_applied)}"
    )
    if check.unacknowledged:
        print(
            f"  {check.unacknowledged} saves got no acknowledgement (an error or no answer); "
            f"{check.unacknowledged_applied} of them applied whole, the others not at all"
        )
    for kind, lines in (
        ("lost", check.lost),
        ("duplicated", check.duplicated),
        ("half-applied", check.half_applied),
    ):
        for line in lines[:10]:
            print(f"  {kind}: {line}")
