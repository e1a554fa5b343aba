"""The JSON report's schema (json_schema.py describes the document), generated from the plan
tree's description and checked by pydantic.

`Document` is a pydantic model built from scoring.plan_tree.TREE: each level's fields that the
report carries (KEY, PLAN, REPORT), typed from the model fields (texts with their limits,
choices, integers with the ranges the models' constraints hold, decimals as strings with the
model's decimal places, times with a zone), every key required and no other key allowed.
`Document.model_json_schema()` is the same schema as JSON Schema. `schema_problems(document)`
runs it and says each problem in the reader's words with its place, e.g.
``dimensions[1].strategies[0].methods[2].items[0].results: 缺少此欄位``.

The rules between fields (a unit named in an item must be in `units`, keys unique among
siblings, scores within their maximum) are import_checks' to check.
"""

import json
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from decimal import Decimal, InvalidOperation
from types import GenericAlias
from typing import Annotated, Any, Literal

from django.core.validators import MaxLengthValidator
from django.db import models
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    StringConstraints,
    ValidationError,
    create_model,
)

from scoring.plan_tree import TREE
from scoring.services import COMMENT_MAX
from strategies.plan_tree import IN_REPORT, KEY, USER, Level, by_name, own_field
from strategies.services.entries import REASON_MAX_LENGTH
from strategies.services.results import RESULTS_MAX_LENGTH

CELL_LIMIT = 32_767  # characters in one spreadsheet cell (Excel and LibreOffice alike)
LEVELS = by_name(TREE)

# Texts the services keep shorter than their model field does (the forms' limits).
TEXT_LIMITS = {
    ("item", "results"): RESULTS_MAX_LENGTH,
    ("monthly_entry", "return_reason"): REASON_MAX_LENGTH,
    ("dimension_score", "comment"): COMMENT_MAX,
}
# Integer ranges the models' check constraints hold: (lowest, highest or None, message or None).
RANGES: dict[tuple[str, str], tuple[int, int | None, str | None]] = {
    ("year", "roc_year"): (1, None, "民國年必須大於 0"),
    ("year", "deadline_day"): (1, 28, None),
    ("dimension", "number"): (1, 5, None),
    ("monthly_entry", "month"): (1, 12, None),
    ("score_sheet", "assessed_month"): (1, 12, None),
}
NUL = "\x00"  # PostgreSQL cannot store it: refused on every database alike
_NO_NUL = r"^[^\x00]*$"
_STRICT = ConfigDict(extra="forbid")


# --- the checks of one value ------------------------------------------------------------------


def decimal_text(places: int) -> Callable[[str], str]:
    def check(text: str) -> str:
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"「{text}」不是數字") from None
        if not value.is_finite():
            raise ValueError(f"「{text}」不是有限的數字（不接受 NaN、Infinity 之類的值）")
        if value < 0:
            raise ValueError(f"{text} 不可小於 0")
        exponent = value.as_tuple().exponent
        assert isinstance(exponent, int)  # a finite number's, checked above
        if -exponent > places:
            raise ValueError(f"{text} 最多 {places} 位小數")
        return text

    return check


def _moment(text: str) -> str:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"「{text}」不是 ISO 8601 時間") from None
    if moment.tzinfo is None:
        raise ValueError(f"「{text}」缺少時區")
    return text


def _range(low: int, high: int | None, message: str | None) -> Callable[[int], int]:
    def check(value: int) -> int:
        if value < low or (high is not None and value > high):
            raise ValueError(message or f"{value} 不在 {low} 至 {high} 之間")
        return value

    return check


def _slug(text: str) -> str:
    if not all(c.isascii() and (c.isalnum() or c in "-_") for c in text) or not text:
        raise ValueError(f"「{text}」只能使用英文字母、數字、- 與 _")
    return text


# --- the schema, from the description --------------------------------------------------------


def _text_limit(level: Level, field_: models.Field[Any, Any]) -> int:
    limit = TEXT_LIMITS.get((level.name, field_.name)) or field_.max_length
    for validator in field_.validators:
        if isinstance(validator, MaxLengthValidator):
            limit = min(limit or CELL_LIMIT, validator.limit_value)
    return min(limit or CELL_LIMIT, CELL_LIMIT)


def _field(level: Level, name: str, *, as_reference: bool = False) -> Any:
    """The type of one field of the level, as the report writes it."""
    field_ = own_field(level.model, name)
    kind: Any
    if isinstance(field_, models.DecimalField):
        kind = Annotated[StrictStr, AfterValidator(decimal_text(field_.decimal_places))]
    elif isinstance(field_, models.DateTimeField):
        kind = Annotated[StrictStr, StringConstraints(pattern=_NO_NUL), AfterValidator(_moment)]
    elif isinstance(field_, models.BooleanField):
        kind = StrictBool
    elif isinstance(field_, models.IntegerField):
        kind = StrictInt
        if (level.name, name) in RANGES and not as_reference:
            kind = Annotated[StrictInt, AfterValidator(_range(*RANGES[(level.name, name)]))]
    elif field_.choices:
        kind = Literal[tuple(value for value, _label in field_.choices)]
    else:
        text = StringConstraints(max_length=_text_limit(level, field_), pattern=_NO_NUL)
        kind = Annotated[StrictStr, text]
        if isinstance(field_, models.SlugField) and not as_reference:
            kind = Annotated[kind, AfterValidator(_slug)]
    return kind | None if field_.null else kind


def _list_of(kind: Any) -> Any:
    """`list[kind]` of a type built at run time (what the subscript makes, as a call)."""
    return GenericAlias(list, (kind,))


def _model(name: str, fields: dict[str, Any], *, nullable: bool = False) -> Any:
    definitions: dict[str, Any] = {k: (v, ...) for k, v in fields.items()}
    model = create_model(name, __config__=_STRICT, **definitions)
    return model | None if nullable else model


def _own_fields(level: Level) -> dict[str, Any]:
    return {name: _field(level, name) for name in level.carried(IN_REPORT)}


def _children(level: Level) -> Iterator[Level]:
    return (child for child in TREE if child.parent == level.name and child.document)


def level_model(level: Level) -> Any:
    """One row of the level as the report writes it: its carried fields, its references by
    the natural key of what they name (a unit by name, an indicator by order), its children."""
    fields = _own_fields(level)
    for name, kind in level.refs.items():
        if kind != USER:
            target = LEVELS[kind]
            fields[name] = _field(target, target.carried(frozenset({KEY}))[0], as_reference=True)
    for name, (_kind, carried) in level.m2m.items():
        if carried in IN_REPORT:
            fields[name] = list[StrictStr]
    for child in _children(level):
        if child.document_keyed_by:
            row = _own_fields(child)
            row.pop(child.document_keyed_by)
            choices = own_field(child.model, child.document_keyed_by).choices or []
            one = _model(child.name, row, nullable=True)
            fields[child.document] = _model(child.document, {value: one for value, _ in choices})
        else:
            fields[child.document] = _list_of(level_model(child))
    return _model(level.name, fields)


def _document_model() -> type[BaseModel]:
    organization = _own_fields(LEVELS["organization"])
    parent = _model("parent", dict(organization), nullable=True)
    return create_model(
        "Document",
        __config__=_STRICT,
        # "schema" is a BaseModel attribute: the field has another name and "schema" as alias.
        schema_name=(StrictStr, Field(alias="schema")),
        schema_version=(StrictInt, ...),
        organization=(_model("organization", {**organization, "parent": parent}), ...),
        units=(_list_of(_model("unit", _own_fields(LEVELS["unit"]))), ...),
        year=(_model("year", _own_fields(LEVELS["year"])), ...),
        bands=(_model("bands", _own_fields(LEVELS["grade_bands"])), ...),
        score_sheet=(_model("score_sheet", _own_fields(LEVELS["score_sheet"])), ...),
        dimensions=(_list_of(level_model(LEVELS["dimension"])), ...),
    )


Document = _document_model()


# --- the problems, in the reader's words -----------------------------------------------------


def place(path: Iterable[str | int]) -> str:
    """`dimensions[0].strategies[1].title` from the place pydantic reports (its `loc`)."""
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return text


def _join(where: str, message: str) -> str:
    return f"{where}: {message}" if where else message


_TYPE_NAMES = {
    "int_type": "整數",
    "string_type": "字串",
    "bool_type": "true/false",
    "list_type": "清單",
    "model_type": "物件",
    "dict_type": "物件",
    "model_attributes_type": "物件",
}


def _said(error: Any) -> str:
    """One pydantic error in the reader's words, with its place."""
    where, kind, value = place(error["loc"]), error["type"], error.get("input")
    if kind == "missing":
        message = "缺少此欄位"
    elif kind == "extra_forbidden":
        message = "不認得的欄位（本程式讀取的格式沒有這個欄位）"
    elif kind == "string_pattern_mismatch" or (isinstance(value, str) and NUL in value):
        message = "文字含有 NUL 字元（\\u0000），無法存入"
    elif kind == "string_too_long":
        limit = error["ctx"]["max_length"]
        message = f"文字有 {len(value):,} 字，超過上限 {limit:,} 字"
    elif kind == "value_error":
        message = str(error["ctx"]["error"])
    elif error["loc"] and isinstance(error["loc"][-1], int) and kind in _TYPE_NAMES:
        message = f"應為{_TYPE_NAMES[kind]}"  # an element of a list
    elif value is None and (kind in _TYPE_NAMES or kind == "literal_error"):
        message = "不可為 null"
    elif kind == "literal_error" and isinstance(value, str):
        allowed = error["ctx"]["expected"].replace("'", "").replace(" or ", ", ").split(", ")
        message = f"「{value}」不是可用的值（{'、'.join(allowed)}）"
    elif kind in _TYPE_NAMES or kind == "literal_error":
        shown = json.dumps(value, ensure_ascii=False)[:40]
        message = f"應為{_TYPE_NAMES.get(kind, '字串')}，收到 {shown}"
    else:
        message = error["msg"]
    return _join(where, message)


def schema_problems(document: Any) -> list[str]:
    """Every place where the document does not match the schema (none: an empty list)."""
    try:
        Document.model_validate(document)
    except ValidationError as error:
        return list(dict.fromkeys(_said(e) for e in error.errors(include_url=False)))
    return []
