"""What each role sees on the home page, read in a fixed number of queries whatever the year's size.

A *slot* is one (item, host unit, month): the unit owes an entry for it. Its state is the entry's
status, or "empty" when nothing is written yet, "overdue" when the year is open, the deadline
(`deadline_day` of the following month, strategies.deadlines) has passed and the entry is not
submitted or approved, and "not-open" before the month's first day.

The month's state is strategies.month_state's, the one rule My work and the reminders use.

Queries (a year already loaded, with its organization), whatever the year's size:
- staff and head (strategies.selectors.unit_board): the stored counts (3), then each list a
  page at a time in SQL (its count from the stored counts or stored done months, its page of
  keys), and the plan items (`PlanReader`) and entries of the rows of every list shown, read
  once for all the lists;
- auditor and admin: the stored counts (strategies.tallies: fresh 1, done entries 1,
  host pairs 1) instead of counting entries, short indicators from the stored approved sums,
  with only the first rows of their lists read in full; see `auditor_dashboard` and
  `admin_dashboard`. The admin's overdue pairs are paged like the staff's lists (from the
  stored done months), and the entries waiting for a deputy (no other head of the unit) read
  in one query; the plan items of both lists are read once.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    F,
    IntegerField,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Window,
)
from django.db.models.functions import Cast, Coalesce, Round
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import WithAnnotations

from strategies import access, deadlines, tallies
from strategies.indicator_totals import achievement_percent
from strategies.models import (
    Dimension,
    Indicator,
    Item,
    Membership,
    MonthlyEntry,
    Unit,
    Year,
)
from strategies.month_state import OVERDUE, month_state
from strategies.selectors.entries import (
    PLAN_ORDER,
    months_whose_empty_state_is,
    number_paths,
)
from strategies.selectors.manage import plan_tree
from strategies.selectors.rows import Built, Rows

if TYPE_CHECKING:
    from strategies.selectors.unit_board import HeadDashboard, StaffDashboard

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
    submitted_by_id: int | None = None
    unit: Unit | None = None  # set where a rule needs the unit's organization


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
    def late_days(self) -> int:
        """Days past the deadline the entry was submitted (逾期送出); 0 on time or unsent."""
        if self.entry is None or self.entry.submitted_at is None:
            return 0
        return deadlines.days_late(self.due, deadlines.today_in_taipei(self.entry.submitted_at))

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

    @property
    def count(self) -> int:
        return len(self.slots)


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
    # A legacy year imported from its report: results text but no monthly entries at all.
    imported: bool = False

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


def per_month(slots: Iterable[Slot]) -> list[tuple[int, int]]:
    """(month, how many slots) in month order: the count per month beside the item rows."""
    counts: dict[int, int] = defaultdict(int)
    for slot in slots:
        counts[slot.month] += 1
    return sorted(counts.items())


@dataclass
class AuditorDashboard:
    ctx: YearContext
    units: Sequence[Unit]
    by_dimension: list[CompletenessRow]
    short: list[ShortIndicator]  # the first SHORT_SHOWN, in plan order
    score_sheet: object | None
    short_count: int = 0


@dataclass
class AdminDashboard:
    ctx: YearContext
    units: Sequence[Unit]
    by_unit: list[CompletenessRow]
    by_month_total: list[Ratio]
    # The (item, unit) pairs with an overdue month, in plan order, each with its overdue slots:
    # read a page at a time (the home page pages it by OVERDUE_GROUPS_SHOWN).
    overdue_rows: Rows[SlotGroup]
    overdue_units: int
    awaiting_deputy: Sequence[Slot] = field(default_factory=list)
    overdue_count: int = 0

    @cached_property
    def overdue_pairs(self) -> int:
        """How many (item, unit) pairs have an overdue month (from the stored counts)."""
        return self.overdue_rows.count()

    @cached_property
    def overdue_groups(self) -> list[SlotGroup]:
        """The first OVERDUE_GROUPS_SHOWN pairs of the list."""
        return list(self.overdue_rows[:OVERDUE_GROUPS_SHOWN])

    @property
    def overdue(self) -> list[Slot]:
        """The slots of `overdue_groups`."""
        return [slot for group in self.overdue_groups for slot in group.slots]


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


def year_context(
    year: Year, today: dt.date | None = None, *, with_items: bool = True
) -> YearContext:
    """The year on `today`; `with_items`: its plan items too (plan_tree, six queries)."""
    today = today or deadlines.today_in_taipei()
    return YearContext(
        year=year,
        today=today,
        open_months=deadlines.open_months(year.roc_year, today)
        if year.status != Year.Status.PLANNING
        else [],
        months_in_scope=months_in_scope(year, today),
        items=plan_items(year) if with_items else [],
        counts_overdue=year.status == Year.Status.OPEN,
    )


# The fields of an EntryRef, as `values()` reads them.
ENTRY_REF_FIELDS = (
    "pk",
    "item_id",
    "unit_id",
    "month",
    "status",
    "return_reason",
    "submitted_at",
    "updated_at",
    "submitted_by_id",
)


def entry_ref(row: dict[str, Any]) -> EntryRef:
    """An EntryRef from a row of `values(*ENTRY_REF_FIELDS)`."""
    return EntryRef(**{name: row[name] for name in ENTRY_REF_FIELDS})


def _entry_refs(rows: QuerySet[MonthlyEntry]) -> list[EntryRef]:
    return [entry_ref(r) for r in rows.values(*ENTRY_REF_FIELDS)]


def _entries(year: Year, unit: Unit | None = None) -> dict[tuple[int, int, int], EntryRef]:
    """Entries of the year (of one unit), keyed by (item, unit, month): one query."""
    rows = MonthlyEntry.objects.filter(item__method__strategy__dimension__year=year)
    if unit is not None:
        rows = rows.filter(unit=unit)
    return {(e.item_id, e.unit_id, e.month): e for e in _entry_refs(rows)}


def _state(ctx: YearContext, month: int, entry: EntryRef | None) -> str:
    return month_state(
        status=entry.status if entry is not None else None,
        roc_year=ctx.year.roc_year,
        month=month,
        deadline_day=ctx.year.deadline_day,
        year_status=ctx.year.status,
        today=ctx.today,
    )


def _settle_imported_in_sql(ctx: YearContext) -> None:
    """`ctx.imported` for the pages that count in SQL (no plan read): a closed or locked year
    without a single entry whose items carry results text. Two EXISTS queries, only then."""
    year = ctx.year
    ctx.imported = (
        year.status in {Year.Status.CLOSED, Year.Status.LOCKED}
        and not MonthlyEntry.objects.filter(item__method__strategy__dimension__year=year).exists()
        and Item.objects.filter(method__strategy__dimension__year=year).exclude(results="").exists()
    )


def _slots(
    ctx: YearContext,
    entries: dict[tuple[int, int, int], EntryRef],
    units: dict[int, Unit] | None = None,
    only_unit: Unit | None = None,
) -> list[Slot]:
    """Every (item, host unit, month) of the plan, in plan order, host order, month order.

    Also settles `ctx.imported` from what was read: a closed or locked year without a single
    entry whose items carry results text came from a report, not from monthly entry."""
    ctx.imported = (
        ctx.year.status in {Year.Status.CLOSED, Year.Status.LOCKED}
        and not entries
        and any(p.item.results for p in ctx.items)
    )
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


# --- per role ----------------------------------------------------------------------------------


def staff_dashboard(year: Year, unit: Unit, *, today: dt.date | None = None) -> "StaffDashboard":
    """Returned entries (with the reason), due (owed, before the deadline) and overdue, and the
    unit's year at a glance, each read from the database a page at a time
    (strategies.selectors.unit_board)."""
    from strategies.selectors.unit_board import StaffDashboard

    ctx = year_context(year, today, with_items=False)
    _settle_imported_in_sql(ctx)
    return StaffDashboard(ctx, unit)


def head_dashboard(
    year: Year, unit: Unit, *, reviewer: Membership | None = None, today: dt.date | None = None
) -> "HeadDashboard":
    """The staff view of the unit plus entries waiting for approval, returned entries not yet
    resubmitted and the unit's completeness per month (from the stored counts).

    Only entries the reviewer (the head looking) may approve are offered for approval
    (strategies.access.can_review_entry: not what they submitted themselves)."""
    from strategies.selectors.unit_board import HeadDashboard

    ctx = year_context(year, today, with_items=False)
    _settle_imported_in_sql(ctx)
    return HeadDashboard(ctx, unit, reviewer=reviewer)


class _Heads(TypedDict):
    active_heads: int
    first_head: int | None


# A unit annotated with its heads by _units (a lazy alias: WithAnnotations takes its second
# argument only under the type checker).
type UnitWithHeads = WithAnnotations[Unit, _Heads]


def _units(year: Year) -> list[UnitWithHeads]:
    """The organization's units, each with `active_heads` and, when there is one, its lowest
    head's user id (`first_head`): who may approve what, without a query per entry."""
    head = access.unit_reviewers(via="members__") & Q(members__user__is_active=True)
    return list(
        Unit.objects.filter(organization_id=year.organization_id)
        .annotate(
            active_heads=Count("members", filter=head),
            first_head=Min("members__user_id", filter=head),
        )
        .order_by("order", "name")
    )


SHORT_SHOWN = 50
OVERDUE_GROUPS_SHOWN = 50


def _live(prefix: str = "") -> dict[str, object]:
    """Lookups keeping items in use (not retired, nor their method or strategy)."""
    return {
        f"{prefix}is_retired": False,
        f"{prefix}method__is_retired": False,
        f"{prefix}method__strategy__is_retired": False,
    }


def _host_pairs(year: Year) -> QuerySet[Any]:
    """(item, host unit) pairs of the year's items in use: the rows that owe an entry a month."""
    return Item.host_units.through.objects.filter(
        item__method__strategy__dimension__year=year, **_live("item__")
    ).order_by()


def _plan_items_of(year: Year, item_ids: Iterable[int]) -> dict[int, PlanItem]:
    """PlanItems of a few items (a page): items, host units, indicators, number paths (6)."""
    ids = set(item_ids)
    if not ids:
        return {}
    paths = number_paths(year, ids)
    items = Item.objects.filter(pk__in=ids).select_related("method__strategy__dimension")
    items = items.prefetch_related(
        Prefetch("host_units", queryset=Unit.objects.order_by("order", "name")),
        Prefetch("indicators", queryset=Indicator.objects.order_by("order")),
    )
    result = {}
    for item in items:
        dimension = item.method.strategy.dimension
        result[item.pk] = PlanItem(
            item=item,
            path=paths.get(item.pk, ""),
            dimension_number=dimension.number,
            dimension_label=dimension.label,
            dimension_name=dimension.name,
            host_units=list(item.host_units.all()),
            indicators=list(item.indicators.all()),
        )
    return result


class PlanReader:
    """The plan items of the rows a page shows, read once for all its lists: each list tells
    `want` the items of its rows as soon as it reads their keys, and the first row built reads
    every item wanted so far (`_plan_items_of`, 6 queries), after `before_read` (lists the page
    always shows, whose keys are then read too)."""

    def __init__(self, year: Year, before_read: Callable[[], object] = lambda: None) -> None:
        self.year, self.before_read = year, before_read
        self._wanted: set[int] = set()
        self._read: dict[int, PlanItem] = {}

    def want(self, item_ids: Iterable[int]) -> None:
        self._wanted.update(item_ids)

    def __getitem__(self, item_id: int) -> PlanItem:
        if item_id not in self._read:
            self.before_read()
            self._wanted.add(item_id)
            self._read.update(_plan_items_of(self.year, self._wanted - self._read.keys()))
        return self._read[item_id]


def _short_indicators(ctx: YearContext) -> tuple[list[ShortIndicator], int]:
    """Indicators whose figure (the report's, else compiled from approved entries by the
    indicator's rule) is below a positive target, or in an open year below the target's share
    of the months past their deadline (3 months due: a quarter of the target): the first
    SHORT_SHOWN in plan order and how many there are, decided in SQL on the stored approved
    sums (strategies.tallies.stored_actual), compared exactly in hundredths (every figure and
    target has two decimals). Queries: fresh 1, the first short ones with their count 1, the
    shown ones and their items' PlanItems (6)."""
    months_due = min(ctx.months_due, 12)
    if not months_due:
        return [], 0
    tallies.fresh(ctx.year)
    money = DecimalField(max_digits=16, decimal_places=2)

    def hundredths(field: str) -> Cast:
        return Cast(Round(F(field) * 100), IntegerField())

    rows = list(
        Indicator.objects.filter(
            item__method__strategy__dimension__year=ctx.year, target__gt=0, **_live("item__")
        )
        .annotate(figure=Coalesce("reported_actual", tallies.stored_actual(), output_field=money))
        .alias(figure_h=hundredths("figure"), target_h=hundredths("target"))
        # below target * months_due / 12, undivided
        .alias(gap=F("target_h") * months_due - F("figure_h") * 12)
        .filter(gap__gt=0)
        .annotate(short_count=Window(Count("pk")))
        .order_by(
            "item__method__strategy__dimension__number",
            "item__method__strategy__order",
            "item__method__order",
            "item__order",
            "order",
        )
        .values_list("pk", "figure", "short_count")[:SHORT_SHOWN]
    )
    short_ids = [(pk, figure) for pk, figure, _count in rows]
    short_count = rows[0][2] if rows else 0
    shown_ids = dict(short_ids[:SHORT_SHOWN])
    shown = sorted(
        Indicator.objects.filter(pk__in=shown_ids), key=lambda i: list(shown_ids).index(i.pk)
    )
    plan = _plan_items_of(ctx.year, (i.item_id for i in shown))
    short = []
    for indicator in shown:
        target = indicator.target
        assert target is not None  # one of the indicators with a target, above
        actual = Decimal(shown_ids[indicator.pk])
        short.append(
            ShortIndicator(
                item=plan[indicator.item_id],
                indicator=indicator,
                actual=actual,
                target=target,
                achievement=achievement_percent(actual, target),
                from_report=indicator.reported_actual is not None,
                expected=target if months_due >= 12 else target * months_due / 12,
                months_due=months_due,
            )
        )
    return short, short_count


def auditor_dashboard(
    year: Year,
    *,
    score_sheet: Callable[[Year], object] | None = None,
    today: dt.date | None = None,
) -> AuditorDashboard:
    """Completeness per dimension and unit, indicators short of target, and the score sheet's
    state read through `score_sheet` (strategies cannot import scoring; the caller passes it).
    Counted in SQL: units 1, dimensions 1, pairs 1, done entries 1, short indicators 2 and the
    shown ones' plan items 6, + the score sheet's."""
    ctx = year_context(year, today, with_items=False)
    _settle_imported_in_sql(ctx)
    units = _units(year)
    months = ctx.months_in_scope
    done: dict[tuple[int, int], int] = defaultdict(int)
    for (dimension_number, unit_id, month), n in tallies.done_counts(year).items():
        if month in months:
            done[(dimension_number, unit_id)] += n
    owed = tallies.pair_counts(year)
    dimensions = (
        Dimension.objects.filter(year=year)
        .filter(Exists(Item.objects.filter(method__strategy__dimension=OuterRef("pk"), **_live())))
        .order_by("number")
    )
    rows = []
    for dimension in dimensions:
        cells = [
            Ratio(
                done.get((dimension.number, u.pk), 0),
                owed.get((dimension.number, u.pk), 0) * len(months),
            )
            for u in units
        ]
        rows.append(
            CompletenessRow(
                label=f"{dimension.label} {dimension.name}",
                cells=cells,
                total=Ratio(sum(c.done for c in cells), sum(c.expected for c in cells)),
            )
        )
    short, short_count = _short_indicators(ctx)
    return AuditorDashboard(
        ctx=ctx,
        units=units,
        by_dimension=rows,
        short=short,
        short_count=short_count,
        score_sheet=score_sheet(year) if score_sheet else None,
    )


def _awaiting_deputy(
    ctx: YearContext, units: dict[int, UnitWithHeads], plan: PlanReader
) -> Built[Slot]:
    """Submitted entries no head of their unit may approve, because the only head (or every
    head) is the person who submitted them: the admin approves these as deputy. The oldest
    OVERDUE_GROUPS_SHOWN, in one query (their plan items read with the page's, from `plan`)."""
    # No active reviewer but the submitter: a unit without heads, or its single head's own
    # entries (units are annotated from access.unit_reviewers by _units, one query).
    without_other_head = Q(unit_id__in=[u.pk for u in units.values() if not u.active_heads])
    for unit in units.values():
        if unit.active_heads == 1:
            without_other_head |= Q(unit_id=unit.pk, submitted_by_id=unit.first_head)
    waiting = _entry_refs(
        MonthlyEntry.objects.filter(
            without_other_head,
            item__method__strategy__dimension__year=ctx.year,
            status=Status.SUBMITTED,
        ).order_by("submitted_at", "pk")[:OVERDUE_GROUPS_SHOWN]
    )
    waiting = [e for e in waiting if e.unit_id in units]
    plan.want(e.item_id for e in waiting)
    return Built(
        lambda: [
            Slot(
                item=plan[e.item_id],
                unit=units[e.unit_id],
                month=e.month,
                state=_state(ctx, e.month, e),
                due=deadlines.due_on(ctx.year.roc_year, e.month, ctx.year.deadline_day),
                entry=e,
            )
            for e in waiting
        ]
    )


def admin_dashboard(year: Year, *, today: dt.date | None = None) -> AdminDashboard:
    """The organization's completeness per unit and month, and the overdue slots: how many, in
    how many units, and the (item, unit) pairs with one in plan order, a page at a time
    (`overdue_rows`). Counted in SQL: units 1, fresh 1, pairs 1, done entries 1; the entries
    waiting for the admin as deputy 1; a page of overdue pairs: their count and keys from the
    stored done months 2, their entries 1; the plan items of both lists' rows once 6."""
    ctx = year_context(year, today, with_items=False)
    _settle_imported_in_sql(ctx)
    units = _units(year)
    months = ctx.months_in_scope
    done: dict[tuple[int, int], int] = defaultdict(int)
    for (_dimension, unit_id, month), n in tallies.done_counts(year).items():
        if month in months:
            done[(unit_id, month)] += n
    owed: dict[int, int] = defaultdict(int)
    for (_dimension, unit_id), n in tallies.pair_counts(year).items():
        owed[unit_id] += n

    def ratios(unit_ids: list[int]) -> list[Ratio]:
        return [
            Ratio(sum(done.get((u, m), 0) for u in unit_ids), sum(owed[u] for u in unit_ids))
            if m in months
            else Ratio(0, 0)
            for m in MONTHS
        ]

    def total(cells: list[Ratio]) -> Ratio:
        return Ratio(sum(c.done for c in cells), sum(c.expected for c in cells))

    rows = []
    for unit in units:
        if unit.pk not in owed:
            continue
        cells = ratios([unit.pk])
        rows.append(CompletenessRow(label=unit.name, cells=cells, total=total(cells)))

    late = months_whose_empty_state_is(year, OVERDUE, ctx.today)
    overdue_by_unit = {
        u: owed[u] * len(late) - sum(done.get((u, m), 0) for m in late) for u in owed
    }
    by_pk = {u.pk: u for u in units}
    plan = PlanReader(year)
    return AdminDashboard(
        ctx=ctx,
        units=units,
        by_unit=rows,
        by_month_total=ratios(list(owed)),
        overdue_rows=_overdue_rows(ctx, late, sum(owed.values()), by_pk, plan),
        overdue_units=sum(1 for n in overdue_by_unit.values() if n > 0),
        overdue_count=sum(overdue_by_unit.values()),
        awaiting_deputy=_awaiting_deputy(ctx, by_pk, plan),
    )


def _overdue_rows(
    ctx: YearContext, late: list[int], pairs: int, units: Mapping[int, Unit], plan: PlanReader
) -> Rows[SlotGroup]:
    """The host pairs with an overdue month, in plan order, a page at a time: those whose
    stored done months (strategies.tallies) miss one of the overdue months, and their count is
    the pairs in use less those done in all of them; neither reads the entries."""
    year = ctx.year
    return Rows(
        tallies.pairs_owing(_host_pairs(year), year, late)
        .order_by(*PLAN_ORDER)
        .values_list("item_id", "unit_id"),
        lambda shown: _overdue_groups(ctx, shown, late, units, plan),
        lambda: pairs - tallies.pairs_done_in(year, late) if late else 0,
        lambda shown: plan.want(item_id for item_id, _unit in shown),
    )


def _overdue_groups(
    ctx: YearContext,
    pairs: list[tuple[int, int]],
    late: list[int],
    units: Mapping[int, Unit],
    plan: PlanReader,
) -> list[SlotGroup]:
    """The overdue slots of these (item, unit) pairs, in their order, month by month: their
    entries of the overdue months (1 query) and their plan items (from `plan`)."""
    if not pairs:
        return []
    wanted = set(pairs)
    entries = {
        (e.item_id, e.unit_id, e.month): e
        for e in _entry_refs(
            MonthlyEntry.objects.filter(
                item_id__in={i for i, _u in pairs},
                unit_id__in={u for _i, u in pairs},
                month__in=late,
            )
        )
        if (e.item_id, e.unit_id) in wanted
    }
    groups = []
    for item_id, unit_id in pairs:
        slots = []
        for month in late:
            entry = entries.get((item_id, unit_id, month))
            state = _state(ctx, month, entry)
            if state == OVERDUE:
                slots.append(
                    Slot(
                        item=plan[item_id],
                        unit=units[unit_id],
                        month=month,
                        state=state,
                        due=deadlines.due_on(ctx.year.roc_year, month, ctx.year.deadline_day),
                        entry=entry,
                    )
                )
        groups.append(SlotGroup(item=plan[item_id], unit=units[unit_id], slots=slots))
    return groups


def slots_of_year(
    year: Year, *, today: dt.date | None = None
) -> tuple[YearContext, dict[int, list[Slot]]]:
    """Every slot of the year grouped by unit pk (for reminders). Queries: plan 6 + entries 1."""
    ctx = year_context(year, today)
    by_unit: dict[int, list[Slot]] = defaultdict(list)
    for slot in _slots(ctx, _entries(year)):
        by_unit[slot.unit.pk].append(slot)
    return ctx, by_unit
