"""The layers, enforced: strategies <- scoring <- perfreport (no import runs back up), selectors
read and never import services (writes) or views, and no module but a view or a URL
configuration imports a view. Read from the source with `ast`, so imports inside functions
count too."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("strategies", "scoring", "perfreport")
# Lower layers first: a module may import its own layer and those before it.
LAYERS = {"strategies": 0, "scoring": 1, "perfreport": 2}


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    package = _module(path).rsplit(".", 1)[0] if path.name != "__init__.py" else _module(path)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            # "from strategies.services import entries" imports a services module too.
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {name for name in found if name.split(".")[0] in APPS}


SOURCES = sorted(
    path for app in APPS for path in (ROOT / app).rglob("*.py") if "migrations" not in path.parts
)
MODULES = {_module(path): _imports(path) for path in SOURCES}


def _is_view(name: str) -> bool:
    return any(part == "views" or part.endswith("_views") for part in name.split("."))


def _is_service(name: str) -> bool:
    return "services" in name.split(".")


def _is_selector(name: str) -> bool:
    return "selectors" in name.split(".")


def test_the_sources_were_found():
    assert "strategies.selectors.entries" in MODULES
    assert "perfreport.reports.signoff" in MODULES
    assert len(MODULES) > 100


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_import_runs_up_a_layer(module):
    layer = LAYERS[module.split(".")[0]]
    upward = sorted(name for name in MODULES[module] if LAYERS[name.split(".")[0]] > layer)
    assert upward == [], f"{module} imports a higher layer"


@pytest.mark.parametrize("module", sorted(m for m in MODULES if _is_selector(m)))
def test_selectors_import_no_service_and_no_view(module):
    wrong = sorted(n for n in MODULES[module] if _is_service(n) or _is_view(n))
    assert wrong == [], f"{module} reads, but imports writes or views"


@pytest.mark.parametrize(
    "module",
    sorted(m for m in MODULES if not _is_view(m) and not m.rsplit(".", 1)[-1].startswith("urls")),
)
def test_only_views_and_urls_import_views(module):
    wrong = sorted(n for n in MODULES[module] if _is_view(n))
    assert wrong == [], f"{module} imports a view"
