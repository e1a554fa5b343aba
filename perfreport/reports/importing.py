"""Loading a schema-1 JSON file (json_schema.py) back into the database.

`validate(raw)` checks the whole file first and returns every problem with its place
("dimensions[0].strategies[1].methods[0].items[2].host_units: 未知的單位「資訊室」");
`import_report(raw=...)` writes only a file without problems, in one transaction.
"""

import json
import re
from collections.abc import Sequence
from typing import Any, Protocol

from django.apps import apps
from django.db import connection, models, transaction
from django.db.models import CharField, DateTimeField, IntegerField, Value
from django.utils import timezone

from perfreport.reports import document_schema, import_checks
from perfreport.reports.json_schema import SCHEMA, SCHEMA_VERSION
from perfreport.reports.report_fields import build
from scoring.models import DimensionScore, GradeBands, ScoreSheet
from strategies import tallies
from strategies.auth import User
from strategies.backup.archive import history_model
from strategies.errors import DomainError
from strategies.models import (
    Dimension,
    Indicator,
    IndicatorValue,
    Item,
    Method,
    MonthlyEntry,
    Organization,
    Strategy,
    Unit,
    Year,
)
from strategies.models.audit import RecordsHistory

REASON = "import_report"
_SLUG = re.compile(r"[-a-zA-Z0-9_]{1,20}")
_MISSING = object()
# A JSON object of the document, as json.loads gives it.
type JSONObject = dict[str, Any]


class ImportRefused(DomainError):
    """The file was refused; `problems` lists every place that is wrong."""

    def __init__(self, problems: list[str]) -> None:
        shown = "\n".join(problems[:50])
        more = f"\n（另有 {len(problems) - 50} 項問題）" if len(problems) > 50 else ""
        super().__init__(f"檔案未匯入，共 {len(problems)} 項問題：\n{shown}{more}")
        self.problems = problems


def validate(raw: bytes | str) -> tuple[dict[str, Any] | None, list[str]]:
    """(document, problems): the parsed document and every problem found, checked against the
    schema (document_schema, generated from the plan tree's description) and against the rules
    between rows and the database (import_checks; the year must not exist yet)."""
    try:
        document = import_checks.size_and_depth(raw)
    except import_checks.DocumentRefused as exc:
        return None, [exc.message]
    except UnicodeDecodeError:
        return None, ["檔案不是 UTF-8 編碼的文字"]
    except json.JSONDecodeError as exc:
        return None, [f"第 {exc.lineno} 行第 {exc.colno} 字: 不是有效的 JSON（{exc.msg}）"]
    if not isinstance(document, dict):
        return None, ["檔案最外層應為 JSON 物件"]
    problems = _head_problems(document)
    if problems:
        return None, problems  # another schema: nothing else can be read reliably
    problems += document_schema.schema_problems(document)
    problems += import_checks.total_problems(document)
    problems += import_checks.organization_problems(document)
    problems += import_checks.tree_problems(document)
    return document, problems


def _head_problems(document: dict[str, Any]) -> list[str]:
    """Which schema the file claims to follow: this module reads exactly one."""
    problems = []
    schema, version = document.get("schema", _MISSING), document.get("schema_version", _MISSING)
    if schema is _MISSING:
        problems.append("schema: 缺少此欄位")
    elif not isinstance(schema, str):
        problems.append(f"schema: 應為字串，收到 {json.dumps(schema, ensure_ascii=False)[:40]}")
    elif schema != SCHEMA:
        problems.append(f"schema: 應為「{SCHEMA}」，收到「{schema}」")
    if version is _MISSING:
        problems.append("schema_version: 缺少此欄位")
    elif not isinstance(version, int) or isinstance(version, bool):
        shown = json.dumps(version, ensure_ascii=False)[:40]
        problems.append(f"schema_version: 應為整數，收到 {shown}")
    elif version != SCHEMA_VERSION:
        problems.append(
            f"schema_version: 不支援的版本 {version}（本程式讀取第 {SCHEMA_VERSION} 版）"
        )
    return problems


def _mark_imported(obj: models.Model) -> None:
    """The reason on the history row of every object the import writes (the author stays
    whoever django-simple-history finds: the signed-in importer, or none for the command)."""
    if isinstance(obj, RecordsHistory):
        obj._change_reason = REASON


def _save[M: models.Model](obj: M, exclude: list[str] | None = None) -> M:
    _mark_imported(obj)
    obj.full_clean(exclude=exclude)
    obj.save()
    return obj


def import_report(*, raw: bytes | str) -> Year:
    """Validate the whole file, then create the year and everything in it in one transaction.
    Raises ImportRefused (nothing written) when the file has any problem."""
    document, problems = validate(raw)
    if problems or document is None:
        raise ImportRefused(problems)
    with transaction.atomic():
        year = _apply(document)
        # Written in bulk, past the models: the dashboards' stored counts recount when read.
        tallies.mark_stale([year.pk])
        return year


def _organization(data: JSONObject, parent: Organization | None) -> Organization:
    organization = Organization.objects.filter(code=data["code"]).first()
    if organization is None:
        organization = _save(
            build(Organization, "organization", data, parent=parent, is_headquarters=False)
        )
    return organization


def _apply(document: dict[str, Any]) -> Year:
    org_data = document["organization"]
    parent = None
    if org_data["parent"]:
        parent = Organization.objects.filter(code=org_data["parent"]["code"]).first()
        if parent is None:
            parent = _save(
                build(Organization, "organization", org_data["parent"], is_headquarters=True)
            )
    organization = _organization(org_data, parent)
    units = {unit.name: unit for unit in Unit.objects.filter(organization=organization)}
    for data in document["units"]:
        if data["name"] not in units:
            units[data["name"]] = _save(build(Unit, "unit", data, organization=organization))
    year = _save(build(Year, "year", document["year"], organization=organization))
    _save(build(GradeBands, "grade_bands", document["bands"], year=year))
    _save(build(ScoreSheet, "score_sheet", document["score_sheet"], year=year))
    methods: list[
        tuple[Method, JSONObject]
    ] = []  # every item under its method, written in bulk below
    for d in document["dimensions"]:
        dimension = _save(build(Dimension, "dimension", d, year=year))
        for round_value, score in d["scores"].items():
            if score is not None:  # keyed by its round, which the object itself leaves out
                _save(
                    build(
                        DimensionScore,
                        "dimension_score",
                        {**score, "round": round_value},
                        dimension=dimension,
                    )
                )
        for st in d["strategies"]:
            strategy = _save(build(Strategy, "strategy", st, dimension=dimension))
            for m in st["methods"]:
                method = _save(build(Method, "method", m, strategy=strategy))
                methods.extend((method, i) for i in m["items"])
    _apply_items(methods, units)
    return year


BATCH = 2000


def _checked[M: models.Model](obj: M, exclude: list[str] | None = None) -> M:
    """Field checks without a query per object, for the rows written in bulk: references are
    to rows just written or read (a foreign key's check would query each one), uniqueness and
    constraints are the database's to enforce, and `validate` has checked the whole file."""
    references = [f.name for f in obj._meta.concrete_fields if f.is_relation]
    obj.full_clean(
        exclude=[*(exclude or []), *references], validate_unique=False, validate_constraints=False
    )
    return obj


def _history_of(model: type[models.Model]) -> type[Any]:
    """The django-simple-history model of `model` (every model the import writes keeps one)."""
    history = history_model(model)
    assert history is not None
    return history


def _column(field_: models.Field[Any, Any]) -> str:
    assert field_.column is not None  # a concrete field's
    return field_.column


def _bulk[M: models.Model](objs: list[M], model: type[M]) -> list[M]:
    """Insert in batches, each batch with its history rows: a year at 20x the seed has 30,000
    entries. The rows come back with their primary keys (SQLite and PostgreSQL return them)."""
    written = _insert(model, objs)
    if written:
        user = _history_of(model).get_default_history_user(written[0])
        for start in range(0, len(written), BATCH):
            _copy_into_history(model, [obj.pk for obj in written[start : start + BATCH]], user)
    return written


def _insert[M: models.Model](model: type[M], objs: list[M]) -> list[M]:
    """`bulk_create` for plain new rows, without its per-value compiler work (two thirds of
    the import at 20x): each field's database conversion is done directly, the statement is
    built once per batch, and the new primary keys come back through RETURNING (SQLite and
    PostgreSQL), in the order of the rows as bulk_create relies on too. No signals are sent,
    as with bulk_create."""
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    quote = connection.ops.quote_name
    limit = connection.features.max_query_params or 65535
    per_statement = max(1, min(BATCH, limit // len(fields)))
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    head = (
        f"INSERT INTO {quote(model._meta.db_table)} "  # noqa: S608 - names from the model
        f"({', '.join(quote(_column(field)) for field in fields)}) VALUES "
    )
    assert model._meta.pk is not None
    tail = f" RETURNING {quote(_column(model._meta.pk))}"
    with connection.cursor() as cursor:
        for start in range(0, len(objs), per_statement):
            batch = objs[start : start + per_statement]
            params = [
                field.get_db_prep_save(field.pre_save(obj, True), connection)
                for obj in batch
                for field in fields
            ]
            cursor.execute(head + ", ".join([row] * len(batch)) + tail, params)
            for obj, (pk,) in zip(batch, cursor.fetchall(), strict=True):
                obj.pk = pk
                obj._state.adding = False
                obj._state.db = connection.alias
    return objs


def _copy_into_history(model: type[models.Model], pks: list[int], user: User | None) -> None:
    """The creation records of rows just written ("+", REASON, the request's user), as
    django-simple-history writes them for a saved object, copied by the database itself
    (INSERT ... SELECT): no historical object is built in Python for each row."""
    History = _history_of(model)
    tracked = History.tracked_fields
    marks = {
        "history_date": Value(timezone.now(), output_field=DateTimeField()),
        "history_change_reason": Value(REASON, output_field=CharField()),
        "history_type": Value("+", output_field=CharField()),
        "history_user_id": Value(getattr(user, "pk", None), output_field=IntegerField()),
    }
    rows = (
        model._default_manager.filter(pk__in=pks)
        .order_by("pk")
        .annotate(**{f"_{name}": value for name, value in marks.items()})
        .values_list(*(field.attname for field in tracked), *(f"_{name}" for name in marks))
    )
    select, params = rows.query.sql_with_params()
    quote = connection.ops.quote_name
    columns = [History._meta.get_field(field.name).column for field in tracked] + [
        History._meta.get_field(name.removesuffix("_id")).column for name in marks
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(History._meta.db_table)} "  # noqa: S608 - names from the models
            f"({', '.join(quote(c) for c in columns)}) {select}",
            params,
        )


def _apply_items(methods: list[tuple[Method, JSONObject]], units: dict[str, Unit]) -> None:
    """Items, their host units, indicators, entries and values: a few bulk inserts per kind,
    however large the year, each row with its history row (an item's records its host units)."""
    items = _bulk(
        [
            _checked(
                build(
                    Item,
                    "item",
                    data,
                    method=method,
                    # The text comes from the report as written: carried over, never re-drafted.
                    results_state=Item.ResultsState.IMPORTED,
                )
            )
            for method, data in methods
        ],
        Item,
    )
    documents = [data for _method, data in methods]
    Through = Item.host_units.through
    hosts = Through.objects.bulk_create(
        [
            Through(item_id=item.pk, unit_id=units[name].pk)
            for item, data in zip(items, documents, strict=True)
            for name in data["host_units"]
        ],
        batch_size=BATCH,
    )
    _host_unit_history(items, hosts)

    indicator_rows = [
        (item, n) for item, data in zip(items, documents, strict=True) for n in data["indicators"]
    ]
    indicators = _bulk(
        [_checked(build(Indicator, "indicator", n, item=item)) for item, n in indicator_rows],
        Indicator,
    )
    indicator_of = {
        (item.pk, n["order"]): indicator
        for (item, n), indicator in zip(indicator_rows, indicators, strict=True)
    }

    entry_rows = [
        (item, e) for item, data in zip(items, documents, strict=True) for e in data["entries"]
    ]
    entries = _bulk(
        [
            _checked(
                build(MonthlyEntry, "monthly_entry", e, item=item, unit=units[e["unit"]]),
                # The file names no users: who created and last changed an entry stays empty.
                exclude=["created_by", "updated_by"],
            )
            for item, e in entry_rows
        ],
        MonthlyEntry,
    )
    _bulk(
        [
            _checked(
                build(
                    IndicatorValue,
                    "indicator_value",
                    v,
                    entry=entry,
                    indicator=indicator_of[(item.pk, v["indicator"])],
                )
            )
            for (item, e), entry in zip(entry_rows, entries, strict=True)
            for v in e["values"]
        ],
        IndicatorValue,
    )


class _HostLink(Protocol):
    """A row of Item.host_units' through table."""

    @property
    def pk(self) -> int: ...

    @property
    def item_id(self) -> int: ...

    @property
    def unit_id(self) -> int: ...


def _host_unit_history(items: list[Item], hosts: Sequence[_HostLink]) -> None:
    """The host units in each item's creation record, as django-simple-history records them
    for a saved item (a copy of each through row in its m2m history table), in bulk."""
    records = dict(
        Item.history.filter(id__in=[item.pk for item in items], history_type="+").values_list(
            "id", "history_id"
        )
    )
    History = apps.get_model("strategies", "HistoricalItem_host_units")
    History.objects.bulk_create(
        [
            History(
                id=row.pk, history_id=records[row.item_id], item_id=row.item_id, unit_id=row.unit_id
            )
            for row in hosts
        ],
        batch_size=BATCH,
    )
