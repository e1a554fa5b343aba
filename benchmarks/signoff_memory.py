"""Peak memory of issuing a signed-off year's report at 100x, as the task worker runs it.

    python benchmarks/signoff_memory.py [--scale 100] [--formats html pdf ...] [--no-job]

On a PostgreSQL database of its own (SIGNOFF_DB_NAME, default bench_signoff; created and dropped
here, production settings): a synthetic year `scale` times the seed with a full year of entries
(206,800 at 100x), a throwaway signing key and queued versions, as the sign-off leaves them.
Then, each in a fresh child process (so every figure is that process's own peak, `ru_maxrss`):
- `baseline`: Django set up and the report's data built as the issuing builds it (with entries);
- one child per format: the same data, that format written as `issuing.issue_version` writes it
  (the entries dropped first for the formats that do not carry them, streamed to a temporary
  file and hashed on the way, the PDF rendered in parts of PDF_PART_ROWS rows and signed);
- `weasyprint part`: WeasyPrint alone on the HTML of the PDF's largest part (what WeasyPrint
  itself needs for one part); `weasyprint whole` (--weasyprint-whole): on the whole document;
- `job w/o pdf` (--job-without-pdf) and `whole job`: `issuing.issue_version` itself, every
  format, the manifest signed: what the worker's process reaches when it runs the sign-off.
Prints per child: seconds, peak RSS, file size; the aim is every figure under 500 MB.

Measured here (PostgreSQL, 2 shared cores; the load from other jobs varied between runs, load
average 2.5 to 12, so the seconds are loose), peak RSS per process, before (the previous
session) -> after:
  100x: baseline 291 -> 298 MB; HTML 291 -> 297; XLSX 292 -> 297; ODS 327 -> 297; ODT 328 -> 297;
  DOCX 340 -> 324; JSON 404 -> 297 (123 MB file, streamed); the job without the PDF 501 -> 328;
  PDF 1,180 MB / 846 s (one render) -> 468 MB / 57 s (11 parts of <= 500 rows, 4.1 MB file);
  the whole job with the PDF (every format, the manifest signed) -> 469 MB / 69 s.
  WeasyPrint alone: one 500-row part 261 MB peak, 159 MB before it (~100 MB its own); the whole
  document at 50x 607 MB peak, 155 MB before it (~450 MB), in 24 s, where our PDF in 6 parts
  peaks at 329 MB in 47 s (one run, load average ~2: the parts' fixed costs, each part's font
  subset, the page furniture at ~30 ms a page and the join); at 100x WeasyPrint alone did not
  finish within 30 minutes (the previous session, a loaded machine).
Of the PDF's 467 MB at 100x, ~200 MB is the join (pdf_join.py: qpdf holds the file so far and
one part's objects); a join that writes each part's objects as it reads them would hold none.
"""

import argparse
import gc
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from staff_load import create_database, drop_database, production_env, setup_django  # noqa: E402

DB_NAME = os.environ.get("SIGNOFF_DB_NAME", "bench_signoff")
# Seconds a child may take; WeasyPrint alone on the whole document at 100x did not finish in 30 min.
CHILD_TIMEOUT = int(os.environ.get("SIGNOFF_CHILD_TIMEOUT", "3600"))
PASSPHRASE = "benchmark"  # noqa: S105 - a throwaway key made for this run
LIMIT_MB = 500
PART_ROWS = int(os.environ.get("PDF_PART_ROWS", "500"))


def env_for(tmp: Path) -> dict[str, str]:
    return {
        **production_env(DB_NAME, allowed_hosts="127.0.0.1"),
        "MEDIA_ROOT": str(tmp / "media"),
        "SIGNING_PKCS12": str(tmp / "signing.p12"),
        "SIGNING_PKCS12_PASSPHRASE": PASSPHRASE,
    }


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


def current_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# --- the children ---------------------------------------------------------------------------


def child(what: str, version_id: int) -> dict:
    """Run one measurement in this (fresh) process; its figures."""
    from django.conf import settings

    from perfreport.reports import issuing
    from perfreport.reports.exporters import EXPORTERS, pdf_parts
    from perfreport.reports.models import IssuedVersion
    from perfreport.reports.selectors import build_report

    ready_mb = current_mb()
    start = time.perf_counter()
    version = IssuedVersion.objects.select_related("year__organization").get(pk=version_id)
    figures: dict = {"what": what, "ready_mb": ready_mb}
    if what in ("whole job", "job w/o pdf"):
        if what == "job w/o pdf":
            # The job's own memory apart from WeasyPrint's: every other format and the manifest.
            EXPORTERS.pop("pdf")
        done = issuing.issue_version(version_id)
        figures["status"] = done.status
        figures["bytes"] = sum(
            r.size for r in done.year.issued_reports.filter(version=done.version)
        )
    else:
        # WeasyPrint alone needs no entries: without them its own peak is not hidden under
        # the one of loading a quarter of a million entries.
        data = build_report(
            version.year,
            include_entries=not what.startswith("weasyprint"),
            include_unsigned_review=True,
            version=version.version,
        )
        data.signed_off_at = version.signed_off_at
        figures["bytes"] = 0
        parts = pdf_parts.split(data, settings.PDF_PART_ROWS)
        figures["parts"] = len(parts)
        if what.startswith("weasyprint"):
            # WeasyPrint's own need: an HTML string to a PDF/A-3a, nothing of ours around it
            # but the string: the whole document, or the largest part the PDF is rendered in.
            import weasyprint

            from perfreport.reports.exporters.html import render_document
            from perfreport.reports.exporters.pdf import PDF_VARIANT

            largest = max(parts, key=lambda part: part.rows)
            html = render_document(data, part=largest if what == "weasyprint part" else None)
            del data, parts, largest
            gc.collect()
            figures["ready_mb"] = current_mb()
            pdf = weasyprint.HTML(string=html).write_pdf(pdf_variant=PDF_VARIANT)
            figures["bytes"] = len(pdf)
        elif what != "baseline":
            # As the issuing job writes it (issuing._issue_format: streamed to a temporary
            # file and hashed on the way, the PDF signed), the entries dropped first for the
            # formats that do not carry them, as the job does.
            if not EXPORTERS[what].needs_entries:
                data.forget_entries()
                gc.collect()
            report = issuing._issue_format(version, data, what)
            figures["bytes"] = report.size
    figures["seconds"] = time.perf_counter() - start
    figures["peak_mb"] = peak_mb()
    return figures


def run_child(what: str, version_id: int, env: dict[str, str]) -> dict:
    try:
        result = subprocess.run(
            [sys.executable, __file__, "--child", what, "--version-id", str(version_id)],
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=CHILD_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"what": what, "error": [f"did not finish within {CHILD_TIMEOUT} s"]}
    if result.returncode != 0:
        return {"what": what, "error": result.stderr.strip().splitlines()[-1:] or ["?"]}
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- the parent -----------------------------------------------------------------------------


def build(scale: int, tmp: Path, versions: int) -> list[int]:
    """The year, filled, its signing key and `versions` queued versions; their ids."""
    import synthetic
    from django.core.management import call_command
    from django.utils import timezone

    from perfreport.reports import issuing
    from perfreport.reports.demo_key import write_self_signed_pkcs12
    from strategies.models import Organization, Year

    call_command("migrate", verbosity=0)
    call_command("loaddata", "khh_112", verbosity=0)
    khh = Organization.objects.get(code="khh")
    org = Organization.objects.create(
        code=f"s{scale}",
        name=f"合成分局（{scale} 倍）",
        short_name=f"合成{scale}倍",
        parent=khh.parent,
    )
    start = time.perf_counter()
    year = synthetic.build_year(org, 112, scale=scale, status=Year.Status.LOCKED)
    entries = synthetic.fill_entries(year)
    print(f"{scale}x: {entries:,} entries, built in {time.perf_counter() - start:.0f} s")
    write_self_signed_pkcs12(tmp / "signing.p12", passphrase=PASSPHRASE, organization=org.name)
    return [
        issuing.queue_version(year=year, user=None, signed_off_at=timezone.now()).pk
        for _ in range(versions)
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--formats", nargs="*", help="default: every format")
    parser.add_argument("--no-job", action="store_true", help="skip the whole issuing job")
    parser.add_argument(
        "--weasyprint-whole",
        action="store_true",
        help="also WeasyPrint alone on the whole document (hours at 100x)",
    )
    parser.add_argument(
        "--job-without-pdf", action="store_true", help="also the issuing job without the PDF"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--version-id", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        setup_django({})  # the parent passed the environment
        print(json.dumps(child(args.child, args.version_id)))
        return 0
    if not 1 <= args.scale <= 200:
        parser.error("scale 1..200")
    sys.stdout.reconfigure(line_buffering=True)  # each figure shows in a log as it comes

    tmp = Path(tempfile.mkdtemp(prefix="perfreport-signoff-"))
    env = env_for(tmp)
    create_database(DB_NAME)
    try:
        setup_django(env)
        from django.db import connections

        from perfreport.reports.exporters import EXPORTERS

        jobs = (["job w/o pdf"] if args.job_without_pdf else []) + (
            [] if args.no_job else ["whole job"]
        )
        version_ids = build(args.scale, tmp, len(jobs) + 1)
        connections.close_all()
        formats = list(EXPORTERS) if args.formats is None else args.formats
        whats = ["baseline", *formats]
        if "pdf" in formats:
            whats.append("weasyprint part")
            if args.weasyprint_whole:
                whats.append("weasyprint whole")
        whats += jobs
        # Each job issues a version of its own; the per-format children store theirs in the last.
        version_for = {job: version_ids[n] for n, job in enumerate(jobs)}
        print(f"limit {LIMIT_MB} MB per process; each line is one fresh process\n")
        print(f"{'':16} {'seconds':>8} {'peak RSS MB':>12} {'size MB':>9}  ")
        over = []
        for what in whats:
            figures = run_child(what, version_for.get(what, version_ids[-1]), env)
            if "error" in figures:
                print(f"{what:16} failed: {figures['error']}")
                over.append(what)
                continue
            mark = "" if figures["peak_mb"] <= LIMIT_MB else "  over the limit"
            if mark and not what.startswith("weasyprint"):
                over.append(what)
            notes = [figures["status"]] if "status" in figures else []
            if what == "pdf" or what.startswith("weasyprint"):
                notes.append(f"{figures['parts']} parts of <= {PART_ROWS} rows")
            if what.startswith("weasyprint"):
                notes.append(f"{figures['ready_mb']:.0f} MB before WeasyPrint")
            print(
                f"{what:16} {figures['seconds']:>8.1f} {figures['peak_mb']:>12.0f} "
                f"{figures['bytes'] / 1e6:>9.1f}{mark}"
                + (f"  ({'; '.join(notes)})" if notes else "")
            )
        print(
            "\nbaseline: Django and the report's data (with every entry) in the process; "
            "each format's figure includes it (the documents' with the entries dropped, as the "
            "job drops them). weasyprint part / whole: WeasyPrint alone on the HTML of the "
            "PDF's largest part / of the whole document."
        )
        return 1 if over else 0
    finally:
        from django.db import connections

        connections.close_all()
        drop_database(DB_NAME)
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
