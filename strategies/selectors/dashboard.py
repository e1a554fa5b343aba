"""What each role sees on the home page, read in a fixed number of queries whatever the year's size.

A *slot* is one (item, host unit, month): the unit owes an entry for it. Its state is the entry's
status, or "empty" when nothing is written yet, "overdue" when the year is open, the deadline
(`deadline_day` of the following month, strategies.deadlines) has passed and the entry is not
submitted or approved, and "not-open" before the month's first day.

Queries (a year already loaded, with its organization):
- plan: 6 (dimensions, strategies, methods, items, host units, indicators; `plan_tree`)
- entries of the year (or of one unit): 1
- units of the organization: 1 (head, auditor, admin)
- approved entries with their indicator values: 2 (auditor)
- whatever the score sheet function passed in by the caller reads (auditor)
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from strategies import deadlines
from strategies.models import (
    Indicator,
    IndicatorValue,
    Item,
    Membership,
    MonthlyEntry,
    Unit,
    Year,
)
from strategies.month_state import month_state
from strategies.selectors.manage import plan_tree
from strategies.services.results import achievement_percent, total_for

Status = MonthlyEntry.Status
MONTHS = tuple(range(1, 13))
DONE = {Status.SUBMITTED, Status.APPROVED}

# Every state has a text label: the colour is never the only sign.
STATE_LABELS = {
    "not-open": _("尚未開放"),
    "empty": _("未填"),
    "draft": _("草稿"),
    "submitted": _("已送出"),
    "returned": _("退回"),
    "approved": _("已核定"),
    "overdue": _("逾期"),
}


@dataclass(frozen=True)
class PlanItem:
    """An item in use with its full number path (一(二)2(3)) and host units."""

    item: Item
    path: str
    dimension_number: int
    dimension_label: str
    dimension_name: str
    host_units: list[Unit]
    indicators: list[Indicator]

    @property
    def pk(self) -> int:
        return self.item.pk

    @property
    def title(self) -> str:
        return self.item.title or self.item.method.title


@dataclass(frozen=True)
class EntryRef:
    """What the dashboard needs of an entry (read with `.only()`)."""

    pk: int
    item_id: int
    unit_id: int
    month: int
    status: str
    return_reason: str
    submitted_at: dt.datetime | None
    updated_at: dt.datetime


@dataclass(frozen=True)
class Slot:
    item: PlanItem
    unit: Unit
    month: int
    state: str
    due: dt.date
    entry: EntryRef | None

    @property
    def label(self) -> str:
        return str(STATE_LABELS[self.state])

    @property
    def entry_status_label(self) -> str:
        """The entry's own status behind an overdue state (草稿, 退回) or 未填."""
        if self.entry is None:
            return str(STATE_LABELS["empty"])
        return str(STATE_LABELS[self.entry.status])


@dataclass(frozen=True)
class SlotGroup:
    """The slots of one (item, unit) in a list: one row with a link per month."""

    item: PlanItem
    unit: Unit
    slots: list[Slot]

    @property
    def first_due(self) -> dt.date:
        return min(s.due for s in self.slots)


def group_slots(slots: Iterable[Slot]) -> list[SlotGroup]:
    """Consecutive slots of the same (item, unit) grouped, in their order."""
    groups: dict[tuple[int, int], SlotGroup] = {}
    for slot in slots:
        key = (slot.item.pk, slot.unit.pk)
        if key not in groups:
            groups[key] = SlotGroup(item=slot.item, unit=slot.unit, slots=[])
        groups[key].slots.append(slot)
    return list(groups.values())


@dataclass(frozen=True)
class GlanceRow:
    item: PlanItem
    unit: Unit
    cells: list[Slot]


@dataclass(frozen=True)
class Ratio:
    done: int
    expected: int

    @property
    def percent(self) -> int | None:
        if not self.expected:
            return None
        return round(self.done * 100 / self.expected)

    @property
    def complete(self) -> bool:
        return self.expected > 0 and self.done >= self.expected


@dataclass(frozen=True)
class CompletenessRow:
    label: str
    cells: list[Ratio]
    total: Ratio


@dataclass(frozen=True)
class ShortIndicator:
    item: PlanItem
    indicator: Indicator
    actual: Decimal
    target: Decimal
    achievement: int | None
    from_report: bool
    expected: Decimal  # the bar it is measured against: the target, or its share so far
    months_due: int  # 12 once the year is closed; else the months past their deadline


@dataclass
class YearContext:
    year: Year
    today: dt.date
    open_months: list[int]
    months_in_scope: list[int]  # months whose entries are owed (open months, or all once closed)
    items: list[PlanItem]
    counts_overdue: bool

    @property
    def months_due(self) -> int:
        """Months whose deadline has passed (all 12 once the year is closed or locked)."""
        if not self.counts_overdue:
            return 12 if self.months_in_scope else 0
        return sum(
            1
            for m in MONTHS
            if deadlines.is_overdue(self.year.roc_year, m, self.year.deadline_day, self.today)
        )


@dataclass
class StaffDashboard:
    ctx: YearContext
    unit: Unit
    due: list[Slot] = field(default_factory=list)
    overdue: list[Slot] = field(default_factory=list)
    glance: list[GlanceRow] = field(default_factory=list)

    @property
    def due_groups(self) -> list[SlotGroup]:
        return group_slots(self.due)

    @property
    def overdue_groups(self) -> list[SlotGroup]:
        return group_slots(self.overdue)


@dataclass
class HeadDashboard(StaffDashboard):
    awaiting_approval: list[Slot] = field(default_factory=list)
    returned: list[Slot] = field(default_factory=list)
    by_month: list[Ratio] = field(default_factory=list)
    by_month_total: Ratio = field(default_factory=lambda: Ratio(0, 0))


@dataclass
class AuditorDashboard:
    ctx: YearContext
    units: list[Unit]
    by_dimension: list[CompletenessRow]
    short: list[ShortIndicator]
    score_sheet: object | None


@dataclass
class AdminDashboard:
    ctx: YearContext
    units: list[Unit]
    by_unit: list[CompletenessRow]
    by_month_total: list[Ratio]
    overdue: list[Slot]
    overdue_units: int

    @property
    def overdue_groups(self) -> list[SlotGroup]:
        return group_slots(self.overdue)


# --- the year and its plan ---------------------------------------------------------------------


def current_year(membership: Membership, years: Iterable[Year]) -> Year | None:
    """The year a dashboard shows by default: the member's own organization's newest open year,
    else its newest year, else the newest year the member may see."""
    years = list(years)
    own = [y for y in years if y.organization_id == membership.organization_id]
    for candidates in (
        [y for y in own if y.status == Year.Status.OPEN],
        own,
        years,
    ):
        if candidates:
            return max(candidates, key=lambda y: y.roc_year)
    return None


def months_in_scope(year: Year, today: dt.date) -> list[int]:
    """Open months of an open year; every month once the year is closed or locked."""
    if year.status == Year.Status.PLANNING:
        return []
    if year.status == Year.Status.OPEN:
        return deadlines.open_months(year.roc_year, today)
    return list(MONTHS)


def plan_items(year: Year) -> list[PlanItem]:
    """Items in use, in plan order, with their number paths (six queries, via plan_tree)."""
    result = []
    for dnode in plan_tree(year, include_retired=False):
        dim = dnode.dimension
        for snode in dnode.strategies:
            for mnode in snode.methods:
                for inode in mnode.items:
                    result.append(
                        PlanItem(
                            item=inode.item,
                            path=f"{dim.label}{snode.label}{mnode.label}{inode.label}",
                            dimension_number=dim.number,
                            dimension_label=dim.label,
                            dimension_name=dim.name,
                            host_units=inode.host_units,
                            indicators=inode.indicators,
                        )
                    )
    return result


def year_context(year: Year, today: dt.date | None = None) -> YearContext:
    today = today or deadlines.today_in_taipei()
    return YearContext(
        year=year,
        today=today,
        open_months=deadlines.open_months(year.roc_year, today)
        if year.status != Year.Status.PLANNING
        else [],
        months_in_scope=months_in_scope(year, today),
        items=plan_items(year),
        counts_overdue=year.status == Year.Status.OPEN,
    )


def _entries(year: Year, unit: Unit | None = None) -> dict[tuple[int, int, int], EntryRef]:
    """Entries of the year (of one unit), keyed by (item, unit, month): one query."""
    rows = MonthlyEntry.objects.filter(item__method__strategy__dimension__year=year)
    if unit is not None:
        rows = rows.filter(unit=unit)
    fields = ("pk", "item_id", "unit_id", "month", "status", "return_reason")
    return {
        (r["item_id"], r["unit_id"], r["month"]): EntryRef(
            pk=r["pk"],
            item_id=r["item_id"],
            unit_id=r["unit_id"],
            month=r["month"],
            status=r["status"],
            return_reason=r["return_reason"],
            submitted_at=r["submitted_at"],
            updated_at=r["updated_at"],
        )
        for r in rows.values(*fields, "submitted_at", "updated_at")
    }


def _state(ctx: YearContext, month: int, entry: EntryRef | None) -> str:
    return month_state(
        status=entry.status if entry is not None else None,
        roc_year=ctx.year.roc_year,
        month=month,
        deadline_day=ctx.year.deadline_day,
        year_status=ctx.year.status,
        today=ctx.today,
    )


def _slots(
    ctx: YearContext,
    entries: dict[tuple[int, int, int], EntryRef],
    units: dict[int, Unit] | None = None,
    only_unit: Unit | None = None,
) -> list[Slot]:
    """Every (item, host unit, month) of the plan, in plan order, host order, month order."""
    slots = []
    for pitem in ctx.items:
        for host in pitem.host_units:
            if only_unit is not None and host.pk != only_unit.pk:
                continue
            unit = units.get(host.pk, host) if units else host
            for month in MONTHS:
                entry = entries.get((pitem.pk, host.pk, month))
                slots.append(
                    Slot(
                        item=pitem,
                        unit=unit,
                        month=month,
                        state=_state(ctx, month, entry),
                        due=deadlines.due_on(ctx.year.roc_year, month, ctx.year.deadline_day),
                        entry=entry,
                    )
                )
    return slots


def _is_pending(slot: Slot, ctx: YearContext) -> bool:
    """Owed and still writable before its deadline: open, not overdue, not submitted."""
    return (
        ctx.counts_overdue
        and slot.month in ctx.open_months
        and slot.state in {"empty", "draft", "returned"}
    )


def _glance(slots: list[Slot]) -> list[GlanceRow]:
    rows: list[GlanceRow] = []
    for i in range(0, len(slots), 12):
        chunk = slots[i : i + 12]
        rows.append(GlanceRow(item=chunk[0].item, unit=chunk[0].unit, cells=chunk))
    return rows


def _ratio(slots: Iterable[Slot]) -> Ratio:
    done = expected = 0
    for slot in slots:
        expected += 1
        if slot.entry is not None and slot.entry.status in DONE:
            done += 1
    return Ratio(done, expected)


def _by_month(slots: list[Slot], ctx: YearContext) -> list[Ratio]:
    per_month: dict[int, list[Slot]] = defaultdict(list)
    for slot in slots:
        per_month[slot.month].append(slot)
    return [_ratio(per_month[m]) if m in ctx.months_in_scope else Ratio(0, 0) for m in MONTHS]


def _in_scope(slots: Iterable[Slot], ctx: YearContext) -> list[Slot]:
    return [s for s in slots if s.month in ctx.months_in_scope]


# --- per role ----------------------------------------------------------------------------------


def staff_dashboard(year: Year, unit: Unit, *, today: dt.date | None = None) -> StaffDashboard:
    """Due this month (owed, before the deadline) and overdue, and the unit's year at a glance.
    Queries: plan 6 + entries 1."""
    ctx = year_context(year, today)
    slots = _slots(ctx, _entries(year, unit), only_unit=unit)
    return StaffDashboard(
        ctx=ctx,
        unit=unit,
        due=[s for s in slots if s.state != "overdue" and _is_pending(s, ctx)],
        overdue=[s for s in slots if s.state == "overdue"],
        glance=_glance(slots),
    )


def head_dashboard(year: Year, unit: Unit, *, today: dt.date | None = None) -> HeadDashboard:
    """The staff view of the unit plus entries waiting for approval, returned entries not yet
    resubmitted and the unit's completeness per month. Queries: plan 6 + entries 1."""
    ctx = year_context(year, today)
    slots = _slots(ctx, _entries(year, unit), only_unit=unit)
    with_entry = [s for s in slots if s.entry is not None]
    return HeadDashboard(
        ctx=ctx,
        unit=unit,
        due=[s for s in slots if s.state != "overdue" and _is_pending(s, ctx)],
        overdue=[s for s in slots if s.state == "overdue"],
        glance=_glance(slots),
        awaiting_approval=[s for s in with_entry if s.entry.status == Status.SUBMITTED],  # type: ignore[union-attr]
        returned=[s for s in with_entry if s.entry.status == Status.RETURNED],  # type: ignore[union-attr]
        by_month=_by_month(slots, ctx),
        by_month_total=_ratio(_in_scope(slots, ctx)),
    )


def _units(year: Year) -> list[Unit]:
    return list(Unit.objects.filter(organization_id=year.organization_id).order_by("order", "name"))


def _short_indicators(ctx: YearContext) -> list[ShortIndicator]:
    """Indicators whose figure (the report's, else compiled from approved entries by the
    indicator's rule) is below a positive target, or in an open year below the target's share
    of the months past their deadline (3 months due: a quarter of the target). Two queries:
    approved entries, their values."""
    approved = MonthlyEntry.objects.filter(
        item__method__strategy__dimension__year=ctx.year, status=Status.APPROVED
    ).prefetch_related(
        Prefetch(
            "values",
            queryset=IndicatorValue.objects.only("id", "entry_id", "indicator_id", "value"),
        )
    )
    by_item: dict[int, list[MonthlyEntry]] = defaultdict(list)
    for entry in approved.only("id", "item_id", "unit_id", "month"):
        by_item[entry.item_id].append(entry)
    short: list[ShortIndicator] = []
    months_due = ctx.months_due
    if not months_due:
        return short
    for pitem in ctx.items:
        for indicator in pitem.indicators:
            target = indicator.target
            if target is None or target <= 0:
                continue
            from_report = indicator.reported_actual is not None
            if from_report:
                actual = indicator.reported_actual
            else:
                actual = total_for(indicator, by_item.get(pitem.pk, [])).actual
            actual = actual or Decimal(0)
            expected = target if months_due >= 12 else target * months_due / 12
            if actual < expected:
                short.append(
                    ShortIndicator(
                        item=pitem,
                        indicator=indicator,
                        actual=actual,
                        target=target,
                        achievement=achievement_percent(actual, target),
                        from_report=from_report,
                        expected=expected,
                        months_due=months_due,
                    )
                )
    return short


def auditor_dashboard(
    year: Year,
    *,
    score_sheet: Callable[[Year], object] | None = None,
    today: dt.date | None = None,
) -> AuditorDashboard:
    """Completeness per dimension and unit, indicators short of target, and the score sheet's
    state read through `score_sheet` (strategies cannot import scoring; the caller passes it).
    Queries: plan 6 + entries 1 + units 1 + approved values 2 + the score sheet's."""
    ctx = year_context(year, today)
    units = _units(year)
    unit_by_pk = {u.pk: u for u in units}
    slots = _in_scope(_slots(ctx, _entries(year), unit_by_pk), ctx)
    grouped: dict[tuple[int, int], list[Slot]] = defaultdict(list)
    dimensions: dict[int, str] = {}
    for slot in slots:
        grouped[(slot.item.dimension_number, slot.unit.pk)].append(slot)
    for pitem in ctx.items:
        dimensions.setdefault(
            pitem.dimension_number, f"{pitem.dimension_label} {pitem.dimension_name}"
        )
    rows = []
    for number, label in sorted(dimensions.items()):
        cells = [_ratio(grouped.get((number, u.pk), [])) for u in units]
        rows.append(
            CompletenessRow(
                label=label,
                cells=cells,
                total=Ratio(sum(c.done for c in cells), sum(c.expected for c in cells)),
            )
        )
    return AuditorDashboard(
        ctx=ctx,
        units=units,
        by_dimension=rows,
        short=_short_indicators(ctx),
        score_sheet=score_sheet(year) if score_sheet else None,
    )


def admin_dashboard(year: Year, *, today: dt.date | None = None) -> AdminDashboard:
    """The organization's completeness per unit and month, and every overdue slot.
    Queries: plan 6 + entries 1 + units 1."""
    ctx = year_context(year, today)
    units = _units(year)
    unit_by_pk = {u.pk: u for u in units}
    slots = _slots(ctx, _entries(year), unit_by_pk)
    per_unit: dict[int, list[Slot]] = defaultdict(list)
    for slot in slots:
        per_unit[slot.unit.pk].append(slot)
    rows = []
    for unit in units:
        unit_slots = per_unit.get(unit.pk, [])
        if not unit_slots:
            continue
        rows.append(
            CompletenessRow(
                label=unit.name,
                cells=_by_month(unit_slots, ctx),
                total=_ratio(_in_scope(unit_slots, ctx)),
            )
        )
    overdue = [s for s in slots if s.state == "overdue"]
    return AdminDashboard(
        ctx=ctx,
        units=units,
        by_unit=rows,
        by_month_total=_by_month(slots, ctx),
        overdue=overdue,
        overdue_units=len({s.unit.pk for s in overdue}),
    )


def slots_of_year(
    year: Year, *, today: dt.date | None = None
) -> tuple[YearContext, dict[int, list[Slot]]]:
    """Every slot of the year grouped by unit pk (for reminders). Queries: plan 6 + entries 1."""
    ctx = year_context(year, today)
    by_unit: dict[int, list[Slot]] = defaultdict(list)
    for slot in _slots(ctx, _entries(year)):
        by_unit[slot.unit.pk].append(slot)
    return ctx, by_unit
