"""The year's JSON file at size: exporting a 100x year, importing a 20x year.

    python benchmarks/data_files.py [--json-scale 100] [--import-scale 20]

SQLite in a temporary directory. Builds a year `--json-scale` times the seed with an entry for
every (item, host unit, month) up to November, then in a fresh process (so its peak memory is
the export's own) exports it as JSON to a file: time, size, peak RSS. Then builds a year
`--import-scale` times the seed with eight months of entries (about 30,000 at 20x), exports it,
and in a fresh process imports the file into an empty database (`import_report`), exports it
again and compares the bytes: import time, and whether the round trip is exact.

Aims: the JSON export under 500 MB RSS; the 20x import within 30 s, byte for byte.
"""

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup(db: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "perfreport.settings"
    os.environ["PERFREPORT_TESTING"] = "1"
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    import django

    django.setup()


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_export(db: str, code: str, out: str) -> None:
    setup(db)
    from perfreport.reports.exporters import get_exporter
    from perfreport.reports.selectors import build_report
    from strategies.models import Year

    year = Year.objects.get(organization__code=code)
    before = peak_mb()
    start = time.perf_counter()
    _name, _type, content = get_exporter("json").render(build_report(year, include_entries=True))
    Path(out).write_bytes(content)
    print(f"{time.perf_counter() - start:.2f} {len(content)} {before:.0f} {peak_mb():.0f}")


def child_import(db: str, path: str) -> None:
    setup(db)
    from django.core.management import call_command

    from perfreport.reports.exporters import get_exporter
    from perfreport.reports.importing import import_report
    from perfreport.reports.selectors import build_report

    call_command("migrate", verbosity=0)
    raw = Path(path).read_bytes()
    start = time.perf_counter()
    year = import_report(raw=raw)
    elapsed = time.perf_counter() - start
    _name, _type, again = get_exporter("json").render(build_report(year, include_entries=True))
    print(f"{elapsed:.2f} {int(again == raw)} {peak_mb():.0f}")


def run_child(*args: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, check=False
    )
    if result.returncode:
        raise SystemExit(result.stderr[-3000:])
    return result.stdout.split()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json-scale", type=int, default=100)
    parser.add_argument("--import-scale", type=int, default=20)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="perfreport-files-"))
    try:
        db = str(tmp / "source.sqlite3")
        setup(db)
        from django.core.management import call_command

        from benchmarks import synthetic
        from strategies.models import Organization

        call_command("migrate", verbosity=0)
        hq = Organization.objects.create(code="hq", name="合成總局", short_name="總局")
        for code, scale, months in (
            ("big", args.json_scale, tuple(range(1, 13))),
            ("imp", args.import_scale, tuple(range(1, 9))),
        ):
            start = time.perf_counter()
            org = Organization.objects.create(
                code=code, name=f"合成分局（{scale} 倍）", short_name=f"合成{scale}倍", parent=hq
            )
            year = synthetic.build_year(org, 112, scale=scale)
            entries = synthetic.fill_entries(year, months=months)
            print(
                f"{code}: {scale}x, {entries:,} entries, built in {time.perf_counter() - start:.0f} s"
            )
        from django.db import connections

        connections.close_all()

        seconds, size, before, peak = run_child("--export", db, "big", str(tmp / "big.json"))
        print(
            f"JSON export at {args.json_scale}x: {float(seconds):.1f} s, {int(size) / 1e6:.1f} MB, "
            f"peak RSS {peak} MB (the process held {before} MB before exporting)"
        )
        run_child("--export", db, "imp", str(tmp / "imp.json"))
        seconds, exact, peak = run_child(
            "--import", str(tmp / "empty.sqlite3"), str(tmp / "imp.json")
        )
        print(
            f"import_report at {args.import_scale}x: {float(seconds):.1f} s; "
            f"re-export {'byte for byte the same' if exact == '1' else 'DIFFERENT'}; "
            f"peak RSS {peak} MB"
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--export":
        child_export(*sys.argv[2:5])
    elif len(sys.argv) > 1 and sys.argv[1] == "--import":
        child_import(*sys.argv[2:4])
    else:
        main()
