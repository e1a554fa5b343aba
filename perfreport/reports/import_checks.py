"""Rules a JSON report must keep before it may become a year (importing.validate asks them).

Beyond the types the schema checks field by field, a document that imports must also leave a
year every page and export can show:

- `size_and_depth`: a size cap and a nesting cap, checked before and while parsing, so a
  hostile file is one clean message, never a RecursionError;
- `shape_problems`: no key the schema does not know (a misspelt key would otherwise be dropped
  without a word), and every text within the limit the forms give it, never over a spreadsheet
  cell's 32,767 characters (the limit of every workbook the year is exported to);
- `total_problems`: the dimension maxima add up to the score sheet's total (1000), or the score
  sheet, its grade and every export of the year fail;
- `organization_problems`: an organization (or headquarters) code that already exists must name
  the same organization, so a file cannot hang a year on the wrong agency.
"""

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models

from scoring.grades import MAX_TOTAL
from scoring.models import ScoreSheet
from scoring.services import COMMENT_MAX
from strategies.bounded_files import load_json
from strategies.errors import DomainError
from strategies.models import (
    NARRATIVE_MAX_LENGTH,
    Dimension,
    Indicator,
    Item,
    Method,
    Organization,
    Strategy,
    Unit,
)
from strategies.services.entries import REASON_MAX_LENGTH
from strategies.services.results import RESULTS_MAX_LENGTH

MAX_BYTES = 50 * 1024 * 1024  # the 112 report with every entry is well under 1 MB
MAX_DEPTH = 32  # the schema nests 16 deep
CELL_LIMIT = 32_767  # characters in one spreadsheet cell (Excel and LibreOffice alike)


class DocumentRefused(DomainError):
    """The document as a whole cannot be read (too large, too deep, NaN)."""


def size_and_depth(raw: bytes | str) -> Any:
    """The parsed document; DocumentRefused for one too large or too deep, or with NaN."""
    return load_json(raw, max_bytes=MAX_BYTES, max_depth=MAX_DEPTH, refuse=DocumentRefused)


def _limit(model: type[models.Model], name: str) -> int:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    return min(field.max_length or CELL_LIMIT, CELL_LIMIT)


# Each kind of object: its keys, and for each key either the kind of object (or list of objects,
# in brackets) it holds, a text limit, or None (a number, flag or choice checked elsewhere).
_ORGANIZATION = {
    "code": _limit(Organization, "code"),
    "name": _limit(Organization, "name"),
    "short_name": _limit(Organization, "short_name"),
}
SHAPE: dict[str, dict[str, Any]] = {
    "document": {
        "schema": None,
        "schema_version": None,
        "organization": "organization",
        "units": ["unit"],
        "year": "year",
        "bands": "bands",
        "score_sheet": "score_sheet",
        "dimensions": ["dimension"],
    },
    "organization": {**_ORGANIZATION, "parent": "parent"},
    "parent": _ORGANIZATION,
    "unit": {"name": _limit(Unit, "name"), "kind": None, "order": None, "is_active": None},
    "year": {"roc_year": None, "status": None, "deadline_day": None},
    "bands": {"excellent_min": None, "a_min": None, "b_min": None, "c_min": None},
    "score_sheet": {
        "assessed_by": _limit(ScoreSheet, "assessed_by"),
        "assessed_roc_year": None,
        "assessed_month": None,
    },
    "dimension": {
        "number": None,
        "name": _limit(Dimension, "name"),
        "max_score": None,
        "scores": "scores",
        "strategies": ["strategy"],
    },
    "scores": {"self": "score", "review": "score"},
    "score": {"score": None, "comment": COMMENT_MAX},
    "strategy": {
        "order": None,
        "title": _limit(Strategy, "title"),
        "is_retired": None,
        "methods": ["method"],
    },
    "method": {
        "order": None,
        "title": _limit(Method, "title"),
        "description": CELL_LIMIT,
        "is_retired": None,
        "items": ["item"],
    },
    "item": {
        "order": None,
        "title": CELL_LIMIT,
        "host_label": _limit(Item, "host_label"),
        "host_units": None,
        "planned_actions": CELL_LIMIT,
        "results": min(RESULTS_MAX_LENGTH, CELL_LIMIT),
        "shortfall_note": CELL_LIMIT,
        "is_retired": None,
        "indicators": ["indicator"],
        "entries": ["entry"],
    },
    "indicator": {
        "order": None,
        "name": _limit(Indicator, "name"),
        "measure": _limit(Indicator, "measure"),
        "target": None,
        "aggregation": None,
        "allows_decimals": None,
        "reported_actual": None,
    },
    "entry": {
        "unit": None,
        "month": None,
        "status": None,
        "narrative": NARRATIVE_MAX_LENGTH,
        "return_reason": REASON_MAX_LENGTH,
        "submitted_at": None,
        "approved_at": None,
        "values": ["value"],
    },
    "value": {"indicator": None, "value": None},
}


def shape_problems(document: dict[str, Any]) -> list[str]:
    """Unknown keys and texts over their limit, each with its place. Walks only what has the
    right type (wrong types are the field checks' to report)."""
    problems: list[str] = []
    stack: list[tuple[str, str, Any]] = [("", "document", document)]
    while stack:
        path, kind, obj = stack.pop()
        if not isinstance(obj, dict):
            continue
        keys = SHAPE[kind]
        for key in obj:
            place = f"{path}.{key}" if path else str(key)
            if key not in keys:
                problems.append(f"{place}: 不認得的欄位（本程式讀取的格式沒有這個欄位）")
                continue
            rule, value = keys[key], obj[key]
            if isinstance(rule, int) and isinstance(value, str) and len(value) > rule:
                problems.append(f"{place}: 文字有 {len(value):,} 字，超過上限 {rule:,} 字")
            elif isinstance(rule, str):
                stack.append((place, rule, value))
            elif isinstance(rule, list) and isinstance(value, list):
                stack.extend((f"{place}[{n}]", rule[0], child) for n, child in enumerate(value))
    return sorted(problems)


def total_problems(document: dict[str, Any]) -> list[str]:
    """The dimension maxima must add up to the score sheet's total."""
    dimensions = document.get("dimensions")
    if not isinstance(dimensions, list):
        return []
    total = Decimal(0)
    for dimension in dimensions:
        maximum = dimension.get("max_score") if isinstance(dimension, dict) else None
        if not isinstance(maximum, str | int | float | Decimal):
            return []  # missing or not a number: reported by the field check
        try:
            total += Decimal(maximum)
        except (InvalidOperation, TypeError, ValueError):
            return []  # a maximum that is not a number: reported by the field check
        if not total.is_finite():
            return []
    if total != MAX_TOTAL:
        return [
            f"dimensions: 各構面配分合計 {total.normalize():f} 分，"
            f"應等於考核總分 {MAX_TOTAL.normalize():f} 分"
        ]
    return []


def organization_problems(document: dict[str, Any]) -> list[str]:
    """An existing code must come with the name it has in this database."""
    problems = []
    organization = document.get("organization")
    places = [("organization", organization)]
    if isinstance(organization, dict):
        places.append(("organization.parent", organization.get("parent")))
    for place, data in places:
        if not isinstance(data, dict) or not isinstance(data.get("code"), str):
            continue
        existing = Organization.objects.filter(code=data["code"]).first()
        if existing is not None and data.get("name") != existing.name:
            problems.append(
                f"{place}.name: 「{str(data.get('name'))[:100]}」與本系統中代碼 "
                f"{existing.code} 的機關「{existing.name}」不符，不會匯入到別的機關"
            )
    return problems
