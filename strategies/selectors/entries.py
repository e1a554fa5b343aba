"""Reads for monthly entry: My work rows, the entry form's context, an item's history.

Each is built to a fixed number of queries, however many items, entries or versions there are
(pinned in tests/test_my_work_queries.py and tests/test_entry_form_queries.py).
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from strategies import access, deadlines, numbering
from strategies.models import (
    EntryComment,
    Evidence,
    Indicator,
    IndicatorValue,
    Item,
    Membership,
    MonthLock,
    MonthlyEntry,
    Unit,
    Year,
)
from strategies.month_state import EMPTY, NOT_OPEN, OVERDUE, month_state
from strategies.selectors.history import Change, changes_since_last_submission
from strategies.services.results import IndicatorTotal, total_for

Status = MonthlyEntry.Status

# The strip's states (strategies.month_state): the entry's status, or none yet, or not yet
# open, or overdue.
STRIP_LABELS = {
    EMPTY: _("未填"),
    NOT_OPEN: _("未開放"),
    OVERDUE: _("逾期"),
    Status.DRAFT: _("草稿"),
    Status.SUBMITTED: _("已送出"),
    Status.RETURNED: _("退回"),
    Status.APPROVED: _("已核定"),
}
STATUS_FILTER_CHOICES = [
    (EMPTY, _("未填")),
    (Status.DRAFT.value, _("草稿")),
    (Status.SUBMITTED.value, _("已送出")),
    (Status.RETURNED.value, _("退回")),
    (Status.APPROVED.value, _("已核定")),
    (OVERDUE, _("逾期")),
]


def current_year(membership: Membership | None) -> Year | None:
    """The member's organization's open year (the newest), else its newest year (1 query)."""
    if membership is None:
        return None
    years = Year.objects.filter(organization_id=membership.organization_id).select_related(
        "organization"
    )
    return (
        years.filter(status=Year.Status.OPEN).order_by("-roc_year").first()
        or years.order_by("-roc_year").first()
    )


def number_paths(year: Year) -> dict[int, str]:
    """Every item's full number as the seed writes it: 一(二)2(3), 三(一) (1 query)."""
    rows = list(
        Item.objects.filter(
            method__strategy__dimension__year=year,
            is_retired=False,
            method__is_retired=False,
            method__strategy__is_retired=False,
        )
        .order_by(
            "method__strategy__dimension__number",
            "method__strategy__order",
            "method__order",
            "order",
        )
        .values_list(
            "pk",
            "order",
            "method_id",
            "method__order",
            "method__strategy_id",
            "method__strategy__order",
            "method__strategy__dimension__number",
        )
    )
    strategies_of: dict[int, list[int]] = defaultdict(list)
    methods_of: dict[int, list[int]] = defaultdict(list)
    items_of: dict[int, list[int]] = defaultdict(list)
    for pk, _order, method_id, _m_order, strategy_id, _s_order, dimension in rows:
        if strategy_id not in strategies_of[dimension]:
            strategies_of[dimension].append(strategy_id)
        if method_id not in methods_of[strategy_id]:
            methods_of[strategy_id].append(method_id)
        items_of[method_id].append(pk)
    paths = {}
    for pk, _order, method_id, _m_order, strategy_id, _s_order, dimension in rows:
        methods = methods_of[strategy_id]
        items = items_of[method_id]
        paths[pk] = (
            numbering.dimension_label(dimension)
            + numbering.strategy_label(strategies_of[dimension].index(strategy_id) + 1)
            + numbering.method_label(methods.index(method_id) + 1, len(methods)).rstrip(".")
            + numbering.item_label(items.index(pk) + 1, len(items))
        )
    return paths


@dataclass
class MonthCell:
    month: int
    state: str
    locked: bool
    due: dt.date

    @property
    def label(self) -> str:
        return str(STRIP_LABELS[self.state])


@dataclass
class MyWorkRow:
    item: Item
    unit: Unit
    path: str
    sort_key: tuple[int, ...]
    method_title: str
    title: str
    host_units: str
    months: list[MonthCell] = field(default_factory=list)
    can_edit: bool = False

    @property
    def states(self) -> set[str]:
        return {cell.state for cell in self.months}

    @property
    def approved_count(self) -> int:
        return sum(cell.state == Status.APPROVED for cell in self.months)


def month_cells(
    *, year: Year, statuses: dict[int, str], locked: set[int], today: dt.date
) -> list[MonthCell]:
    """The 12-month strip of one (item, unit) from its entries' statuses by month. Pure."""
    return [
        MonthCell(
            month=month,
            state=month_state(
                status=statuses.get(month),
                roc_year=year.roc_year,
                month=month,
                deadline_day=year.deadline_day,
                year_status=year.status,
                today=today,
            ),
            locked=month in locked,
            due=deadlines.due_on(year.roc_year, month, year.deadline_day),
        )
        for month in range(1, 13)
    ]


def visible_items(membership: Membership, year: Year) -> QuerySet[Item]:
    """Items of the year the member works on: their unit's, or all for auditors and admins."""
    items = Item.objects.filter(method__strategy__dimension__year=year, is_retired=False)
    if not access.can_read_all(membership):
        items = items.filter(host_units=membership.unit_id)
    return items


def my_work_rows(
    membership: Membership,
    year: Year,
    *,
    today: dt.date,
    items: QuerySet[Item] | None = None,
    status: str = "",
) -> list[MyWorkRow]:
    """My work: one row per (item, unit) the member reports or reads, with its month strip.

    Staff and heads get their own unit's items; auditors and admins every (item, host unit).
    5 queries: items, their host units, number paths, entries, month locks.
    """
    if items is None:
        items = visible_items(membership, year)
    items = items.select_related("method__strategy__dimension").prefetch_related(
        Prefetch("host_units", queryset=Unit.objects.order_by("order", "name"))
    )
    item_list = list(items)
    paths = number_paths(year)
    entry_filter = Q(item__in=[i.pk for i in item_list])
    reader = access.can_read_all(membership)
    if not reader:
        entry_filter &= Q(unit_id=membership.unit_id)
    statuses: dict[tuple[int, int], dict[int, str]] = defaultdict(dict)
    for item_id, unit_id, month, entry_status in MonthlyEntry.objects.filter(
        entry_filter
    ).values_list("item_id", "unit_id", "month", "status"):
        statuses[(item_id, unit_id)][month] = entry_status
    locked = set(MonthLock.objects.filter(year=year).values_list("month", flat=True))

    rows = []
    for item in item_list:
        hosts = list(item.host_units.all())
        units = hosts if reader else [u for u in hosts if u.pk == membership.unit_id]
        method = item.method
        strategy = method.strategy
        for unit in units:
            row = MyWorkRow(
                item=item,
                unit=unit,
                path=paths.get(item.pk, ""),
                sort_key=(strategy.dimension.number, strategy.order, method.order, item.order),
                method_title=method.title,
                title=item.title,
                host_units="、".join(u.name for u in hosts),
                months=month_cells(
                    year=year, statuses=statuses[(item.pk, unit.pk)], locked=locked, today=today
                ),
                can_edit=access.can_edit_entry(membership, item, unit),
            )
            if not status or status in row.states:
                rows.append(row)
    rows.sort(key=lambda r: (r.sort_key, r.unit.order, r.unit.name))
    return rows


# --- the entry form ---------------------------------------------------------------------------


@dataclass
class EntryContext:
    year: Year
    item: Item
    unit: Unit
    month: int
    path: str
    indicators: list[Indicator]
    entry: MonthlyEntry | None
    values: dict[int, Decimal]
    ytd: list[IndicatorTotal]
    months: list[MonthCell]
    locked: bool
    opens_on: dt.date
    due_on: dt.date
    overdue: bool
    is_open: bool
    changes_since_submission: list[Change] | None = None

    @property
    def status(self) -> str:
        return self.entry.status if self.entry else EMPTY

    @property
    def version(self) -> int:
        return self.entry.version if self.entry else 0

    @property
    def year_writable(self) -> bool:
        return self.year.status == Year.Status.OPEN and not self.locked and self.is_open

    @property
    def content_editable(self) -> bool:
        return self.year_writable and self.status in {EMPTY, Status.DRAFT, Status.RETURNED}

    def indicator_rows(self) -> list[tuple[Indicator, Decimal | None, IndicatorTotal]]:
        return [
            (ind, self.values.get(ind.pk), total)
            for ind, total in zip(self.indicators, self.ytd, strict=True)
        ]


def item_for_entry(item_id: int) -> Item:
    """The item with its plan path, organization and host units (2 queries)."""
    return (
        Item.objects.select_related("method__strategy__dimension__year__organization")
        .prefetch_related(Prefetch("host_units", queryset=Unit.objects.order_by("order", "name")))
        .get(pk=item_id)
    )


def entry_context(*, item: Item, unit: Unit, month: int, today: dt.date) -> EntryContext:
    """Everything the entry form shows for (item, unit, month).

    Fixed queries: host units, indicators, number paths, the item's entries with values,
    evidence and comments (4), month lock; plus 2 history reads when the entry is submitted.
    """
    year = item.method.strategy.dimension.year
    indicators = list(item.indicators.all())
    entries = list(
        MonthlyEntry.objects.filter(item=item)
        .select_related("updated_by")
        .prefetch_related(
            Prefetch("values", queryset=IndicatorValue.objects.order_by("indicator__order")),
            Prefetch("evidence", queryset=Evidence.objects.select_related("uploaded_by")),
            Prefetch("comments", queryset=EntryComment.objects.select_related("author")),
        )
    )
    entry = next((e for e in entries if e.unit_id == unit.pk and e.month == month), None)
    up_to_now = [e for e in entries if e.month <= month]
    ytd = [total_for(ind, up_to_now) for ind in indicators]
    statuses = {e.month: e.status for e in entries if e.unit_id == unit.pk}
    locked_months = set(MonthLock.objects.filter(year=year).values_list("month", flat=True))
    context = EntryContext(
        year=year,
        item=item,
        unit=unit,
        month=month,
        path=number_paths(year).get(item.pk, ""),
        indicators=indicators,
        entry=entry,
        values={v.indicator_id: v.value for v in entry.values.all()} if entry else {},
        ytd=ytd,
        months=month_cells(year=year, statuses=statuses, locked=locked_months, today=today),
        locked=month in locked_months,
        opens_on=deadlines.opens_on(year.roc_year, month),
        due_on=deadlines.due_on(year.roc_year, month, year.deadline_day),
        overdue=deadlines.is_overdue(year.roc_year, month, year.deadline_day, today),
        is_open=deadlines.is_open(year.roc_year, month, today),
    )
    if entry is not None and entry.status == Status.SUBMITTED:
        context.changes_since_submission = changes_since_last_submission(entry, indicators)
    return context
