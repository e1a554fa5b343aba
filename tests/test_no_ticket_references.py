"""Comments say what, not which ticket: no "(issue N)" in the code, templates or styles."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TICKET = re.compile(r"\bissue\s+#?\d+", re.IGNORECASE)
SOURCES = ("strategies", "scoring", "perfreport", "templates", "static", "benchmarks", "tests")


def test_no_ticket_numbers_in_the_sources():
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for folder in SOURCES
        for path in (ROOT / folder).rglob("*")
        if path.suffix in {".py", ".html", ".css", ".js", ".txt"} and path.is_file()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if TICKET.search(line) and path.name != Path(__file__).name
    ]
    assert found == []
