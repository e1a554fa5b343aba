"""Refusing hostile files: the time and the peak memory (tracemalloc) of each refusal.

    python benchmarks/hostile_files.py

Each file is a few KB that a careless reader would turn into gigabytes (tests/hostile_files.py).
Prints, per file: its size, the refusal message, the time to refuse it (best of 3, without
tracing) and the peak of Python allocations while refusing it (aim: < 2 s and < 100 MB).
"""

import os
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "perfreport.settings"
os.environ["PERFREPORT_TESTING"] = "1"

import django  # noqa: E402

django.setup()

from perfreport.reports.importing import validate  # noqa: E402
from strategies.errors import DomainError  # noqa: E402
from strategies.plan_excel import read_workbook  # noqa: E402
from tests import hostile_files  # noqa: E402


def _json(data: bytes):  # type: ignore[no-untyped-def]
    document, problems = validate(data)
    if problems:
        raise DomainError(problems[0])
    return document


CASES = [
    ("plan: one cell at row 1,048,576 x5", hostile_files.one_cell_at_the_last_row, read_workbook),
    (
        "plan: same, false <dimension>",
        hostile_files.last_row_hidden_by_a_false_dimension,
        read_workbook,
    ),
    ("plan: one cell in column XFD", hostile_files.one_cell_in_the_last_column, read_workbook),
    ("plan: 300 sheets", hostile_files.too_many_sheets, read_workbook),
    ("plan: 240,000 cells", hostile_files.too_many_cells, read_workbook),
    ("plan: 1,000,001 XML elements", hostile_files.too_many_elements, read_workbook),
    ("plan: 60 MB sheet part", hostile_files.zip_bomb, read_workbook),
    ("plan: 5,000 zip members", hostile_files.many_members, read_workbook),
    (
        "plan: directory of 20,000, says 1",
        hostile_files.directory_larger_than_its_count,
        read_workbook,
    ),
    ("json: nested 100,000 deep", hostile_files.deeply_nested_json, _json),
    ("json: nested 200 deep", hostile_files.moderately_nested_json, _json),
]


def refuse(read, data: bytes) -> str:  # type: ignore[no-untyped-def]
    try:
        read(data)
    except DomainError as error:
        return error.message
    return "NOT REFUSED"


def main() -> None:
    print(f"{'file':38} {'size':>9} {'time':>8} {'peak':>9}  message")
    for label, build, read in CASES:
        data = build()
        times = []
        for _ in range(3):
            start = time.perf_counter()
            message = refuse(read, data)
            times.append(time.perf_counter() - start)
        tracemalloc.start()
        refuse(read, data)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(
            f"{label:38} {len(data) / 1024:7.1f}KB {min(times):7.3f}s "
            f"{peak / 1024 / 1024:7.1f}MB  {message[:70]}"
        )


if __name__ == "__main__":
    main()
