"""Load benchmark: 50 simulated staff against gunicorn (4 workers) on PostgreSQL, 127.0.0.1 only.

    python benchmarks/load.py [--users 50] [--seconds 60] [--baseline-seconds 20] [--workers 4]
                               [--ramp-seconds 10] [--scale 10]

What it does, every step bounded in count and time, and cleaned up at the end:
1. creates a temporary PostgreSQL database (perfreport_load), migrates it, collects static files;
2. loads the 112 report (khh_112), copies its plan to year 113 (copy_year --open) and multiplies
   every item by 10 in its method with the same host units and indicators (470 items), and makes
   50 staff users spread over the host units;
3. starts gunicorn with production settings (DEBUG off, SECRET_KEY set; TLS redirect, secure
   cookies and login throttling switched off because this is plain HTTP on 127.0.0.1);
4. one staff member alone runs the scenario 3 times: the unloaded latency of each step;
5. baseline: the same 50 clients call /healthz/ (a trivial Django view) for --baseline-seconds;
6. 50 staff for --seconds, starting over --ramp-seconds: log in, then repeatedly open My work,
   open an entry form, save a draft, submit (each staff member works on their own (item, month)
   pairs, so nothing conflicts; requests time out after 30 s and count as errors);
7. prints requests per second and p50/p95/p99 latency per step, the errors (must be 0) and the
   lost updates (must be 0: every acknowledged save is in the database afterwards, checked row by
   row), and the ratio of each step to the baseline;
8. stops gunicorn (the process group it started) and drops the database.

Exit status 1 when there were errors or lost updates.
"""

import argparse
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
HOST = "127.0.0.1"  # never anything else: this hammers a server
# A database of its own (created and dropped here); LOAD_DB_NAME to share a server safely.
DB_NAME = os.environ.get("LOAD_DB_NAME", "perfreport_load")
if not DB_NAME.replace("_", "").isalnum():
    raise SystemExit("LOAD_DB_NAME: letters, digits and _ only")
PG_ADMIN_URL = os.environ.get("LOAD_PG_ADMIN_URL", f"postgres://postgres@{HOST}:5432/postgres")
PASSWORD = "load-test-password-2024"  # noqa: S105 - a throwaway database's users
REQUEST_TIMEOUT = 30.0
STARTUP_SECONDS = 120  # workers import Django; slow when other processes share the CPUs
MAX_ITERATIONS = 10_000  # per simulated user: a second bound besides the clock

PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "load-benchmark-" + "k" * 50,
    "ALLOWED_HOSTS": HOST,
    "DATABASE_URL": f"postgres://postgres@{HOST}:5432/{DB_NAME}",
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


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


# --- setup ----------------------------------------------------------------------------------


def create_database() -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f"CREATE DATABASE \"{DB_NAME}\" ENCODING 'UTF8' TEMPLATE template0")


def drop_database() -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


def setup_django() -> None:
    os.environ.pop("PERFREPORT_TESTING", None)
    os.environ.update(PRODUCTION_ENV)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "perfreport.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def multiply_items(year, factor: int) -> None:  # type: ignore[no-untyped-def]
    """Every item of the year `factor` times: copies in the same method, same host units and
    indicators, so each unit hosts `factor` times its share of the seed."""
    from django.db import transaction

    from strategies.models import Indicator, Item
    from strategies.plan_tree import COPIED, INDICATOR, ITEM

    originals = list(
        Item.objects.filter(method__strategy__dimension__year=year).prefetch_related(
            "host_units", "indicators"
        )
    )
    # What a copied year carries (the plan tree's description), renumbered and retitled.
    item_fields = ITEM.carried(COPIED)
    indicator_fields = INDICATOR.carried(COPIED)
    with transaction.atomic():
        for copy in range(1, factor):
            clones = Item.objects.bulk_create(
                Item(
                    method_id=item.method_id,
                    **{
                        **{name: getattr(item, name) for name in item_fields},
                        "order": item.order + 100 * copy,
                        "title": f"{item.title}（複本 {copy}）" if item.title else f"複本 {copy}",
                    },
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
                    item=clone, **{name: getattr(indicator, name) for name in indicator_fields}
                )
                for item, clone in zip(originals, clones, strict=True)
                for indicator in item.indicators.all()
            )


def build_data(users: int, scale: int) -> list[dict]:
    """Migrate, load the seed, build the 10x open year 113 and the staff; return their work."""
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
    print(
        f"data: {len(items)} items in year 113 (the seed's 47 copied, x{scale}), {users} staff over "
        f"{len(host_units)} host units, {sum(len(w['pairs']) for w in work)} (item, month) pairs"
    )
    return work


# --- gunicorn -------------------------------------------------------------------------------


def start_gunicorn(port: int, workers: int, log: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != "PERFREPORT_TESTING"}
    env.update(
        PRODUCTION_ENV,
        GUNICORN_BIND=f"{HOST}:{port}",
        GUNICORN_WORKERS=str(workers),
        GUNICORN_TIMEOUT="60",
    )
    handle = log.open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "perfreport/gunicorn.conf.py", "perfreport.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=handle,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: stopped as one below
    )
    import requests

    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with {process.returncode}; see {log}")
        try:
            if requests.get(f"http://{HOST}:{port}/healthz/", timeout=2).status_code == 200:
                return process
        except requests.RequestException:
            pass
        time.sleep(0.3)
    stop_gunicorn(process)
    raise SystemExit(f"gunicorn did not answer within {STARTUP_SECONDS} s; see {log}")


def stop_gunicorn(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


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


def staff_client(
    base: str,
    job: dict,
    stats: Stats,
    deadline: float,
    ledger: dict,
    ledger_lock: threading.Lock,
    delay: float = 0.0,
    iterations: int = MAX_ITERATIONS,
) -> None:
    import requests

    time.sleep(delay)  # the ramp: people do not all log in in the same second
    session = requests.Session()
    get = lambda path: session.get(base + path, timeout=REQUEST_TIMEOUT, allow_redirects=False)  # noqa: E731
    post = lambda path, data: session.post(  # noqa: E731
        base + path, data=data, timeout=REQUEST_TIMEOUT, allow_redirects=False
    )
    try:
        page = timed(stats, "login form", lambda: get("/login/"), 200)
        if page is None:
            return
        token = CSRF.search(page.text).group(1)
        if (
            timed(
                stats,
                "log in",
                lambda: post(
                    "/login/",
                    {
                        "username": job["username"],
                        "password": PASSWORD,
                        "csrfmiddlewaretoken": token,
                    },
                ),
                302,
            )
            is None
        ):
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
                response = timed(stats, step, lambda url=url, data=data: post(url, data), 302)
                if response is None:
                    break
                # Acknowledged: the server said it saved. It must be in the database.
                with ledger_lock:
                    ledger[key] = (narrative, action, dict.fromkeys(indicator_ids, value))
                version = version + 1 if version else 1
    finally:
        session.close()


def run_clients(target, jobs: list, seconds: float) -> float:  # type: ignore[no-untyped-def]
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


def lost_updates(ledger: dict) -> list[str]:
    """Every acknowledged save, compared with the row in the database."""
    from strategies.models import MonthlyEntry

    lost = []
    entries = {
        (e.item_id, e.unit_id, e.month): e
        for e in MonthlyEntry.objects.prefetch_related("values").filter(
            item_id__in={k[0] for k in ledger}
        )
    }
    for key, (narrative, action, values) in ledger.items():
        entry = entries.get(key)
        status = "submitted" if action == "submit" else "draft"
        found = {v.indicator_id: v.value for v in entry.values.all()} if entry else {}
        if (
            entry is None
            or entry.narrative != narrative
            or entry.status != status
            or found != values
        ):
            lost.append(
                f"{key}: acknowledged {narrative!r}/{status}/{values}, found "
                f"{(entry.narrative, entry.status, found) if entry else None}"
            )
    return lost


# --- report ---------------------------------------------------------------------------------


def report(title: str, stats: Stats, elapsed: float, baseline_p50: float | None) -> None:
    total = sum(len(v) for v in stats.latencies.values())
    errors = sum(stats.errors.values())
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--baseline-seconds", type=float, default=20)
    parser.add_argument("--ramp-seconds", type=float, default=10)
    parser.add_argument("--scale", type=int, default=10, help="items = the seed's 47 x scale")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--keep-db", action="store_true", help="leave perfreport_load in place")
    args = parser.parse_args()
    if not (
        1 <= args.users <= 200 and 0 < args.seconds <= 600 and 0 < args.baseline_seconds <= 600
    ):
        parser.error("users 1..200, seconds up to 600")

    started = time.monotonic()
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} before the run")
    create_database()
    try:
        return run(args, started)
    finally:
        print(
            f"load average {os.getloadavg()[0]:.1f} after the run (other processes share the CPUs)"
        )
        from django.db import connections

        connections.close_all()
        if not args.keep_db:
            drop_database()
        print(f"total time {time.monotonic() - started:.0f} s")


LOGIN_STEPS = {"login form", "log in"}


def one_hash_ms() -> float:
    """The production hasher's time for one password, best of three (what a login costs)."""
    from django.contrib.auth.hashers import make_password

    times = []
    for _ in range(3):
        start = time.perf_counter()
        make_password(PASSWORD)
        times.append(time.perf_counter() - start)
    return min(times) * 1000


def run(args: argparse.Namespace, started: float) -> int:
    process = None
    try:
        setup_django()
        hash_ms = one_hash_ms()
        work = build_data(args.users, args.scale)
        from django.db import connections

        connections.close_all()
        log = Path("/tmp") / f"{DB_NAME}-gunicorn.log"  # one per database: runs may share /tmp
        process = start_gunicorn(args.port, args.workers, log)
        base = f"http://{HOST}:{args.port}"
        print(
            f"gunicorn: {args.workers} workers on {base} (log {log}); setup {time.monotonic() - started:.0f} s"
        )

        alone, alone_ledger = Stats(), {}
        solo = {**work[0], "pairs": work[0]["pairs"][-3:]}  # pairs nobody reaches in the run
        work[0] = {**work[0], "pairs": work[0]["pairs"][:-3]}
        elapsed = run_clients(
            lambda job, deadline: staff_client(
                base, job, alone, deadline, alone_ledger, threading.Lock(), iterations=3
            ),
            [solo],
            120,
        )
        report("one staff member alone, 3 scenarios", alone, elapsed, None)

        baseline = Stats()
        elapsed = run_clients(
            lambda _job, deadline: baseline_client(base, baseline, deadline),
            list(range(args.users)),
            args.baseline_seconds,
        )
        report(f"baseline /healthz/, {args.users} clients", baseline, elapsed, None)
        baseline_p50 = percentile(baseline.latencies["healthz"], 50)
        baseline_rps = len(baseline.latencies["healthz"]) / elapsed

        stats, ledger, ledger_lock = Stats(), {}, threading.Lock()
        ramp = args.ramp_seconds / max(1, len(work))
        elapsed = run_clients(
            lambda job, deadline: staff_client(
                base, job, stats, deadline, ledger, ledger_lock, delay=job["index"] * ramp
            ),
            [{**job, "index": n} for n, job in enumerate(work)],
            args.seconds,
        )
        report(f"{args.users} staff for {args.seconds:.0f} s", stats, elapsed, baseline_p50)
    finally:
        if process is not None:
            stop_gunicorn(process)

    lost = lost_updates({**alone_ledger, **ledger})
    errors = sum(s.errors[k] for s in (alone, baseline, stats) for k in s.errors)
    # The scenario's steps; logging in (once per person, Argon2 on purpose) is measured apart.
    total = sum(len(v) for step, v in stats.latencies.items() if step not in LOGIN_STEPS)
    print(
        f"\nacknowledged saves: {len(ledger) + len(alone_ledger)} entries checked in the database; lost updates: {len(lost)}"
    )
    for line in lost[:10]:
        print(f"  lost: {line}")
    print(f"errors: {errors}")
    staff_rps = total / elapsed
    print(
        f"throughput: staff scenario (without logging in) {staff_rps:.1f} req/s vs /healthz/ "
        f"{baseline_rps:.1f} req/s: {staff_rps / baseline_rps:.3f} of /healthz/ (aim >= 0.3)"
    )
    healthz_p95 = percentile(baseline.latencies["healthz"], 95)
    for step in ("save draft", "submit"):
        p95 = percentile(stats.latencies.get(step, []), 95)
        print(
            f"p95 {step}: {p95 * 1000:.0f} ms = {p95 / healthz_p95:.1f} x /healthz/ p95 (aim <= 5)"
        )
    logins = stats.latencies.get("log in", [])
    if logins:
        print(
            f"log in (apart from the steps): {len(logins)} logins, p50 "
            f"{percentile(logins, 50) * 1000:.0f} ms, p95 {percentile(logins, 95) * 1000:.0f} ms; "
            f"one password hash here {hash_ms:.0f} ms"
        )
    return 1 if errors or lost else 0


if __name__ == "__main__":
    sys.exit(main())
