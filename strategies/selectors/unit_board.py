"""The staff and head home pages of one unit, read from the database a page at a time.

Every list is a query over the unit's (item, host unit) pairs in use, ordered and cut in SQL
(returned first, due soonest first, then overdue, each grouped per item), and only the rows
shown are turned into slots; counts per month come from the stored counts
(strategies.services.tallies). So the page costs the same whatever the year's size. Month
states are strategies.month_state's, through the dashboard's `_state`.

A list is a `Rows` object (strategies.selectors.rows): Django's Paginator pages it (`count()`
and a slice); iterating it reads the whole list (for callers that want every row, e.g. the
tests). Each slice reads its keys at once and is built when first shown: by then every list of
the page has read its keys, and the plan items and the unit's entries of all the rows shown are
read once, together (`_load`), not once per list.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    QuerySet,
    Value,
    When,
    Window,
)

from strategies import access, deadlines, tallies
from strategies.models import Membership, MonthlyEntry, Unit
from strategies.month_state import EMPTY, OVERDUE
from strategies.selectors.dashboard import (
    ENTRY_REF_FIELDS,
    MONTHS,
    EntryRef,
    GlanceRow,
    PlanItem,
    PlanReader,
    Ratio,
    Slot,
    SlotGroup,
    YearContext,
    _entry_refs,
    _host_pairs,
    _live,
    _state,
    entry_ref,
    per_month,
)
from strategies.selectors.entries import PLAN_ORDER, months_whose_empty_state_is
from strategies.selectors.rows import Built, Rows

Status = MonthlyEntry.Status
# Entries listed in full on the page (returned, waiting for approval); the rest are counted.
LISTED = 50
# States of a due slot: owed, still before its deadline.
DUE_STATES = frozenset({EMPTY, Status.DRAFT, Status.RETURNED})


@dataclass(frozen=True)
class EntryList:
    """The first LISTED entries of a list (as read, before any rule) and how many it holds."""

    entries: list[EntryRef]
    total: int


class StaffDashboard:
    """The unit's work, most urgent first: returned to the unit (with the reason), due soonest,
    then overdue; each list grouped by item."""

    def __init__(self, ctx: YearContext, unit: Unit) -> None:
        self.ctx, self.unit = ctx, unit
        year = ctx.year
        self.due_months = (
            months_whose_empty_state_is(year, EMPTY, ctx.today) if ctx.counts_overdue else []
        )
        self.overdue_months = months_whose_empty_state_is(year, OVERDUE, ctx.today)
        # The plan items and the unit's entries of the rows read so far, read once for all the
        # lists of the page when the first row is built.
        self._plan = PlanReader(year, self._lists_always_shown)
        self._wanted_entries: set[int] = set()
        self._unit_entries: dict[tuple[int, int], EntryRef] = {}
        self._entries_read: set[int] = set()

    # --- what is counted, not listed ----------------------------------------------------------

    @cached_property
    def _counts(self) -> tuple[dict[int, int], int]:
        """(done entries per month, pairs owed) of the unit, from the stored counts (3 queries)."""
        done: dict[int, int] = {}
        for (_dimension, unit_id, month), n in tallies.done_counts(self.ctx.year).items():
            if unit_id == self.unit.pk:
                done[month] = done.get(month, 0) + n
        pairs = sum(
            n
            for (_d, unit_id), n in tallies.pair_counts(self.ctx.year).items()
            if unit_id == self.unit.pk
        )
        return done, pairs

    def _owed_per_month(self, months: list[int]) -> list[tuple[int, int]]:
        done, pairs = self._counts
        return [(m, pairs - done.get(m, 0)) for m in months if pairs - done.get(m, 0) > 0]

    @property
    def due_per_month(self) -> list[tuple[int, int]]:
        return self._owed_per_month(self.due_months)

    @property
    def overdue_per_month(self) -> list[tuple[int, int]]:
        return self._owed_per_month(self.overdue_months)

    @property
    def due_count(self) -> int:
        return sum(n for _m, n in self.due_per_month)

    @property
    def overdue_count(self) -> int:
        return sum(n for _m, n in self.overdue_per_month)

    # --- the lists ----------------------------------------------------------------------------

    def _pairs(self) -> QuerySet[Any]:
        return _host_pairs(self.ctx.year).filter(unit_id=self.unit.pk)

    def _pair_rows[T](
        self,
        query: QuerySet[Any],
        build: Callable[[list[tuple[int, int]]], list[T]],
        known_count: Callable[[], int | None] = lambda: None,
    ) -> Rows[T]:
        """A list of (item, unit) pairs whose shown rows need plan items and the unit's entries."""

        def keys_read(rows: list[tuple[int, int]]) -> None:
            items = {item_id for item_id, _unit in rows}
            self._plan.want(items)
            self._wanted_entries |= items

        return Rows(query, build, known_count, keys_read)

    def _fresh_pairs(self) -> QuerySet[Any]:
        """The unit's pairs, once the stored counts are read (and so the stored done months
        that strategies.tallies' `pairs_owing` reads are fresh)."""
        _fresh = self._counts
        return self._pairs()

    def _owing_count(self, months: list[int]) -> int:
        """The unit's pairs missing a done month among `months`, from the stored months."""
        if not months:
            return 0
        done = tallies.pairs_done_in(self.ctx.year, months, unit_id=self.unit.pk)
        return self._counts[1] - done

    @cached_property
    def due_groups(self) -> Rows[SlotGroup]:
        """Grouped by item, the item whose first deadline comes soonest first, then plan order."""
        if not self.due_months:  # nothing is due (a closed year): no query at all
            return Rows(self._pairs().none(), lambda rows: [], lambda: 0)
        # Each due month's stored bit; the first month whose bit is unset comes first.
        months = {
            f"done_{m}": F("done_months").bitand(tallies.month_bit(m)) for m in self.due_months
        }
        first = Case(
            *(
                When(**{name: 0}, then=Value(m))
                for m, name in zip(self.due_months, months, strict=True)
            ),
            default=Value(None),
            output_field=IntegerField(),
        )
        query = (
            tallies.pairs_owing(self._fresh_pairs(), self.ctx.year, self.due_months)
            .alias(**months)
            .alias(first_due=first)
            .order_by("first_due", *PLAN_ORDER)
            .values_list("item_id", "unit_id")
        )
        return self._pair_rows(
            query,
            lambda rows: self._groups(rows, self.due_months, DUE_STATES),
            lambda: self._owing_count(self.due_months),
        )

    @cached_property
    def overdue_groups(self) -> Rows[SlotGroup]:
        """Grouped by item, in plan order."""
        query = tallies.pairs_owing(self._fresh_pairs(), self.ctx.year, self.overdue_months)
        return self._pair_rows(
            query.order_by(*PLAN_ORDER).values_list("item_id", "unit_id"),
            lambda rows: self._groups(rows, self.overdue_months, {OVERDUE}),
            lambda: self._owing_count(self.overdue_months),
        )

    @property
    def due(self) -> list[Slot]:
        """Every due slot (reads the whole list: the page shows `due_groups` a page at a time)."""
        return [slot for group in self.due_groups for slot in group.slots]

    @property
    def overdue(self) -> list[Slot]:
        return [slot for group in self.overdue_groups for slot in group.slots]

    @cached_property
    def glance_rows(self) -> Rows[GlanceRow]:
        """The unit's items in plan order, each with its twelve months."""
        query = self._pairs().order_by(*PLAN_ORDER).values_list("item_id", "unit_id")
        return self._pair_rows(query, self._glance, lambda: self._counts[1])

    @property
    def glance(self) -> list[GlanceRow]:
        return list(self.glance_rows)

    @cached_property
    def returned_rows(self) -> Rows[Slot]:
        """Entries returned to the unit, in plan order and month order."""
        return self._entry_rows(self._entry_query(status=Status.RETURNED))

    @property
    def returned(self) -> list[Slot]:
        return list(self.returned_rows)

    @cached_property
    def _returned_list(self) -> EntryList:
        return self._first_entries(self._entry_query(status=Status.RETURNED))

    @cached_property
    def returned_shown(self) -> Built[Slot]:
        return self._shown(self._returned_list)

    @property
    def returned_count(self) -> int:
        return self._returned_list.total

    # --- reading what the rows shown need, once for all the lists -----------------------------

    def _lists_always_shown(self) -> list[EntryList]:
        """The entry lists every page shows: their keys are read before the rows are built."""
        return [self._returned_list]

    def _plan_item(self, item_id: int) -> PlanItem:
        return self._plan[item_id]

    def _entry(self, item_id: int, month: int) -> EntryRef | None:
        """The unit's entry of the item and month: the entries of every item of the pair lists'
        rows read so far are read together (all twelve months: the year at a glance shows
        them), once."""
        if item_id not in self._entries_read:
            unread = self._wanted_entries - self._entries_read | {item_id}
            entries = MonthlyEntry.objects.filter(item_id__in=unread, unit=self.unit)
            self._unit_entries.update({(e.item_id, e.month): e for e in _entry_refs(entries)})
            self._entries_read |= unread
        return self._unit_entries.get((item_id, month))

    # --- building the rows shown --------------------------------------------------------------

    def _entry_query(self, **filters: object) -> QuerySet[Any]:
        """The unit's entries of its items in use matching `filters`, in plan and month order."""
        return MonthlyEntry.objects.filter(
            item__method__strategy__dimension__year=self.ctx.year,
            unit=self.unit,
            item__host_units=self.unit,
            **_live("item__"),
            **filters,
        ).order_by(*PLAN_ORDER[:4], "month")

    def _entry_rows(self, query: QuerySet[Any]) -> Rows[Slot]:
        def keys_read(rows: list[dict[str, Any]]) -> None:
            self._plan.want(row["item_id"] for row in rows)

        return Rows(
            query.values(*ENTRY_REF_FIELDS),
            lambda rows: self._entry_slots(entry_ref(row) for row in rows),
            keys_read=keys_read,
        )

    def _first_entries(self, query: QuerySet[Any]) -> EntryList:
        """The first LISTED entries and, in the same query, how many there are (a window)."""
        rows = list(
            query.annotate(total=Window(Count("pk"))).values(*ENTRY_REF_FIELDS, "total")[:LISTED]
        )
        self._plan.want(row["item_id"] for row in rows)
        return EntryList([entry_ref(row) for row in rows], rows[0]["total"] if rows else 0)

    def _shown(self, entries: EntryList) -> Built[Slot]:
        return Built(lambda: self._entry_slots(entries.entries))

    def _entry_slots(self, entries: Iterable[EntryRef]) -> list[Slot]:
        return [self._slot(self._plan_item(e.item_id), e.month, e) for e in entries]

    def _slot(self, item: PlanItem, month: int, entry: EntryRef | None) -> Slot:
        year = self.ctx.year
        return Slot(
            item=item,
            unit=self.unit,
            month=month,
            state=_state(self.ctx, month, entry),
            due=deadlines.due_on(year.roc_year, month, year.deadline_day),
            entry=entry,
        )

    def _groups(
        self, rows: list[tuple[int, int]], months: list[int], states: set[str] | frozenset[str]
    ) -> list[SlotGroup]:
        groups = []
        for item_id, _unit in rows:
            item = self._plan_item(item_id)
            slots = [self._slot(item, m, self._entry(item_id, m)) for m in months]
            groups.append(
                SlotGroup(item=item, unit=self.unit, slots=[s for s in slots if s.state in states])
            )
        return groups

    def _glance(self, rows: list[tuple[int, int]]) -> list[GlanceRow]:
        return [
            GlanceRow(
                item=self._plan_item(item_id),
                unit=self.unit,
                cells=[
                    self._slot(self._plan_item(item_id), m, self._entry(item_id, m)) for m in MONTHS
                ],
            )
            for item_id, _unit in rows
        ]


class HeadDashboard(StaffDashboard):
    """The staff view plus what waits for the head's approval and the unit's completeness."""

    def __init__(self, ctx: YearContext, unit: Unit, *, reviewer: Membership | None = None) -> None:
        super().__init__(ctx, unit)
        self.reviewer = reviewer

    def _awaiting_query(self) -> QuerySet[Any]:
        """Submitted entries the reviewer may approve (access.can_review_entry, narrowed in
        SQL by access.submitted_by; the rows shown are asked of the rule itself)."""
        query = self._entry_query(status=Status.SUBMITTED)
        if self.reviewer is not None:
            query = query.exclude(access.submitted_by(self.reviewer))
        return query

    @cached_property
    def awaiting_rows(self) -> Rows[Slot]:
        return self._entry_rows(self._awaiting_query())

    @cached_property
    def _awaiting_list(self) -> EntryList:
        return self._first_entries(self._awaiting_query())

    def _lists_always_shown(self) -> list[EntryList]:
        return [*super()._lists_always_shown(), self._awaiting_list]

    def _reviewable(self, slots: Iterable[Slot]) -> list[Slot]:
        """The rows shown, asked of the policy itself (the SQL above only narrows them)."""
        if self.reviewer is None:
            return list(slots)
        return [
            s
            for s in slots
            if s.entry is not None
            and access.can_review_entry(self.reviewer, replace(s.entry, unit=s.unit))
        ]

    @property
    def awaiting_approval(self) -> list[Slot]:
        return self._reviewable(self.awaiting_rows)

    @cached_property
    def awaiting_shown(self) -> Built[Slot]:
        return Built(lambda: self._reviewable(self._shown(self._awaiting_list)))

    @cached_property
    def awaiting_count(self) -> int:
        """How many wait for the reviewer: the SQL's count, unless the rule turned down some of
        the rows shown (then those the rule allows, of the rows read)."""
        waiting = self._awaiting_list
        if len(self.awaiting_shown) == len(waiting.entries):
            return waiting.total
        return len(self.awaiting_shown) + max(waiting.total - len(waiting.entries), 0)

    @property
    def by_month(self) -> list[Ratio]:
        done, pairs = self._counts
        scope = self.ctx.months_in_scope
        return [Ratio(done.get(m, 0), pairs) if m in scope else Ratio(0, 0) for m in MONTHS]

    @property
    def by_month_total(self) -> Ratio:
        cells = self.by_month
        return Ratio(sum(c.done for c in cells), sum(c.expected for c in cells))


__all__ = ["Built", "HeadDashboard", "Rows", "StaffDashboard", "per_month"]
