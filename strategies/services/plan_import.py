"""Import a plan workbook into a year: a dry-run preview, then the same walk applied at once.

`preview_import` and `apply_import` share one walk (`_reconcile`) over the parsed file and the
year's current plan, so what the preview promises is exactly what applying does. Applying
refuses a file with any problem and runs in one transaction: nothing is ever half-applied.

Matching: strategies by title within their dimension, methods by title within their strategy,
items by title within their method (items without a title in order). What the file no longer
holds is retired, never deleted; what it adds is created; the rest is updated in place, so
entries and history of matched items survive an import.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, QuerySet
from django.utils.translation import gettext

from strategies.auth import User
from strategies.errors import DomainError
from strategies.hosts import resolve_hosts
from strategies.models import (
    Dimension,
    Indicator,
    Item,
    Method,
    Organization,
    Strategy,
    Unit,
    Year,
)
from strategies.models.audit import record_change
from strategies.plan_excel import (
    DimensionSpec,
    ItemSpec,
    MethodSpec,
    PlanFileError,
    Problem,
    StrategySpec,
    read_plan,
)
from strategies.selectors.manage import (
    DimensionNode,
    ItemNode,
    MethodNode,
    StrategyNode,
    plan_tree,
)


@dataclass(frozen=True)
class Change:
    sheet: str
    row: int | None
    kind: str  # 執行策略 | 執行方法 | 填報項目 | 構面
    text: str
    detail: str = ""

    def __str__(self) -> str:
        where = f"{self.sheet}" + (f" 第 {self.row} 列" if self.row else "")
        detail = f"（{self.detail}）" if self.detail else ""
        return f"{where}｜{self.kind}：{self.text}{detail}"


@dataclass
class ImportPreview:
    organization: Organization
    roc_year: int
    year_exists: bool
    created: list[Change] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    retired: list[Change] = field(default_factory=list)
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def has_changes(self) -> bool:
        return bool(self.created or self.changed or self.retired)


def preview_import(
    *, organization: Organization, roc_year: int, data: bytes, filename: str = ""
) -> ImportPreview:
    """What importing the file would do, and every problem in it. Writes nothing.

    Raises PlanFileError when the file as a whole is refused (not .xlsx, encrypted, too big,
    damaged)."""
    parsed = read_plan(data, filename)
    with transaction.atomic():
        preview, _ = _reconcile(organization, roc_year, parsed.dimensions, apply=False, user=None)
    preview.problems = parsed.problems + preview.problems
    preview.problems.sort(key=_problem_order)
    return preview


def _problem_order(problem: Problem) -> tuple[int, int, int]:
    """Whole-file problems first, then sheet by sheet (構面一 … 構面五), row by row."""
    match = re.match(r"^構面([一二三四五])$", problem.sheet)
    sheet = "一二三四五".index(match[1]) + 1 if match else 0
    return sheet, problem.row or 0, problem.column or 0


def apply_import(
    *, organization: Organization, roc_year: int, data: bytes, user: User | None, filename: str = ""
) -> tuple[ImportPreview, Year]:
    """Import the file into the year (created in planning when missing), all or nothing.

    Raises DomainError listing the first problems when the file has any; nothing is written."""
    parsed = read_plan(data, filename)
    with transaction.atomic():
        try:
            preview, year = _reconcile(
                organization, roc_year, parsed.dimensions, apply=not parsed.problems, user=user
            )
        except ValidationError as error:
            raise DomainError(
                gettext("計畫檔內容不合規則，未匯入任何資料：%(problems)s")
                % {"problems": "；".join(error.messages)}
            ) from error
        problems = sorted(parsed.problems + preview.problems, key=_problem_order)
        if problems:
            transaction.set_rollback(True)
            shown = "；".join(str(p) for p in problems[:5])
            more = f"（另有 {len(problems) - 5} 個問題）" if len(problems) > 5 else ""
            raise DomainError(
                gettext("計畫檔有 %(count)s 個問題，未匯入任何資料：%(shown)s%(more)s")
                % {"count": len(problems), "shown": shown, "more": more}
            )
    preview.problems = []
    assert year is not None
    return preview, year


# --- the walk -------------------------------------------------------------------------------


class _Walk:
    def __init__(
        self, preview: ImportPreview, units: list[Unit], apply: bool, user: User | None
    ) -> None:
        self.preview = preview
        self.units = units
        self.apply = apply
        self.user = user

    def save(self, obj: models.Model, reason: str = "匯入計畫檔") -> None:
        if self.apply:
            record_change(obj, user=self.user, reason=reason)
            obj.full_clean()
            obj.save()

    def problem(self, sheet: str, row: int | None, column: int | None, reason: str) -> None:
        self.preview.problems.append(Problem(sheet, row, column, reason))

    def record(self, bucket: str, change: Change) -> None:
        getattr(self.preview, bucket).append(change)


def _reconcile(
    organization: Organization,
    roc_year: int,
    specs: list[DimensionSpec],
    *,
    apply: bool,
    user: User | None,
) -> tuple[ImportPreview, Year | None]:
    year = (
        Year.objects.select_for_update()
        .filter(organization=organization, roc_year=roc_year)
        .first()
    )
    preview = ImportPreview(organization, roc_year, year is not None)
    units = list(Unit.objects.filter(organization=organization).order_by("order", "name"))
    walk = _Walk(preview, units, apply, user)
    if year is not None and year.status != Year.Status.PLANNING:
        walk.problem(
            "",
            None,
            None,
            f"{year}目前為「{year.get_status_display()}」，只有規劃中的年度可以匯入計畫；"
            f"請先在年度管理頁「重新開放規劃」並填寫原因。",
        )
        walk.apply = apply = False
    if year is None and apply:
        year = Year(organization=organization, roc_year=roc_year, status=Year.Status.PLANNING)
        walk.save(year, "由計畫檔建立")
    tree = {d.dimension.number: d for d in plan_tree(year)} if year and year.pk else {}
    for spec in specs:
        _dimension(walk, year, spec, tree.get(spec.number))
    return preview, year


# The parts of the plan a file can retire (kept with their history, no longer numbered).
type PlanPart = Strategy | Method | Item


def _take(candidates: list[StrategyNode], title: str) -> StrategyNode | None:
    """Pop the first candidate whose title matches."""
    for n, node in enumerate(candidates):
        if node.strategy.title == title:
            return candidates.pop(n)
    return None


def _reorder[M: models.Model](walk: _Walk, queryset: QuerySet[M]) -> None:
    """Park the siblings' orders out of the way before they are renumbered 1, 2, 3 …"""
    if walk.apply:
        queryset.update(order=F("order") + 1000)


def _dimension(
    walk: _Walk, year: Year | None, spec: DimensionSpec, node: DimensionNode | None
) -> None:
    if node is None:
        dimension = Dimension(
            year=year, number=spec.number, name=spec.name, max_score=spec.max_score
        )
        if year is not None and year.pk:
            walk.record("created", Change(spec.sheet, None, "構面", spec.name))
        if walk.apply:
            dimension.full_clean()
            dimension.save()
        existing_strategies: list[StrategyNode] = []
    else:
        dimension = node.dimension
        if spec.name and (dimension.name, dimension.max_score) != (spec.name, spec.max_score):
            walk.record(
                "changed",
                Change(
                    spec.sheet,
                    1,
                    "構面",
                    spec.name,
                    f"配分 {dimension.max_score} → {spec.max_score}",
                ),
            )
            dimension.name, dimension.max_score = spec.name, spec.max_score
            if walk.apply:
                dimension.full_clean()
                dimension.save()
        existing_strategies = list(node.strategies)
        _reorder(walk, Strategy.objects.filter(dimension=dimension))
    pool = list(existing_strategies)
    ranks = _ranks(existing_strategies, lambda n: n.strategy)
    for position, s_spec in enumerate(spec.strategies, start=1):
        snode = _take(pool, s_spec.title) if pool else None
        moved = snode is not None and ranks.get(snode.strategy.pk) != position
        _strategy(walk, dimension, spec.sheet, position, s_spec, snode, moved)
    _retire(walk, spec.sheet, "執行策略", pool, len(spec.strategies), lambda n: n.strategy)


def _retire[N](
    walk: _Walk,
    sheet: str,
    kind: str,
    leftovers: list[N],
    used: int,
    node_of: Callable[[N], PlanPart],
) -> None:
    """What the file no longer holds is retired (kept with its history), numbered after the rest."""
    for offset, leftover in enumerate(leftovers, start=1):
        obj = node_of(leftover)
        if not obj.is_retired:
            walk.record("retired", Change(sheet, None, kind, str(obj) or kind))
        obj.is_retired = True
        obj.order = used + offset
        walk.save(obj, "匯入計畫檔：檔案中已無此項，停用")


def _ranks[N](nodes: list[N], node_of: Callable[[N], PlanPart]) -> dict[int, int]:
    """Each node's place among the siblings in use (1, 2, 3 …): what the file's rows show, so a
    gap left by a retired sibling is not a change of order."""
    active = [node_of(n) for n in nodes if not node_of(n).is_retired]
    return {obj.pk: rank for rank, obj in enumerate(active, start=1)}


def _strategy(
    walk: _Walk,
    dimension: Dimension,
    sheet: str,
    position: int,
    spec: StrategySpec,
    node: StrategyNode | None,
    moved: bool = False,
) -> None:
    if node is None:
        strategy = Strategy(dimension=dimension, order=position, title=spec.title)
        walk.record("created", Change(sheet, spec.row, "執行策略", spec.title))
        existing: list[MethodNode] = []
    else:
        strategy = node.strategy
        diffs = []
        if strategy.is_retired:
            diffs.append("恢復使用")
        if moved:
            diffs.append("順序")
        if diffs:
            walk.record(
                "changed", Change(sheet, spec.row, "執行策略", spec.title, "、".join(diffs))
            )
        strategy.is_retired = False
        strategy.order = position
        existing = list(node.methods)
        _reorder(walk, Method.objects.filter(strategy=strategy))
    walk.save(strategy)
    pool = list(existing)
    ranks = _ranks(existing, lambda n: n.method)
    for m_position, m_spec in enumerate(spec.methods, start=1):
        mnode = _take_method(pool, m_spec)
        moved = mnode is not None and ranks.get(mnode.method.pk) != m_position
        _method(walk, strategy, sheet, m_position, m_spec, mnode, moved)
    _retire(walk, sheet, "執行方法", pool, len(spec.methods), lambda n: n.method)


def _take_method(pool: list[MethodNode], spec: MethodSpec) -> MethodNode | None:
    for n, node in enumerate(pool):
        if node.method.title == spec.title:
            return pool.pop(n)
    return None


def _method(
    walk: _Walk,
    strategy: Strategy,
    sheet: str,
    position: int,
    spec: MethodSpec,
    node: MethodNode | None,
    moved: bool = False,
) -> None:
    if node is None:
        method = Method(
            strategy=strategy, order=position, title=spec.title, description=spec.description
        )
        walk.record("created", Change(sheet, spec.row, "執行方法", spec.title))
        existing: list[ItemNode] = []
    else:
        method = node.method
        diffs = []
        if method.is_retired:
            diffs.append("恢復使用")
        if moved:
            diffs.append("順序")
        if method.description != spec.description:
            diffs.append("說明")
        if diffs:
            walk.record(
                "changed", Change(sheet, spec.row, "執行方法", spec.title, "、".join(diffs))
            )
        method.is_retired = False
        method.order = position
        method.description = spec.description
        existing = list(node.items)
        _reorder(walk, Item.objects.filter(method=method))
    walk.save(method)
    pool = list(existing)
    ranks = _ranks(existing, lambda n: n.item)
    for i_position, i_spec in enumerate(spec.items, start=1):
        inode = _take_item(pool, i_spec)
        moved = inode is not None and ranks.get(inode.item.pk) != i_position
        _item(walk, method, sheet, i_position, i_spec, inode, moved)
    _retire(walk, sheet, "填報項目", pool, len(spec.items), lambda n: n.item)


def _take_item(pool: list[ItemNode], spec: ItemSpec) -> ItemNode | None:
    for n, node in enumerate(pool):
        if node.item.title == spec.title:
            return pool.pop(n)
    return None


def _hosts(walk: _Walk, sheet: str, spec: ItemSpec) -> list[Unit]:
    """Column G (the exact units) when filled, else the units column D names. Unknown or retired
    names in D are problems either way: the printed label must make sense too."""
    units, unknown, retired = resolve_hosts(spec.host_label, walk.units)
    for name in unknown:
        walk.problem(sheet, spec.row, 4, f"主辦單位「{name}」不是本機關的單位（未知單位）。")
    for name in retired:
        walk.problem(sheet, spec.row, 4, f"主辦單位「{name}」已停用，不能擔任主辦單位。")
    if spec.unit_names:
        by_name = {u.name: u for u in walk.units}
        found = []
        for name in spec.unit_names:
            unit = by_name.get(name)
            if unit is None:
                walk.problem(sheet, spec.row, 7, f"「{name}」不是本機關的單位。")
            elif not unit.is_active:
                walk.problem(sheet, spec.row, 7, f"「{name}」已停用，不能擔任主辦單位。")
            else:
                found.append(unit)
        return sorted(found, key=lambda u: (u.order, u.name))
    if not units and spec.host_label and not unknown and not retired:
        walk.problem(sheet, spec.row, 4, f"主辦單位「{spec.host_label}」對應不到任何使用中的單位。")
    return units


def _item(
    walk: _Walk,
    method: Method,
    sheet: str,
    position: int,
    spec: ItemSpec,
    node: ItemNode | None,
    moved: bool = False,
) -> None:
    hosts = _hosts(walk, sheet, spec)
    label = spec.host_label or "、".join(u.name for u in hosts)
    text = spec.title or method.title
    if node is None:
        item = Item(
            method=method,
            order=position,
            title=spec.title,
            host_label=label,
            planned_actions=spec.planned_actions,
        )
        walk.record("created", Change(sheet, spec.row, "填報項目", text[:40]))
        old_indicators: list[Indicator] = []
    else:
        item = node.item
        old_indicators = list(node.indicators)
        diffs = []
        if item.is_retired:
            diffs.append("恢復使用")
        if moved:
            diffs.append("順序")
        if item.host_label != label or {u.pk for u in node.host_units} != {u.pk for u in hosts}:
            diffs.append("主辦單位")
        if item.planned_actions != spec.planned_actions:
            diffs.append("具體作法")
        old_keys = [
            (i.name, i.measure, i.target, i.aggregation, i.allows_decimals) for i in old_indicators
        ]
        if old_keys != [i.key() for i in spec.indicators]:
            targets_only = [k[:2] for k in old_keys] == [i.key()[:2] for i in spec.indicators]
            diffs.append("目標值" if targets_only else "量化指標")
        if diffs:
            walk.record("changed", Change(sheet, spec.row, "填報項目", text[:40], "、".join(diffs)))
        else:
            walk.preview.unchanged += 1
        item.is_retired = False
        item.order = position
        item.host_label = label
        item.planned_actions = spec.planned_actions
    walk.save(item)
    if walk.apply:
        item.host_units.set(hosts)
        Indicator.objects.filter(item=item).update(order=F("order") + 1000)
    for n, i_spec in enumerate(spec.indicators):
        indicator = old_indicators[n] if n < len(old_indicators) else Indicator(item=item)
        indicator.order = n + 1
        indicator.name = i_spec.name
        indicator.measure = i_spec.measure
        indicator.target = i_spec.target
        indicator.aggregation = i_spec.aggregation
        indicator.allows_decimals = i_spec.allows_decimals
        walk.save(indicator)
    for extra in old_indicators[len(spec.indicators) :]:
        if extra.values.exists():
            walk.problem(
                sheet, spec.row, 8, f"量化指標「{extra.name}」已有填報數值，不能從計畫中移除。"
            )
        elif walk.apply:
            extra._history_user = walk.user
            extra._change_reason = "匯入計畫檔：檔案中已無此指標"
            extra.delete()


__all__ = ["ImportPreview", "PlanFileError", "apply_import", "preview_import", "resolve_hosts"]
