"""Rules a JSON report must keep before it may become a year (importing.validate asks them).

Beyond the types, keys and text limits the schema checks field by field (document_schema.py),
a document that imports must also leave a year every page and export can show:

- `size_and_depth`: a size cap and a nesting cap, checked before and while parsing, so a
  hostile file is one clean message, never a RecursionError;
- `tree_problems`: keys unique among siblings, every unit and indicator named where it is
  known, scores within their dimension's maximum, bands descending, the year not there yet;
- `total_problems`: the dimension maxima add up to the score sheet's total (1000), or the score
  sheet, its grade and every export of the year fail;
- `organization_problems`: an organization (or headquarters) code that already exists must name
  the same organization, so a file cannot hang a year on the wrong agency.
"""

from decimal import Decimal, InvalidOperation
from typing import Any, TypeGuard

from scoring.grades import MAX_TOTAL, Bands
from scoring.models import DimensionScore
from scoring.plan_tree import TREE
from strategies import number_format
from strategies.bounded_files import load_json
from strategies.errors import DomainError
from strategies.models import Organization, Year
from strategies.plan_tree import KEY, Level, by_name, own_field

MAX_BYTES = 50 * 1024 * 1024  # the 112 report with every entry is well under 1 MB
MAX_DEPTH = 32  # the schema nests 16 deep
LEVELS = by_name(TREE)


class DocumentRefused(DomainError):
    """The document as a whole cannot be read (too large, too deep, NaN)."""


def size_and_depth(raw: bytes | str) -> Any:
    """The parsed document; DocumentRefused for one too large or too deep, or with NaN."""
    return load_json(raw, max_bytes=MAX_BYTES, max_depth=MAX_DEPTH, refuse=DocumentRefused)


def _key(level: Level) -> str:
    """The field that tells the level's rows apart among siblings ("" when a reference does:
    an indicator value is told apart by its indicator)."""
    keys = level.carried(frozenset({KEY}))
    return keys[0] if keys else ""


def _label(level: Level) -> str:
    """「構面編號」, 「執行策略排序」: what a duplicate key is called."""
    model = level.model._meta
    return f"{model.verbose_name}{own_field(level.model, _key(level)).verbose_name}"


# Each level's children listed in the report, and the key that tells siblings apart.
_LISTED = {
    level.name: [
        c for c in TREE if c.parent == level.name and c.document and not c.document_keyed_by
    ]
    for level in TREE
}
_KEYS = {level.name: _key(level) for level in TREE}

# What a reference that names nothing in its scope says, by the level it names.
_UNKNOWN = {
    "unit": "未知的單位「{}」（不在 units 之中）",
    "indicator": "本項目沒有排序 {} 的指標",
}


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _rows(value: Any, place: str) -> list[tuple[str, dict[str, Any]]]:
    if not isinstance(value, list):
        return []
    return [(f"{place}[{n}]", row) for n, row in enumerate(value) if isinstance(row, dict)]


def _duplicates(rows: list[tuple[str, dict[str, Any]]], key: str, label: str) -> list[str]:
    problems, seen = [], set()
    for place, row in rows:
        marker = row.get(key)
        if isinstance(marker, list | dict):
            continue
        if marker in seen:
            problems.append(f"{place}.{key}: {label}「{marker}」重複")
        seen.add(marker)
    return problems


def _walk(
    level: Level, place: str, row: dict[str, Any], scope: dict[str, set[object]]
) -> list[str]:
    """The rules between rows below one row of the tree, as plan_tree describes it: keys
    unique among siblings, every reference naming a row in its scope (a unit of the file, an
    indicator of the same item)."""
    problems = []
    for name, kind in level.refs.items():
        value = row.get(name)
        if kind in _UNKNOWN and _named(value) and value not in scope[kind]:
            problems.append(f"{place}.{name}: {_UNKNOWN[kind].format(value)}")
    for name, (kind, _carried) in level.m2m.items():
        values = row.get(name)
        for value in values if isinstance(values, list) else []:
            if kind in _UNKNOWN and _named(value) and value not in scope[kind]:
                problems.append(f"{place}.{name}: {_UNKNOWN[kind].format(value)}")
    children = _LISTED[level.name]
    inner = dict(scope)
    for child in children:
        if key := _KEYS[child.name]:
            rows = _rows(row.get(child.document), "")
            inner[child.name] = {r.get(key) for _p, r in rows if _named(r.get(key))}
    for child in children:
        rows = _rows(row.get(child.document), f"{place}.{child.document}")
        if child.name == "monthly_entry":
            problems += _entry_duplicates(rows)
        elif _KEYS[child.name]:
            problems += _duplicates(rows, _KEYS[child.name], _label(child))
        for child_place, child_row in rows:
            problems += _walk(child, child_place, child_row, inner)
    return problems


def _named(value: Any) -> bool:
    """A value that can name a row (a unit's name, an indicator's order)."""
    return isinstance(value, str | int) and not isinstance(value, bool)


def _entry_duplicates(rows: list[tuple[str, dict[str, Any]]]) -> list[str]:
    """One entry per unit and month (the key spans the unit it names)."""
    problems, seen = [], set()
    for place, entry in rows:
        unit, month = entry.get("unit"), entry.get("month")
        if not isinstance(unit, str) or not _is_int(month):
            continue
        if (unit, month) in seen:
            problems.append(f"{place}: {unit} {month} 月的填報重複")
        seen.add((unit, month))
    return problems


def tree_problems(document: dict[str, Any]) -> list[str]:
    """The rules between fields and rows that a schema cannot say, each with its place.
    Reads only what has the right type (wrong types are the schema's to report)."""
    units = _rows(document.get("units"), "units")
    problems = _duplicates(units, "name", _label(LEVELS["unit"]))
    scope = {"unit": {unit.get("name") for _p, unit in units}}
    dimensions = _rows(document.get("dimensions"), "dimensions")
    problems += _duplicates(dimensions, "number", _label(LEVELS["dimension"]))
    for place, dimension in dimensions:
        problems += _score_problems(place, dimension)
        problems += _walk(LEVELS["dimension"], place, dimension, scope)
    return problems + _head_problems(document)


def _decimal(value: Any) -> Decimal | None:
    """The value of a well-formed decimal string (the schema reports the others)."""
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return None
    return number if number.is_finite() and number >= 0 else None


def _score_problems(place: str, dimension: dict[str, Any]) -> list[str]:
    problems = []
    maximum = _decimal(dimension.get("max_score"))
    if maximum is not None and not 0 < maximum <= 1000:
        problems.append(f"{place}.max_score: 配分 {maximum} 必須大於 0 且不超過 1000")
    scores = dimension.get("scores")
    for round_value in DimensionScore.Round.values:
        score = scores.get(round_value) if isinstance(scores, dict) else None
        value = _decimal(score.get("score")) if isinstance(score, dict) else None
        if value is not None and maximum is not None and value > maximum:
            problems.append(
                f"{place}.scores.{round_value}.score: "
                f"分數 {value} 超過本構面配分 {number_format.plain(maximum)}"
            )
    return problems


def _places(value: Decimal) -> int:
    """Decimal places of a finite number (0 for 12, 1 for 899.5)."""
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int), "a finite number"
    return -exponent


def _head_problems(document: dict[str, Any]) -> list[str]:
    """The year must be new; the bands descend; the assessment's year and month go together."""
    problems = []
    year, organization = document.get("year"), document.get("organization")
    roc_year = year.get("roc_year") if isinstance(year, dict) else None
    code = organization.get("code") if isinstance(organization, dict) else None
    if (
        _is_int(roc_year)
        and Year.objects.filter(organization__code=code, roc_year=roc_year).exists()
    ):
        problems.append(f"year: 機關 {code} 的 {roc_year} 年度已存在，不會覆蓋")
    bands = document.get("bands")
    if isinstance(bands, dict):
        values = [_decimal(bands.get(key)) for key in ("excellent_min", "a_min", "b_min", "c_min")]
        limits = [v for v in values if v is not None and _places(v) <= 1]
        if len(limits) == len(values):
            try:
                Bands(*limits)
            except ValueError as exc:
                problems.append(f"bands: {exc}")
    sheet = document.get("score_sheet")
    if isinstance(sheet, dict):
        a_year, a_month = sheet.get("assessed_roc_year"), sheet.get("assessed_month")
        typed = all(_is_int(v) or v is None for v in (a_year, a_month))
        if typed and (a_year is None) != (a_month is None):
            problems.append("score_sheet: 考核年與考核月必須同時填寫或同時留空")
    return problems


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
            f"dimensions: 各構面配分合計 {number_format.plain(total)} 分，"
            f"應等於考核總分 {number_format.plain(MAX_TOTAL)} 分"
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
