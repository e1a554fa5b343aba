"""Loading a schema-1 JSON file (json_schema.py) back into the database.

`validate(raw)` checks the whole file first and returns every problem with its place
("dimensions[0].strategies[1].methods[0].items[2].host_units: 未知的單位「資訊室」");
`import_report(raw=...)` writes only a file without problems, in one transaction.
"""

import json
import re
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from django.apps import apps
from django.db import models, transaction
from simple_history.utils import bulk_create_with_history

from perfreport.reports import import_checks
from perfreport.reports.json_schema import SCHEMA, SCHEMA_VERSION
from scoring.grades import Bands
from scoring.models import DimensionScore, GradeBands, ScoreSheet
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


class _Checker:
    """Walks the document once, collecting problems; typed getters return None when wrong."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def fail(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}" if path else message)

    def get(
        self,
        obj: JSONObject,
        path: str,
        key: str,
        kind: type | tuple[type, ...],
        *,
        nullable: bool = False,
    ) -> Any:
        place = f"{path}.{key}" if path else key
        value = obj.get(key, _MISSING)
        if value is _MISSING:
            self.fail(place, "缺少此欄位")
            return None
        if value is None:
            if not nullable:
                self.fail(place, "不可為 null")
            return None
        kinds = kind if isinstance(kind, tuple) else (kind,)
        # bool is an int in Python, but never a valid number here.
        if isinstance(value, bool) and bool not in kinds or not isinstance(value, kinds):
            names = "、".join(_TYPE_NAMES[k] for k in kinds)
            self.fail(place, f"應為{names}，收到 {json.dumps(value, ensure_ascii=False)[:40]}")
            return None
        if isinstance(value, str) and "\x00" in value:
            # PostgreSQL cannot store NUL; refuse it on every database alike.
            self.fail(place, "文字含有 NUL 字元（\\u0000），無法存入")
            return None
        return value

    def obj(
        self, parent: JSONObject, path: str, key: str, *, nullable: bool = False
    ) -> JSONObject | None:
        return self.get(parent, path, key, dict, nullable=nullable)

    def items(self, parent: JSONObject, path: str, key: str) -> list[tuple[str, JSONObject]]:
        """The list's objects with their places; wrong elements are reported and skipped."""
        values = self.get(parent, path, key, list)
        result = []
        for index, value in enumerate(values or []):
            place = f"{path}.{key}[{index}]" if path else f"{key}[{index}]"
            if isinstance(value, dict):
                result.append((place, value))
            else:
                self.fail(place, "應為物件")
        return result

    def decimal(
        self,
        obj: JSONObject,
        path: str,
        key: str,
        *,
        nullable: bool = False,
        places: int = 2,
        minimum: int = 0,
    ) -> Decimal | None:
        text = self.get(obj, path, key, str, nullable=nullable)
        if text is None:
            return None
        place = f"{path}.{key}"
        try:
            value = Decimal(text)
        except InvalidOperation:
            self.fail(place, f"「{text}」不是數字")
            return None
        if not value.is_finite():
            self.fail(place, f"「{text}」不是有限的數字（不接受 NaN、Infinity 之類的值）")
            return None
        if value < minimum:
            self.fail(place, f"{text} 不可小於 {minimum}")
            return None
        exponent = value.as_tuple().exponent
        assert isinstance(exponent, int)  # a finite number's, checked above
        if -exponent > places:
            self.fail(place, f"{text} 最多 {places} 位小數")
            return None
        return value

    def choice(
        self, obj: JSONObject, path: str, key: str, choices: type[models.TextChoices]
    ) -> str | None:
        value = self.get(obj, path, key, str)
        if value is not None and value not in choices.values:
            allowed = "、".join(choices.values)
            self.fail(f"{path}.{key}", f"「{value}」不是可用的值（{allowed}）")
            return None
        return value

    def unique(self, entries: list[tuple[str, JSONObject]], key: str, what: str) -> None:
        seen: set[object] = set()
        for place, value in entries:
            marker = value.get(key)
            if isinstance(marker, list | dict):
                continue
            if marker in seen:
                self.fail(f"{place}.{key}", f"{what}「{marker}」重複")
            seen.add(marker)


_TYPE_NAMES = {dict: "物件", list: "清單", str: "字串", int: "整數", bool: "true/false"}


def _parse_time(checker: _Checker, obj: JSONObject, path: str, key: str) -> None:
    text = checker.get(obj, path, key, str, nullable=True)
    if text is not None:
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            checker.fail(f"{path}.{key}", f"「{text}」不是 ISO 8601 時間")
            return
        if moment.tzinfo is None:
            checker.fail(f"{path}.{key}", f"「{text}」缺少時區")


def validate(raw: bytes | str) -> tuple[dict[str, Any] | None, list[str]]:
    """(document, problems): the parsed document and every problem found, checked against the
    schema and against the database (the year must not exist yet)."""
    try:
        document = import_checks.size_and_depth(raw)
    except import_checks.DocumentRefused as exc:
        return None, [exc.message]
    except UnicodeDecodeError:
        return None, ["檔案不是 UTF-8 編碼的文字"]
    except json.JSONDecodeError as exc:
        return None, [f"第 {exc.lineno} 行第 {exc.colno} 字: 不是有效的 JSON（{exc.msg}）"]
    check = _Checker()
    if not isinstance(document, dict):
        return None, ["檔案最外層應為 JSON 物件"]
    schema = check.get(document, "", "schema", str)
    if schema is not None and schema != SCHEMA:
        check.fail("schema", f"應為「{SCHEMA}」，收到「{schema}」")
    version = check.get(document, "", "schema_version", int)
    if version is not None and version != SCHEMA_VERSION:
        check.fail("schema_version", f"不支援的版本 {version}（本程式讀取第 {SCHEMA_VERSION} 版）")
    if check.problems:
        return None, check.problems  # another schema: nothing else can be read reliably
    check.problems += import_checks.shape_problems(document)
    check.problems += import_checks.total_problems(document)
    check.problems += import_checks.organization_problems(document)

    organization = check.obj(document, "", "organization")
    if organization is not None:
        _validate_organization(check, organization, "organization")
        parent = check.obj(organization, "organization", "parent", nullable=True)
        if parent is not None:
            _validate_organization(check, parent, "organization.parent")

    units = check.items(document, "", "units")
    check.unique(units, "name", "單位名稱")
    for place, unit in units:
        check.get(unit, place, "name", str)
        check.choice(unit, place, "kind", Unit.Kind)
        check.get(unit, place, "order", int)
        check.get(unit, place, "is_active", bool)
    unit_names = {u.get("name") for _p, u in units}

    year = check.obj(document, "", "year")
    if year is not None:
        roc_year = check.get(year, "year", "roc_year", int)
        if roc_year is not None and roc_year < 1:
            check.fail("year.roc_year", "民國年必須大於 0")
        check.choice(year, "year", "status", Year.Status)
        deadline = check.get(year, "year", "deadline_day", int)
        if deadline is not None and not 1 <= deadline <= 28:
            check.fail("year.deadline_day", f"{deadline} 不在 1 至 28 之間")
        code = (organization or {}).get("code")
        if (
            roc_year is not None
            and Year.objects.filter(organization__code=code, roc_year=roc_year).exists()
        ):
            check.fail("year", f"機關 {code} 的 {roc_year} 年度已存在，不會覆蓋")

    bands = check.obj(document, "", "bands")
    if bands is not None:
        values = [
            check.decimal(bands, "bands", key, places=1)
            for key in ("excellent_min", "a_min", "b_min", "c_min")
        ]
        limits = [v for v in values if v is not None]
        if len(limits) == len(values):
            try:
                Bands(*limits)
            except ValueError as exc:
                check.fail("bands", str(exc))

    sheet = check.obj(document, "", "score_sheet")
    if sheet is not None:
        check.get(sheet, "score_sheet", "assessed_by", str)
        a_year = check.get(sheet, "score_sheet", "assessed_roc_year", int, nullable=True)
        a_month = check.get(sheet, "score_sheet", "assessed_month", int, nullable=True)
        if a_month is not None and not 1 <= a_month <= 12:
            check.fail("score_sheet.assessed_month", f"{a_month} 不在 1 至 12 之間")
        if (a_year is None) != (a_month is None):
            check.fail("score_sheet", "考核年與考核月必須同時填寫或同時留空")

    dimensions = check.items(document, "", "dimensions")
    check.unique(dimensions, "number", "構面編號")
    for d_place, dimension in dimensions:
        number = check.get(dimension, d_place, "number", int)
        if number is not None and not 1 <= number <= 5:
            check.fail(f"{d_place}.number", f"{number} 不在 1 至 5 之間")
        check.get(dimension, d_place, "name", str)
        maximum = check.decimal(dimension, d_place, "max_score", places=1)
        if maximum is not None and not 0 < maximum <= 1000:
            check.fail(f"{d_place}.max_score", f"配分 {maximum} 必須大於 0 且不超過 1000")
        scores = check.obj(dimension, d_place, "scores")
        if scores is not None:
            for round_value in DimensionScore.Round.values:
                score = check.obj(scores, f"{d_place}.scores", round_value, nullable=True)
                if score is None:
                    continue
                s_place = f"{d_place}.scores.{round_value}"
                value = check.decimal(score, s_place, "score", places=1)
                check.get(score, s_place, "comment", str)
                if value is not None and maximum is not None and value > maximum:
                    check.fail(
                        f"{s_place}.score", f"分數 {value} 超過本構面配分 {maximum.normalize():f}"
                    )
        strategies = check.items(dimension, d_place, "strategies")
        check.unique(strategies, "order", "執行策略排序")
        for s_place, strategy in strategies:
            check.get(strategy, s_place, "order", int)
            check.get(strategy, s_place, "title", str)
            check.get(strategy, s_place, "is_retired", bool)
            methods = check.items(strategy, s_place, "methods")
            check.unique(methods, "order", "執行方法排序")
            for m_place, method in methods:
                check.get(method, m_place, "order", int)
                check.get(method, m_place, "title", str)
                check.get(method, m_place, "description", str)
                check.get(method, m_place, "is_retired", bool)
                items = check.items(method, m_place, "items")
                check.unique(items, "order", "項目排序")
                for i_place, item in items:
                    _validate_item(check, i_place, item, unit_names)
    return document, check.problems


def _validate_organization(check: _Checker, data: JSONObject, place: str) -> None:
    code = check.get(data, place, "code", str)
    if code is not None and not _SLUG.fullmatch(code):
        check.fail(f"{place}.code", f"「{code}」只能使用英文字母、數字、- 與 _")
    check.get(data, place, "name", str)
    check.get(data, place, "short_name", str)


def _validate_item(
    check: _Checker, place: str, item: JSONObject, unit_names: AbstractSet[object]
) -> None:
    check.get(item, place, "order", int)
    for key in ("title", "host_label", "planned_actions", "results", "shortfall_note"):
        check.get(item, place, key, str)
    check.get(item, place, "is_retired", bool)
    hosts = check.get(item, place, "host_units", list)
    for name in hosts or []:
        if name not in unit_names:
            check.fail(f"{place}.host_units", f"未知的單位「{name}」（不在 units 之中）")
    indicators = check.items(item, place, "indicators")
    check.unique(indicators, "order", "指標排序")
    orders = set()
    for n_place, indicator in indicators:
        orders.add(check.get(indicator, n_place, "order", int))
        check.get(indicator, n_place, "name", str)
        check.get(indicator, n_place, "measure", str)
        check.decimal(indicator, n_place, "target", nullable=True)
        check.choice(indicator, n_place, "aggregation", Indicator.Aggregation)
        check.get(indicator, n_place, "allows_decimals", bool)
        check.decimal(indicator, n_place, "reported_actual", nullable=True)
    seen = set()
    for e_place, entry in check.items(item, place, "entries"):
        unit = check.get(entry, e_place, "unit", str)
        if unit is not None and unit not in unit_names:
            check.fail(f"{e_place}.unit", f"未知的單位「{unit}」（不在 units 之中）")
        month = check.get(entry, e_place, "month", int)
        if month is not None and not 1 <= month <= 12:
            check.fail(f"{e_place}.month", f"{month} 不在 1 至 12 之間")
        if (unit, month) in seen:
            check.fail(e_place, f"{unit} {month} 月的填報重複")
        seen.add((unit, month))
        check.choice(entry, e_place, "status", MonthlyEntry.Status)
        check.get(entry, e_place, "narrative", str)
        check.get(entry, e_place, "return_reason", str)
        _parse_time(check, entry, e_place, "submitted_at")
        _parse_time(check, entry, e_place, "approved_at")
        for v_place, value in check.items(entry, e_place, "values"):
            order = check.get(value, v_place, "indicator", int)
            if order is not None and order not in orders:
                check.fail(f"{v_place}.indicator", f"本項目沒有排序 {order} 的指標")
            check.decimal(value, v_place, "value")


def _dec(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def _time(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


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
        return _apply(document)


def _organization(data: JSONObject, parent: Organization | None) -> Organization:
    organization = Organization.objects.filter(code=data["code"]).first()
    if organization is None:
        organization = _save(
            Organization(
                code=data["code"],
                name=data["name"],
                short_name=data["short_name"],
                parent=parent,
                is_headquarters=False,
            )
        )
    return organization


def _apply(document: dict[str, Any]) -> Year:
    org_data = document["organization"]
    parent = None
    if org_data["parent"]:
        parent = Organization.objects.filter(code=org_data["parent"]["code"]).first()
        if parent is None:
            parent = _save(
                Organization(
                    code=org_data["parent"]["code"],
                    name=org_data["parent"]["name"],
                    short_name=org_data["parent"]["short_name"],
                    is_headquarters=True,
                )
            )
    organization = _organization(org_data, parent)
    units = {unit.name: unit for unit in Unit.objects.filter(organization=organization)}
    for data in document["units"]:
        if data["name"] not in units:
            units[data["name"]] = _save(
                Unit(
                    organization=organization,
                    name=data["name"],
                    kind=data["kind"],
                    order=data["order"],
                    is_active=data["is_active"],
                )
            )
    y = document["year"]
    year = _save(
        Year(
            organization=organization,
            roc_year=y["roc_year"],
            status=y["status"],
            deadline_day=y["deadline_day"],
        )
    )
    b = document["bands"]
    _save(
        GradeBands(
            year=year,
            excellent_min=Decimal(b["excellent_min"]),
            a_min=Decimal(b["a_min"]),
            b_min=Decimal(b["b_min"]),
            c_min=Decimal(b["c_min"]),
        )
    )
    s = document["score_sheet"]
    _save(
        ScoreSheet(
            year=year,
            assessed_by=s["assessed_by"],
            assessed_roc_year=s["assessed_roc_year"],
            assessed_month=s["assessed_month"],
        )
    )
    methods: list[
        tuple[Method, JSONObject]
    ] = []  # every item under its method, written in bulk below
    for d in document["dimensions"]:
        dimension = _save(
            Dimension(
                year=year, number=d["number"], name=d["name"], max_score=Decimal(d["max_score"])
            )
        )
        for round_value, score in d["scores"].items():
            if score is not None:
                _save(
                    DimensionScore(
                        dimension=dimension,
                        round=round_value,
                        score=Decimal(score["score"]),
                        comment=score["comment"],
                    )
                )
        for st in d["strategies"]:
            strategy = _save(
                Strategy(
                    dimension=dimension,
                    order=st["order"],
                    title=st["title"],
                    is_retired=st["is_retired"],
                )
            )
            for m in st["methods"]:
                method = _save(
                    Method(
                        strategy=strategy,
                        order=m["order"],
                        title=m["title"],
                        description=m["description"],
                        is_retired=m["is_retired"],
                    )
                )
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


def _bulk[M: models.Model](objs: list[M], model: type[M]) -> list[M]:
    """Insert with their history rows, in batches: a year at 20x the seed has 30,000 entries."""
    return bulk_create_with_history(objs, model, batch_size=BATCH, default_change_reason=REASON)


def _apply_items(methods: list[tuple[Method, JSONObject]], units: dict[str, Unit]) -> None:
    """Items, their host units, indicators, entries and values: a few bulk inserts per kind,
    however large the year, each row with its history row (an item's records its host units)."""
    items = _bulk(
        [
            _checked(
                Item(
                    method=method,
                    order=data["order"],
                    title=data["title"],
                    host_label=data["host_label"],
                    planned_actions=data["planned_actions"],
                    results=data["results"],
                    shortfall_note=data["shortfall_note"],
                    is_retired=data["is_retired"],
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
        [
            _checked(
                Indicator(
                    item=item,
                    order=n["order"],
                    name=n["name"],
                    measure=n["measure"],
                    target=_dec(n["target"]),
                    aggregation=n["aggregation"],
                    allows_decimals=n["allows_decimals"],
                    reported_actual=_dec(n["reported_actual"]),
                )
            )
            for item, n in indicator_rows
        ],
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
                MonthlyEntry(
                    item=item,
                    unit=units[e["unit"]],
                    month=e["month"],
                    status=e["status"],
                    narrative=e["narrative"],
                    return_reason=e["return_reason"],
                    submitted_at=_time(e["submitted_at"]),
                    approved_at=_time(e["approved_at"]),
                ),
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
                IndicatorValue(
                    entry=entry,
                    indicator=indicator_of[(item.pk, v["indicator"])],
                    value=Decimal(v["value"]),
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
