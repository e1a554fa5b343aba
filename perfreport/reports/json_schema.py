"""The JSON file of a whole organization-year, schema version 1.

Written by `export_report --format json` (and issued with every sign-off); read back by
`import_report FILE`. Export -> import into an empty database -> export gives the same bytes.

Conventions
-----------
- UTF-8, `ensure_ascii=False`, two-space indent, keys in the order below, a final newline.
- Decimal numbers (maximums, scores, bands, targets, values) are JSON *strings* such as
  "184.0" or "36.50", so no value passes through a binary float.
- Nothing refers to a database id: units are named, dimensions numbered, strategies, methods,
  items and indicators ordered inside their parent.
- Timestamps are ISO 8601 with offset, or null.

Document
--------
::

    {
      "schema": "perfreport.year-report",           # fixed
      "schema_version": 1,                           # integer; this module reads exactly 1
      "organization": {"code": "khh", "name": "...", "short_name": "高雄分局",
                       "parent": {"code": "bsmi", "name": "...", "short_name": "總局"} | null},
      "units": [{"name": "秘書室", "kind": "secretariat|section|office|other",
                 "order": 1, "is_active": true}, ...],
      "year": {"roc_year": 112, "status": "planning|open|closed|locked", "deadline_day": 10},
      "bands": {"excellent_min": "900.0", "a_min": "800.0", "b_min": "700.0", "c_min": "600.0"},
      "score_sheet": {"assessed_by": "高雄分局", "assessed_roc_year": 113 | null,
                      "assessed_month": 1 | null},
      "dimensions": [{
        "number": 1, "name": "基礎服務", "max_score": "200.0",
        "scores": {"self": {"score": "184.0", "comment": ""} | null,
                   "review": {"score": "...", "comment": "..."} | null},
        "strategies": [{
          "order": 1, "title": "服務一致及正確性", "is_retired": false,
          "methods": [{
            "order": 1, "title": "...", "description": "...", "is_retired": false,
            "items": [{
              "order": 1, "title": "", "host_label": "各科、辦事處",
              "host_units": ["度量衡科", ...],        # names from "units"
              "planned_actions": "...", "results": "...", "shortfall_note": "",
              "is_retired": false,
              "indicators": [{"order": 1, "name": "...", "measure": "場次",
                              "target": "9.00" | null, "aggregation": "sum|latest",
                              "allows_decimals": false, "reported_actual": "11.00" | null}],
              "entries": [{"unit": "度量衡科", "month": 1..12,
                           "status": "draft|submitted|returned|approved",
                           "narrative": "...", "return_reason": "",
                           "submitted_at": "2023-02-03T10:00:00+08:00" | null,
                           "approved_at": ... | null,
                           "values": [{"indicator": 1, "value": "3.00"}]}]
            }]
          }]
        }]
      }]
    }

Not carried: users, memberships, comments, evidence files and the edit history (they belong to
the live system, not to the report); issued versions (they are the frozen outputs themselves).

Which fields each object carries is not written here but read off the plan tree's description
(strategies/plan_tree.py, scoring/plan_tree.py: the KEY, PLAN and REPORT fields of each level);
`document_schema.Document` is the schema generated from it, checked by pydantic.

Import rules (see `perfreport/reports/importing.py`): the whole file is validated first; every
problem is reported with its place, e.g.
``dimensions[0].strategies[1].methods[0].items[2].host_units: 未知的單位「資訊室」``; only a file
without problems is written, in one transaction. The year must not exist yet; the organization
and its parent are created when missing (the parent as headquarters), and units missing
from the database are created.
"""

import io
import json
from functools import cache
from operator import attrgetter
from typing import Any, BinaryIO

from perfreport.reports.report_fields import encoders, to_json, with_references
from perfreport.reports.selectors import (
    DimensionData,
    EntryData,
    IndicatorData,
    ItemData,
    ReportData,
)
from scoring.models import DimensionScore

SCHEMA = "perfreport.year-report"
SCHEMA_VERSION = 1


def _own(level_name: str, row: Any) -> dict[str, Any]:
    """The level's own fields, read off the model instance the selector's row wraps."""
    return to_json(level_name, row if row.instance is None else row.instance)


def _indicator(indicator: IndicatorData) -> dict[str, Any]:
    return _own("indicator", indicator)


class _Entries(list[EntryData]):
    """An item's entries, written by `write` on its fast path (same bytes as json.dumps)."""


def _item(item: ItemData) -> dict[str, Any]:
    return {
        **with_references("item", _own("item", item), {"host_units": item.host_units}),
        "indicators": [_indicator(i) for i in item.indicators],
        "entries": _Entries(item.entries),
    }


def _dimension(dimension: DimensionData) -> dict[str, Any]:
    def score(round_value: str) -> dict[str, Any] | None:
        data = dimension.scores.get(round_value)
        if data is None:
            return None
        row = _own("dimension_score", data)
        del row["round"]  # the key the scores are under
        return row

    return {
        **_own("dimension", dimension),
        "scores": {round_value: score(round_value) for round_value in DimensionScore.Round.values},
        "strategies": [
            {
                **_own("strategy", strategy),
                "methods": [
                    {
                        **_own("method", method),
                        "items": [_item(item) for item in method.items],
                    }
                    for method in strategy.methods
                ],
            }
            for strategy in dimension.strategies
        ],
    }


def to_document(data: ReportData) -> dict[str, Any]:
    """The schema-1 document of a report built with `include_entries=True`."""
    if not data.includes_entries:
        raise ValueError("to_document needs build_report(..., include_entries=True)")
    parent = (
        {"code": data.parent_code, "name": data.parent_name, "short_name": data.parent_short_name}
        if data.parent_code
        else None
    )
    bands = data.bands
    return {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "organization": {
            "code": data.organization_code,
            "name": data.organization_name,
            "short_name": data.organization_short_name,
            "parent": parent,
        },
        "units": [to_json("unit", unit) for unit in data.units],
        "year": {
            "roc_year": data.roc_year,
            "status": data.year_status,
            "deadline_day": data.deadline_day,
        },
        "bands": to_json("grade_bands", bands),
        "score_sheet": {
            "assessed_by": data.assessed_by,
            "assessed_roc_year": data.assessed_roc_year,
            "assessed_month": data.assessed_month,
        },
        "dimensions": [_dimension(d) for d in data.dimensions],
    }


def dumps(document: dict[str, Any]) -> bytes:
    """The document's bytes (see `write`)."""
    buffer = io.BytesIO()
    write(document, buffer)
    return buffer.getvalue()


# --- writing ---------------------------------------------------------------------------------
# The file is what json.dumps(document, ensure_ascii=False, indent=2) + "\n" gives, but written
# piece by piece to a binary stream: json.dumps with an indent runs the pure-Python encoder and
# joins millions of fragments in memory (1 GB for a year at 100x the seed). Strings go through
# json's C string encoder; each monthly entry is formatted in one step.

_string = json.encoder.encode_basestring  # ensure_ascii=False, as json.dumps does


def _scalar(value: object) -> str:
    if isinstance(value, str):
        return _string(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    raise TypeError(f"not in the schema: {type(value).__name__}")


def _layout(level_name: str, references: tuple[str, ...]) -> tuple[tuple[str, str, Any], ...]:
    """(field, '"field": ', encoder) for each key of the level's objects, in the report's
    order, its references among them."""
    codecs = dict(encoders(level_name))
    keys = with_references(level_name, dict(codecs), dict.fromkeys(references))
    return tuple((key, f"{_string(key)}: ", codecs.get(key)) for key in keys)


@cache
def _entry_layout() -> tuple[Any, tuple[tuple[str, Any], ...], tuple[tuple[str, Any], ...]]:
    """The selector's entry rows hold the entry's fields under their own names, and each
    value as a tuple in the report's order: (indicator order, value)."""
    entry = _layout("monthly_entry", ("unit",))
    value = _layout("indicator_value", ("indicator",))
    return (
        attrgetter(*(name for name, _key, _encode in entry)),
        tuple((key, encode) for _name, key, encode in entry),
        tuple((key, encode) for _name, key, encode in value),
    )


def _object_text(layout: tuple[tuple[str, Any], ...], row: tuple[Any, ...], pad: str) -> str:
    """The keys of one object, as json.dumps(indent=2) writes them at the indentation `pad`."""
    return ",\n".join(
        f"{pad}{key}{_scalar(value if encode is None else encode(value))}"
        for (key, encode), value in zip(layout, row, strict=True)
    )


def _entry_text(entry: EntryData, pad: str) -> str:
    """One entry as json.dumps(indent=2) writes it at the indentation `pad`."""
    fields, entry_layout, value_layout = _entry_layout()
    p1, p2 = pad + "  ", pad + "    "
    if entry.values:
        p3 = p2 + "  "
        values = (
            "[\n"
            + ",\n".join(
                f"{p2}{{\n{_object_text(value_layout, row, p3)}\n{p2}}}" for row in entry.values
            )
            + f"\n{p1}]"
        )
    else:
        values = "[]"
    own = _object_text(entry_layout, fields(entry), p1)
    return f'{pad}{{\n{own},\n{p1}"values": {values}\n{pad}}}'


def _write_value(value: object, level: int, out: Any) -> None:
    pad, inner = "  " * level, "  " * (level + 1)
    if isinstance(value, _Entries):
        if not value:
            out.write("[]")
            return
        out.write("[\n")
        out.write(",\n".join(_entry_text(entry, inner) for entry in value))
        out.write(f"\n{pad}]")
    elif isinstance(value, dict):
        if not value:
            out.write("{}")
            return
        out.write("{")
        for n, (key, item) in enumerate(value.items()):
            out.write(f"{',' if n else ''}\n{inner}{_string(key)}: ")
            _write_value(item, level + 1, out)
        out.write(f"\n{pad}}}")
    elif isinstance(value, list):
        if not value:
            out.write("[]")
            return
        out.write("[")
        for n, item in enumerate(value):
            out.write(f"{',' if n else ''}\n{inner}")
            _write_value(item, level + 1, out)
        out.write(f"\n{pad}]")
    else:
        out.write(_scalar(value))


def write(document: dict[str, Any], stream: BinaryIO) -> None:
    """Write the document (from `to_document`) to a binary stream as UTF-8."""
    text = io.TextIOWrapper(stream, encoding="utf-8", newline="", write_through=False)
    try:
        _write_value(document, 0, text)
        text.write("\n")
        text.flush()
    finally:
        text.detach()  # the caller's stream stays open
