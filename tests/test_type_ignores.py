"""The apps are type-checked (`make typecheck`) without silencing: a `# type: ignore` hides a
wrong or missing type from mypy, so none is allowed in the apps. Libraries without types are
declared once in pyproject.toml ([[tool.mypy.overrides]]), not per line."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("perfreport", "strategies", "scoring")
IGNORE = re.compile(r"#\s*type:\s*ignore")


def test_no_type_ignore_in_the_apps():
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for app in APPS
        for path in sorted((ROOT / app).rglob("*.py"))
        if "migrations" not in path.parts
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if IGNORE.search(line)
    ]
    assert found == [], "type the code instead of silencing mypy: " + ", ".join(found)
