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
   lost, duplicated or half-applied saves (must be 0: every acknowledged save is in the database
   afterwards, whole, and none applied twice; checked row by row), and the ratio of each step
   to the baseline;
8. stops gunicorn (the process group it started) and drops the database.

Exit status 1 when there were errors or lost updates.
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from staff_load import (  # noqa: E402 - the shared pieces, beside this file
    LOGIN_STEPS,
    Ledger,
    Stats,
    baseline_client,
    build_data,
    check_saves,
    create_database,
    drop_database,
    one_hash_ms,
    percentile,
    production_env,
    report,
    report_saves,
    run_clients,
    setup_django,
    staff_client,
    start_gunicorn,
    stop_group,
)

HOST = "127.0.0.1"  # never anything else: this hammers a server
# A database of its own (created and dropped here); LOAD_DB_NAME to share a server safely.
DB_NAME = os.environ.get("LOAD_DB_NAME", "perfreport_load")
PRODUCTION_ENV = production_env(DB_NAME, allowed_hosts=HOST)


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
    create_database(DB_NAME)
    try:
        return run(args, started)
    finally:
        print(
            f"load average {os.getloadavg()[0]:.1f} after the run (other processes share the CPUs)"
        )
        from django.db import connections

        connections.close_all()
        if not args.keep_db:
            drop_database(DB_NAME)
        print(f"total time {time.monotonic() - started:.0f} s")


def run(args: argparse.Namespace, started: float) -> int:
    process = None
    try:
        setup_django(PRODUCTION_ENV)
        hash_ms = one_hash_ms()
        work = build_data(args.users, args.scale)
        from django.db import connections

        connections.close_all()
        log = Path("/tmp") / f"{DB_NAME}-gunicorn.log"  # one per database: runs may share /tmp
        process = start_gunicorn(HOST, args.port, args.workers, log, PRODUCTION_ENV)
        base = f"http://{HOST}:{args.port}"
        print(
            f"gunicorn: {args.workers} workers on {base} (log {log}); setup {time.monotonic() - started:.0f} s"
        )

        alone, alone_ledger = Stats(), Ledger()
        solo = {**work[0], "pairs": work[0]["pairs"][-3:]}  # pairs nobody reaches in the run
        work[0] = {**work[0], "pairs": work[0]["pairs"][:-3]}
        elapsed = run_clients(
            lambda job, deadline: staff_client(
                base, job, alone, deadline, alone_ledger, iterations=3
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

        stats, ledger = Stats(), Ledger()
        ramp = args.ramp_seconds / max(1, len(work))
        elapsed = run_clients(
            lambda job, deadline: staff_client(
                base, job, stats, deadline, ledger, delay=job["index"] * ramp
            ),
            [{**job, "index": n} for n, job in enumerate(work)],
            args.seconds,
        )
        report(f"{args.users} staff for {args.seconds:.0f} s", stats, elapsed, baseline_p50)
    finally:
        if process is not None:
            stop_group(process)

    saves = check_saves(alone_ledger.merged(ledger))
    lost = saves.lost + saves.duplicated + saves.half_applied
    errors = sum(s.errors[k] for s in (alone, baseline, stats) for k in s.errors)
    # The scenario's steps; logging in (once per person, Argon2 on purpose) is measured apart.
    total = sum(len(v) for step, v in stats.latencies.items() if step not in LOGIN_STEPS)
    report_saves(saves, alone_ledger.acknowledged() + ledger.acknowledged())
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
