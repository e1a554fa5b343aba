"""Year-end results (執行績效與成果 1-12 月) compiled from approved monthly entries.

The compiled text is the approved narratives in month order, per host unit, followed by each
indicator's total by its rule (sum of the months, or the latest value of a running total) and
the achievement against the target (11 of 9 場次 = 122%). A year whose items have no entries
(year 112, imported verbatim from the report) keeps its text: nothing here overwrites results
that no entry backs. Edits of the compiled text are recorded in the item's history.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Prefetch

from strategies import access
from strategies.errors import DomainError
from strategies.models import Indicator, IndicatorValue, Item, MonthlyEntry, Unit, Year

RESULTS_MAX_LENGTH = 20000


@dataclass
class IndicatorTotal:
    indicator: Indicator
    actual: Decimal | None
    months_reported: int = 0

    @property
    def target(self) -> Decimal | None:
        return self.indicator.target

    @property
    def achievement(self) -> int | None:
        """Whole percent, rounded half up: 11 of 9 -> 122."""
        return achievement_percent(self.actual, self.target)

    @property
    def is_short(self) -> bool:
        return self.target is not None and self.target > 0 and (self.actual or 0) < self.target


@dataclass
class CompiledResults:
    item: Item
    text: str
    totals: list[IndicatorTotal] = field(default_factory=list)
    entry_count: int = 0

    @property
    def shortfalls(self) -> list[IndicatorTotal]:
        return [t for t in self.totals if t.is_short]


def achievement_percent(actual: Decimal | None, target: Decimal | None) -> int | None:
    if actual is None or target is None or target <= 0:
        return None
    return int((Decimal(actual) * 100 / Decimal(target)).quantize(Decimal(1), ROUND_HALF_UP))


def format_number(value: Decimal) -> str:
    """1910 -> '1,910'; 36.50 -> '36.5' (the seed's way of writing counts)."""
    value = Decimal(value)
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value.normalize():,f}"


def total_for(indicator: Indicator, entries: Sequence[MonthlyEntry]) -> IndicatorTotal:
    """The indicator's total over the entries, by its rule. Sum: every month of every unit.
    Latest: each unit's latest reported month (a running total), added across units."""
    per_unit: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    for entry in entries:
        for value in entry.values.all():
            if value.indicator_id == indicator.pk:
                per_unit[entry.unit_id].append((entry.month, value.value))
    months = sum(len(v) for v in per_unit.values())
    if not months:
        return IndicatorTotal(indicator=indicator, actual=None, months_reported=0)
    if indicator.aggregation == Indicator.Aggregation.LATEST:
        actual = sum((max(v)[1] for v in per_unit.values()), Decimal(0))
    else:
        actual = sum((val for v in per_unit.values() for _, val in v), Decimal(0))
    return IndicatorTotal(indicator=indicator, actual=actual, months_reported=months)


def compose_text(
    *, entries: Sequence[MonthlyEntry], units: Iterable[Unit], totals: Sequence[IndicatorTotal]
) -> str:
    """Narratives in month order per unit (units in their order), then the indicator totals."""
    by_unit: dict[int, list[MonthlyEntry]] = defaultdict(list)
    for entry in entries:
        by_unit[entry.unit_id].append(entry)
    reporting = [u for u in units if by_unit.get(u.pk)]
    lines: list[str] = []
    for unit in reporting:
        if len(reporting) > 1:
            lines.append(f"{unit.name}：")
        for entry in sorted(by_unit[unit.pk], key=lambda e: e.month):
            if entry.narrative.strip():
                lines.append(f"{entry.month} 月：{entry.narrative.strip()}")
    for total in totals:
        if total.actual is None:
            continue
        line = f"{total.indicator.name}：計 {format_number(total.actual)} {total.indicator.measure}"
        if total.achievement is not None and total.target is not None:
            line += (
                f"（目標 {format_number(total.target)} {total.indicator.measure}，"
                f"達成率 {total.achievement}%）"
            )
        lines.append(line + "。")
    return "\n".join(lines)


def _approved_entries() -> Prefetch:
    return Prefetch(
        "entries",
        queryset=MonthlyEntry.objects.filter(status=MonthlyEntry.Status.APPROVED)
        .order_by("month", "unit__order")
        .prefetch_related(Prefetch("values", queryset=IndicatorValue.objects.all())),
        to_attr="approved_entries",
    )


def compile_items(items: Iterable[Item]) -> list[CompiledResults]:
    """Compile each item (5 queries however many items: items' units, indicators, entries,
    values). Items must come from `compilable_items()` or a queryset like it."""
    compiled = []
    for item in items:
        entries = item.approved_entries  # type: ignore[attr-defined]
        totals = [total_for(ind, entries) for ind in item.indicators.all()]
        units = sorted(item.host_units.all(), key=lambda u: (u.order, u.name))
        compiled.append(
            CompiledResults(
                item=item,
                text=compose_text(entries=entries, units=units, totals=totals),
                totals=totals,
                entry_count=len(entries),
            )
        )
    return compiled


def compilable_items(year: Year):  # type: ignore[no-untyped-def]
    return (
        Item.objects.filter(method__strategy__dimension__year=year)
        .select_related("method__strategy__dimension")
        .prefetch_related("host_units", "indicators", _approved_entries())
        .order_by(
            "method__strategy__dimension__number",
            "method__strategy__order",
            "method__order",
            "order",
        )
    )


def compile_item(item: Item) -> CompiledResults:
    """The item's results as compiled now from its approved entries (nothing is written)."""
    fresh = (
        Item.objects.filter(pk=item.pk)
        .prefetch_related("host_units", "indicators", _approved_entries())
        .get()
    )
    return compile_items([fresh])[0]


def _check_results_editor(user, item: Item) -> Year:  # type: ignore[no-untyped-def]
    year = Year.objects.select_related("organization").get(
        pk=item.method.strategy.dimension.year_id
    )
    membership = access.get_year_for_user(user, year)
    if membership.unit is None or not access.can_edit_entry(membership, item, membership.unit):
        raise PermissionDenied
    if year.status != Year.Status.OPEN:
        raise DomainError(
            f"{year.roc_year} 年度目前為「{year.get_status_display()}」，執行績效與成果不能再修改。"
        )
    return year


def apply_compiled_results(*, user, item: Item) -> Item:  # type: ignore[no-untyped-def]
    """Replace the item's results with the text compiled from its approved entries.

    Refused when the item has no approved entry: results no entry backs (year 112's) stay.
    """
    with transaction.atomic():
        _check_results_editor(user, item)
        compiled = compile_item(item)
        if compiled.entry_count == 0:
            raise DomainError("這個項目還沒有已核定的月填報，保留原有的執行績效與成果。")
        item = Item.objects.select_for_update().get(pk=item.pk)
        if item.results == compiled.text:
            return item
        item.results = compiled.text
        item._history_user = user  # type: ignore[attr-defined]
        item._change_reason = f"由 {compiled.entry_count} 筆已核定月填報彙整"  # type: ignore[attr-defined]
        item.full_clean()
        item.save()
    return item


def edit_results(
    *,
    user,  # type: ignore[no-untyped-def]
    item: Item,
    results: str,
    shortfall_note: str = "",
    reason: str = "",
) -> Item:
    """A host unit edits the compiled text (and the shortfall explanation) before the year
    closes; who, when and why are kept in the item's history."""
    results = (results or "").strip().replace("\r\n", "\n")
    shortfall_note = (shortfall_note or "").strip().replace("\r\n", "\n")
    if len(results) > RESULTS_MAX_LENGTH:
        raise DomainError(f"執行績效與成果最多 {RESULTS_MAX_LENGTH} 字。")
    with transaction.atomic():
        _check_results_editor(user, item)
        item = Item.objects.select_for_update().get(pk=item.pk)
        if item.results == results and item.shortfall_note == shortfall_note:
            return item
        item.results = results
        item.shortfall_note = shortfall_note
        item._history_user = user  # type: ignore[attr-defined]
        item._change_reason = reason.strip() or "修改執行績效與成果"  # type: ignore[attr-defined]
        item.full_clean()
        item.save()
    return item


def items_needing_explanation(year: Year) -> list[CompiledResults]:
    """Items of the year whose indicator total falls short of its target and that have no
    shortfall note yet: closing the year should require one (fixed query count)."""
    return [
        c
        for c in compile_items(compilable_items(year))
        if c.entry_count and c.shortfalls and not c.item.shortfall_note.strip()
    ]


def check_shortfalls_explained(year: Year) -> None:
    """Raise DomainError naming every item whose indicator total falls short of its target and
    that has no shortfall note: closing the year should call this first (fixed query count)."""
    # Imported here: the entry selectors import this module for their year-to-date totals.
    from strategies.selectors.entries import number_paths

    missing = items_needing_explanation(year)
    if not missing:
        return
    paths = number_paths(year)
    names = "、".join(paths.get(c.item.pk, str(c.item)) for c in missing)
    raise DomainError(
        f"下列項目的年度總計未達目標，結算前請先在「未達目標說明」寫明原因：{names}。"
    )
