"""Time the spreadsheet and document exports against the libraries' own raw writing of the
same cells, on synthetic years of the seed's shape at the given scales.

    python benchmarks/spreadsheet_writer.py [--scale 10 100] [--repeat N] [--memory]

For each scale: the report's data is built once (not timed), then per export the time from
that data to the file's bytes (best of N rounds, the exports interleaved in each round). "raw XlsxWriter" writes the same cells and merges
(strings, numbers, formulas) with no formatting, row heights or page setup: the floor our XLSX
export is compared with (aim: ours / raw <= 2). "raw openpyxl" (write-only mode) is shown for
reference. With --memory, each export runs once more under tracemalloc and its peak is shown.
"""

import argparse
import gc
import io
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TMP = tempfile.mkdtemp(prefix="perfreport-bench-")
os.environ["DJANGO_SETTINGS_MODULE"] = "perfreport.settings"
os.environ["PERFREPORT_TESTING"] = "1"
os.environ["DATABASE_URL"] = f"sqlite:///{TMP}/bench.sqlite3"
os.environ.setdefault("MEDIA_ROOT", f"{TMP}/media")

import django  # noqa: E402

django.setup()

import xlsxwriter  # noqa: E402
from django.core.management import call_command  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from benchmarks import synthetic  # noqa: E402
from perfreport.reports.exporters import EXPORTERS  # noqa: E402
from perfreport.reports.exporters.sheets import build_sheets  # noqa: E402
from perfreport.reports.selectors import build_report  # noqa: E402
from strategies.models import Item, Organization  # noqa: E402

FORMATS = [f for f in ("xlsx", "ods", "odt", "docx") if f in EXPORTERS]


def _plain(value):  # type: ignore[no-untyped-def]
    return float(value) if value is not None and not isinstance(value, int | float | str) else value


def raw_xlsxwriter(sheets) -> bytes:  # type: ignore[no-untyped-def]
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    for sheet in sheets:
        ws = workbook.add_worksheet(sheet.name)
        for r1, c1, r2, c2 in sheet.merges:
            ws.merge_range(r1 - 1, c1 - 1, r2 - 1, c2 - 1, None)
        for (row, column), cell in sorted(sheet.cells.items()):
            value = _plain(cell.value)
            if cell.formula:
                ws.write_formula(row - 1, column - 1, f"={cell.formula}", None, value)
            elif isinstance(value, str):
                ws.write_string(row - 1, column - 1, value)
            elif value is not None:
                ws.write_number(row - 1, column - 1, value)
    workbook.close()
    return buffer.getvalue()


def raw_openpyxl(sheets) -> bytes:  # type: ignore[no-untyped-def]
    workbook = Workbook(write_only=True)
    for sheet in sheets:
        ws = workbook.create_sheet(sheet.name)
        rows = max(r for r, _c in sheet.cells) if sheet.cells else 0
        columns = max(c for _r, c in sheet.cells) if sheet.cells else 0
        for row in range(1, rows + 1):
            values = []
            for column in range(1, columns + 1):
                cell = sheet.cells.get((row, column))
                if cell is None:
                    values.append(None)
                elif cell.formula:
                    values.append(f"={cell.formula}")
                else:
                    values.append(_plain(cell.value))
            ws.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def timed(func, repeat: int) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    best, size = float("inf"), 0
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - start)
        size = len(result)
    return best, size


def peak_mb(func) -> float:  # type: ignore[no-untyped-def]
    gc.collect()
    tracemalloc.start()
    func()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, nargs="+", default=[10, 100])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--memory", action="store_true", help="also the tracemalloc peak")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    call_command("loaddata", "khh_112", verbosity=0)
    parent = Organization.objects.get(code="khh").parent
    print(f"database: {TMP}/bench.sqlite3 (SQLite); best of {args.repeat} runs")
    header = f"{'scale':>5} {'items':>6} {'export':<16} {'time':>9} {'size':>12} {'vs raw XlsxWriter':>18}"
    if args.memory:
        header += f" {'peak MB':>8}"
    for scale in args.scale:
        org = Organization.objects.create(
            code=f"s{scale}",
            name=f"合成分局（{scale} 倍）",
            short_name=f"合成{scale}",
            parent=parent,
        )
        start = time.perf_counter()
        year = synthetic.build_year(org, 112, scale=scale)
        built = time.perf_counter() - start
        items = Item.objects.filter(method__strategy__dimension__year=year).count()
        data = build_report(year)
        sheets = build_sheets(data)
        print(f"\nscale {scale}: {items} items (built in {built:.1f} s)")
        print(header)
        rows: list[tuple[str, object]] = [
            ("raw XlsxWriter", lambda sheets=sheets: raw_xlsxwriter(sheets)),
            ("raw openpyxl wo", lambda sheets=sheets: raw_openpyxl(sheets)),
            ("layout (sheets)", lambda data=data: b"x" * len(build_sheets(data))),
        ]
        rows += [
            (f"ours {f}", lambda f=f, data=data: EXPORTERS[f].render(data)[2]) for f in FORMATS
        ]
        # Interleaved: every export once per round, best of the rounds, so that the load of a
        # shared machine weighs on all of them alike.
        best = {label: (float("inf"), 0) for label, _func in rows}
        for _ in range(args.repeat):
            for label, func in rows:
                seconds, size = timed(func, 1)
                best[label] = min(best[label], (seconds, size))
        raw = best["raw XlsxWriter"][0]
        for label, func in rows:
            seconds, size = best[label]
            line = (
                f"{scale:>5} {items:>6} {label:<16} {seconds:>8.3f}s {size:>12,}"
                f" {seconds / raw:>17.2f}x"
            )
            if args.memory:
                line += f" {peak_mb(func):>8.1f}"
            print(line, flush=True)


if __name__ == "__main__":
    main()
