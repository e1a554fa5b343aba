"""Reads for monthly entry: My work rows, the entry form's context, an item's history.

Each is built to a fixed number of queries, however many items, entries or versions there are
(pinned in tests/test_my_work_queries.py and tests/test_entry_form_queries.py).
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from strategies import access, deadlines, entry_lifecycle, numbering
from strategies.indicator_totals import IndicatorTotal, total_for
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
from strategies.month_state import DONE, EMPTY, NOT_OPEN, OVERDUE, month_state, month_state_sql
from strategies.selectors.history import Change, changes_since_last_submission

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
    """The member's organization's open year (the newest), else its newest year (1 query; 2
    when no year is open)."""
    if membership is None:
        return None
    years = Year.objects.filter(organization_id=membership.organization_id).select_related(
        "organization"
    )
    return (
        years.filter(status=Year.Status.OPEN).order_by("-roc_year").first()
        or years.order_by("-roc_year").first()
    )


def number_paths(year: Year, item_ids: Iterable[int] | None = None) -> dict[int, str]:
    """Every item's full number as the seed writes it: 一(二)2(3), 三(一).

    1 query for the whole year; with `item_ids`, 3 small ones (those items, the strategies of
    their dimensions, the items of their strategies) however large the year is."""
    live = Item.objects.filter(
        method__strategy__dimension__year=year,
        is_retired=False,
        method__is_retired=False,
        method__strategy__is_retired=False,
    )
    order = ("method__strategy__dimension__number", "method__strategy__order", "method__order")
    fields = ("pk", "method_id", "method__strategy_id", "method__strategy__dimension__number")
    # Strategies count in their dimension only while they have a live item (as the report).
    strategies_of: dict[int, dict[int, None]] = defaultdict(dict)
    if item_ids is None:
        rows = list(live.order_by(*order, "order").values_list(*fields))
        for _pk, _method_id, strategy_id, dimension in rows:
            strategies_of[dimension][strategy_id] = None
    else:
        wanted = list(live.filter(pk__in=list(item_ids)).values_list(*fields))
        if not wanted:
            return {}
        dimensions = {row[3] for row in wanted}
        for strategy_id, dimension in (
            live.filter(method__strategy__dimension__number__in=dimensions)
            .order_by("method__strategy__dimension__number", "method__strategy__order")
            .values_list("method__strategy_id", "method__strategy__dimension__number")
            .distinct()
        ):
            strategies_of[dimension][strategy_id] = None
        rows = list(
            live.filter(method__strategy_id__in={row[2] for row in wanted})
            .order_by(*order, "order")
            .values_list(*fields)
        )
    methods_of: dict[int, dict[int, None]] = defaultdict(dict)
    items_of: dict[int, dict[int, None]] = defaultdict(dict)
    for pk, method_id, strategy_id, _dimension in rows:
        methods_of[strategy_id][method_id] = None
        items_of[method_id][pk] = None
    strategy_position = {
        sid: n for ids in strategies_of.values() for n, sid in enumerate(ids, start=1)
    }
    method_position = {
        mid: (n, len(ids)) for ids in methods_of.values() for n, mid in enumerate(ids, start=1)
    }
    item_position = {
        pk: (n, len(ids)) for ids in items_of.values() for n, pk in enumerate(ids, start=1)
    }
    paths = {}
    for pk, method_id, strategy_id, dimension in rows:
        paths[pk] = (
            numbering.dimension_label(dimension)
            + numbering.strategy_label(strategy_position[strategy_id])
            + numbering.method_label(*method_position[method_id]).rstrip(".")
            + numbering.item_label(*item_position[pk])
        )
    return paths


def number_path_of(item: Item) -> str:
    """One item's full number (its plan path already loaded): 2 queries, the strategies of its
    dimension that have an item in use and the items of its strategy, whatever the year's size."""
    strategy = item.method.strategy
    dimension = strategy.dimension
    live = Item.objects.filter(
        is_retired=False, method__is_retired=False, method__strategy__is_retired=False
    )
    strategies = list(
        live.filter(method__strategy__dimension=dimension)
        .order_by("method__strategy__order", "method__strategy_id")
        .values_list("method__strategy_id", flat=True)
        .distinct()
    )
    rows = list(
        live.filter(method__strategy=strategy)
        .order_by("method__order", "method_id", "order")
        .values_list("pk", "method_id")
    )
    if item.pk not in {pk for pk, _m in rows}:
        return ""
    methods = list(dict.fromkeys(m for _pk, m in rows))
    siblings = [pk for pk, m in rows if m == item.method_id]
    return (
        numbering.dimension_label(dimension.number)
        + numbering.strategy_label(strategies.index(strategy.pk) + 1)
        + numbering.method_label(methods.index(item.method_id) + 1, len(methods)).rstrip(".")
        + numbering.item_label(siblings.index(item.pk) + 1, len(siblings))
    )


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


MY_WORK_PAGE_SIZE = 50


def months_whose_empty_state_is(year: Year, state: str, today: dt.date) -> list[int]:
    """The months in which an (item, unit) without an entry shows `state` (the one rule)."""
    return [
        m
        for m in range(1, 13)
        if month_state(
            status=None,
            roc_year=year.roc_year,
            month=m,
            deadline_day=year.deadline_day,
            year_status=year.status,
            today=today,
        )
        == state
    ]


def _entry_count(**filters: object) -> Coalesce:
    """Entries of the outer (item, unit) pair matching `filters` (a subquery)."""
    return Coalesce(
        Subquery(
            MonthlyEntry.objects.filter(
                item_id=OuterRef("item_id"), unit_id=OuterRef("unit_id"), **filters
            )
            .order_by()
            .values("item_id")
            .annotate(n=Count("pk"))
            .values("n")[:1]
        ),
        0,
    )


def pairs_in_state(
    pairs: QuerySet[Any], year: Year, state: str, *, today: dt.date
) -> QuerySet[Any]:
    """The (item, unit) host pairs (rows of Item.host_units.through) with at least one month
    in `state` (strategies.month_state), decided in SQL."""
    if state == OVERDUE:
        months = months_whose_empty_state_is(year, OVERDUE, today)
        return pairs.alias(done=_entry_count(month__in=months, status__in=sorted(DONE))).filter(
            done__lt=len(months)
        )
    if state == EMPTY:
        months = months_whose_empty_state_is(year, EMPTY, today)
        return pairs.alias(written=_entry_count(month__in=months)).filter(written__lt=len(months))
    expression = month_state_sql(
        roc_year=year.roc_year, deadline_day=year.deadline_day, year_status=year.status, today=today
    )
    return pairs.filter(
        Exists(
            MonthlyEntry.objects.filter(item_id=OuterRef("item_id"), unit_id=OuterRef("unit_id"))
            .alias(state=expression)
            .filter(state=state)
        )
    )


PLAN_ORDER = (
    "item__method__strategy__dimension__number",
    "item__method__strategy__order",
    "item__method__order",
    "item__order",
    "unit__order",
    "unit__name",
)


def work_pairs(
    membership: Membership,
    year: Year,
    *,
    today: dt.date,
    items: QuerySet[Item] | None = None,
    status: str = "",
) -> QuerySet[Any, tuple[int, int]]:
    """My work's rows as (item_id, unit_id) in plan order, unsliced (paginate it): staff and
    heads get their own unit's items, auditors and admins every (item, host unit). With
    `status`, only rows with a month in that state (strategies.month_state), decided in SQL."""
    if items is None:
        items = visible_items(membership, year)
    pairs = Item.host_units.through.objects.filter(item__in=items.values("pk"))
    if not access.can_read_all(membership):
        # Staff and heads always have a unit (constraint membership_unit_for_staff_and_head).
        unit_id = membership.unit_id
        pairs = pairs.filter(unit_id=unit_id) if unit_id is not None else pairs.none()
    if status:
        pairs = pairs_in_state(pairs, year, status, today=today)
    return pairs.order_by(*PLAN_ORDER).values_list("item_id", "unit_id")


MY_WORK_ITEM_FIELDS = (
    "title",
    "order",
    "is_retired",
    "method__title",
    "method__order",
    "method__strategy__order",
    "method__strategy__dimension__number",
    "method__strategy__dimension__year_id",
)


def my_work_rows(
    membership: Membership,
    year: Year,
    *,
    today: dt.date,
    pairs: Iterable[tuple[int, int]],
) -> list[MyWorkRow]:
    """My work's rows for the given (item_id, unit_id) pairs (one page of `work_pairs`), in
    their order, each with its month strip.

    7 queries whatever the year's size: items, their host units, number paths (3), entries,
    month locks."""
    pairs = list(pairs)
    if not pairs:
        return []
    item_ids = {item_id for item_id, _unit in pairs}
    items = {
        item.pk: item
        for item in Item.objects.filter(pk__in=item_ids)
        .order_by()  # into a dict
        .select_related("method__strategy__dimension")
        # What a row shows, not the items' long texts (plans, results and their drafts).
        .only(*MY_WORK_ITEM_FIELDS)
        .prefetch_related(Prefetch("host_units", queryset=Unit.objects.order_by("order", "name")))
    }
    paths = number_paths(year, item_ids)
    statuses: dict[tuple[int, int], dict[int, str]] = defaultdict(dict)
    for item_id, unit_id, month, entry_status in (
        MonthlyEntry.objects.filter(
            item_id__in=item_ids, unit_id__in={unit_id for _item, unit_id in pairs}
        )
        .order_by()  # into a dict: no plan-order joins
        .values_list("item_id", "unit_id", "month", "status")
    ):
        statuses[(item_id, unit_id)][month] = entry_status
    locked = set(MonthLock.objects.filter(year=year).order_by().values_list("month", flat=True))

    rows = []
    for item_id, unit_id in pairs:
        item = items[item_id]
        hosts = list(item.host_units.all())
        unit = next(u for u in hosts if u.pk == unit_id)
        method = item.method
        strategy = method.strategy
        rows.append(
            MyWorkRow(
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
        )
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
        return self.year_writable and self.status in entry_lifecycle.EDITABLE

    def indicator_rows(self) -> list[tuple[Indicator, Decimal | None, IndicatorTotal]]:
        return [
            (ind, self.values.get(ind.pk), total)
            for ind, total in zip(self.indicators, self.ytd, strict=True)
        ]


def item_for_entry(item_id: int, *, with_indicators: bool = False) -> Item:
    """The item with its plan path, organization and host units (2 queries), and with
    `with_indicators` its indicators too (3: the entry form and its save both need them)."""
    lookups: list[str | Prefetch[Any]] = [
        Prefetch("host_units", queryset=Unit.objects.order_by("order", "name"))
    ]
    if with_indicators:
        # In their order within the item (the model's ordering would join the plan up to the
        # organization to sort by the item first).
        lookups.append(Prefetch("indicators", queryset=Indicator.objects.order_by("order", "pk")))
    return (
        Item.objects.select_related("method__strategy__dimension__year__organization")
        .prefetch_related(*lookups)
        .get(pk=item_id)
    )


def entry_form_inputs(
    *, item: Item, unit: Unit, month: int
) -> tuple[list[Indicator], list[Evidence]]:
    """What a posted entry form is checked against: the item's indicators and the entry's
    evidence files (1 query with the indicators prefetched, as item_for_entry does). A save that
    succeeds redirects, so the whole entry_context is built only for a page shown again."""
    indicators = list(item.indicators.all())
    evidence = Evidence.objects.filter(
        entry__item=item, entry__unit=unit, entry__month=month
    ).order_by("uploaded_at", "pk")  # one entry's files (the model's order joins up the plan)
    return indicators, list(evidence)


def entry_context(*, item: Item, unit: Unit, month: int, today: dt.date) -> EntryContext:
    """Everything the entry form shows for (item, unit, month).

    8 queries (the item comes with its host units from item_for_entry): indicators, number
    path (2), the item's entries with values, evidence and comments (4; 1 while the item has
    none), month locks; plus 2 history reads when the entry is submitted.
    """
    year = item.method.strategy.dimension.year
    indicators = list(item.indicators.all())
    entries = list(
        MonthlyEntry.objects.filter(item=item)
        .select_related("unit", "updated_by", "submitted_by", "approved_by")
        # The model's order for one item, without joining the plan up to the organization.
        .order_by("unit__order", "unit__name", "unit_id", "month")
        .prefetch_related(
            Prefetch("values", queryset=IndicatorValue.objects.order_by("indicator__order"))
        )
    )
    entry = next((e for e in entries if e.unit_id == unit.pk and e.month == month), None)
    if entry is not None:
        # Files and comments are shown for this month's entry only.
        prefetch_related_objects(
            [entry],
            Prefetch(
                "evidence",
                queryset=Evidence.objects.select_related("uploaded_by").order_by(
                    "uploaded_at", "pk"
                ),
            ),
            Prefetch(
                "comments",
                queryset=EntryComment.objects.select_related("author").order_by("created_at", "pk"),
            ),
        )
    up_to_now = [e for e in entries if e.month <= month]
    ytd = [total_for(ind, up_to_now) for ind in indicators]
    statuses = {e.month: e.status for e in entries if e.unit_id == unit.pk}
    locked_months = set(
        MonthLock.objects.filter(year=year).order_by().values_list("month", flat=True)
    )
    context = EntryContext(
        year=year,
        item=item,
        unit=unit,
        month=month,
        path=number_path_of(item),
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
