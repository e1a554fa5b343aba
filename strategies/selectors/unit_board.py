"""The staff and head home pages of one unit, read from the database a page at a time.

Every list is a query over the unit's (item, host unit) pairs in use, ordered and cut in SQL
(returned first, due soonest first, then overdue, each grouped per item), and only the rows
shown are turned into slots; counts per month come from the stored counts
(strategies.services.tallies). So the page costs the same whatever the year's size. Month
states are strategies.month_state's, through the dashboard's `_state`.

A list is a `Rows` object: Django's Paginator pages it (`count()` and a slice, two queries), and
iterating it reads the whole list (for callers that want every row, e.g. the tests).
"""

from collections.abc import Callable, Iterator
from dataclasses import replace
from functools import cached_property
from typing import Any, overload

from django.db.models import Case, Exists, IntegerField, OuterRef, QuerySet, Value, When

from strategies import access, deadlines, tallies
from strategies.models import Membership, MonthlyEntry, Unit
from strategies.month_state import DONE, EMPTY, OVERDUE
from strategies.selectors.dashboard import (
    MONTHS,
    EntryRef,
    GlanceRow,
    PlanItem,
    Ratio,
    Slot,
    SlotGroup,
    YearContext,
    _entry_refs,
    _host_pairs,
    _live,
    _plan_items_of,
    _state,
    per_month,
)
from strategies.selectors.entries import PLAN_ORDER, months_whose_empty_state_is, pairs_in_state

Status = MonthlyEntry.Status
# Entries listed in full on the page (returned, waiting for approval); the rest are counted.
LISTED = 50
# States of a due slot: owed, still before its deadline.
DUE_STATES = frozenset({EMPTY, Status.DRAFT, Status.RETURNED})


class Rows[T]:
    """A list read in pages: `query` gives the list's keys in order, `build` turns a slice of
    keys into what the page shows."""

    def __init__(
        self,
        query: QuerySet[Any, Any],
        build: Callable[[list[Any]], list[T]],
        known_count: Callable[[], int | None] = lambda: None,
    ) -> None:
        self.query, self.build, self.known_count = query, build, known_count

    def count(self) -> int:
        """The list's length: from the stored counts where they say it, else one query."""
        known = self.known_count()
        return self.query.count() if known is None else known

    def __len__(self) -> int:
        return self.count()

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> list[T]: ...

    def __getitem__(self, index: int | slice) -> T | list[T]:
        if isinstance(index, int):  # a sequence's item; the paginator reads slices only
            return self[index : index + 1][0]
        return self.build(list(self.query[index]))

    def __iter__(self) -> Iterator[T]:
        return iter(self[:])

    def __eq__(self, other: object) -> bool:  # and so unhashable, as a list is
        return list(self) == other


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

    @cached_property
    def due_groups(self) -> Rows[SlotGroup]:
        """Grouped by item, the item whose first deadline comes soonest first, then plan order."""
        if not self.due_months:
            return Rows(self._pairs().none(), lambda rows: [])
        first = Case(
            *(When(~_done_in(m), then=Value(m)) for m in self.due_months),
            default=Value(None),
            output_field=IntegerField(),
        )
        query = (
            self._pairs()
            .alias(first_due=first)
            .filter(first_due__isnull=False)
            .order_by("first_due", *PLAN_ORDER)
            .values_list("item_id", "unit_id")
        )
        return Rows(
            query,
            lambda rows: self._groups(rows, self.due_months, DUE_STATES),
            # One month due: the pairs owing it are the pairs less those done.
            lambda: self.due_count if len(self.due_months) == 1 else None,
        )

    @cached_property
    def overdue_groups(self) -> Rows[SlotGroup]:
        """Grouped by item, in plan order."""
        query = (
            pairs_in_state(self._pairs(), self.ctx.year, OVERDUE, today=self.ctx.today)
            .order_by(*PLAN_ORDER)
            .values_list("item_id", "unit_id")
        )
        if not self.overdue_months:
            query = query.none()
        return Rows(query, lambda rows: self._groups(rows, self.overdue_months, {OVERDUE}))

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
        return Rows(query, self._glance, lambda: self._counts[1])

    @property
    def glance(self) -> list[GlanceRow]:
        return list(self.glance_rows)

    @cached_property
    def returned_rows(self) -> Rows[Slot]:
        """Entries returned to the unit, in plan order and month order."""
        return self._entry_rows(status=Status.RETURNED)

    @property
    def returned(self) -> list[Slot]:
        return list(self.returned_rows)

    @cached_property
    def returned_shown(self) -> list[Slot]:
        return self.returned_rows[:LISTED]

    @cached_property
    def returned_count(self) -> int:
        return self.returned_rows.count()

    # --- building the rows shown --------------------------------------------------------------

    def _entry_rows(self, **filters: object) -> Rows[Slot]:
        query = (
            MonthlyEntry.objects.filter(
                item__method__strategy__dimension__year=self.ctx.year,
                unit=self.unit,
                item__host_units=self.unit,
                **_live("item__"),
                **filters,
            )
            .order_by(*PLAN_ORDER[:4], "month")
            .values_list("pk", flat=True)
        )
        return Rows(query, self._entry_slots)

    def _entry_slots(self, pks: list[int]) -> list[Slot]:
        if not pks:
            return []
        refs = {e.pk: e for e in _entry_refs(MonthlyEntry.objects.filter(pk__in=pks))}
        plan = _plan_items_of(self.ctx.year, {e.item_id for e in refs.values()})
        return [self._slot(plan[refs[pk].item_id], refs[pk].month, refs[pk]) for pk in pks]

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

    def _entries_of(
        self, rows: list[tuple[int, int]], months: list[int] | tuple[int, ...]
    ) -> dict[tuple[int, int], EntryRef]:
        """{(item, month): entry} of the rows' items for the unit (1 query)."""
        entries = MonthlyEntry.objects.filter(
            item_id__in={item_id for item_id, _unit in rows}, unit=self.unit, month__in=months
        )
        return {(e.item_id, e.month): e for e in _entry_refs(entries)}

    def _groups(
        self, rows: list[tuple[int, int]], months: list[int], states: set[str] | frozenset[str]
    ) -> list[SlotGroup]:
        if not rows:
            return []
        plan = _plan_items_of(self.ctx.year, (item_id for item_id, _unit in rows))
        entries = self._entries_of(rows, months)
        groups = []
        for item_id, _unit in rows:
            slots = [self._slot(plan[item_id], m, entries.get((item_id, m))) for m in months]
            groups.append(
                SlotGroup(
                    item=plan[item_id],
                    unit=self.unit,
                    slots=[s for s in slots if s.state in states],
                )
            )
        return groups

    def _glance(self, rows: list[tuple[int, int]]) -> list[GlanceRow]:
        if not rows:
            return []
        plan = _plan_items_of(self.ctx.year, (item_id for item_id, _unit in rows))
        entries = self._entries_of(rows, MONTHS)
        return [
            GlanceRow(
                item=plan[item_id],
                unit=self.unit,
                cells=[self._slot(plan[item_id], m, entries.get((item_id, m))) for m in MONTHS],
            )
            for item_id, _unit in rows
        ]


class HeadDashboard(StaffDashboard):
    """The staff view plus what waits for the head's approval and the unit's completeness."""

    def __init__(self, ctx: YearContext, unit: Unit, *, reviewer: Membership | None = None) -> None:
        super().__init__(ctx, unit)
        self.reviewer = reviewer

    @cached_property
    def awaiting_rows(self) -> Rows[Slot]:
        """Submitted entries the reviewer may approve (access.can_review_entry, in SQL)."""
        rows = self._entry_rows(status=Status.SUBMITTED)
        if self.reviewer is not None:
            rows.query = rows.query.exclude(access.submitted_by(self.reviewer))
        return rows

    def _reviewable(self, slots: list[Slot]) -> list[Slot]:
        """The rows shown, asked of the policy itself (the SQL above only narrows them)."""
        if self.reviewer is None:
            return slots
        return [
            s
            for s in slots
            if s.entry is not None
            and access.can_review_entry(self.reviewer, replace(s.entry, unit=s.unit))
        ]

    @property
    def awaiting_approval(self) -> list[Slot]:
        return self._reviewable(list(self.awaiting_rows))

    @cached_property
    def awaiting_shown(self) -> list[Slot]:
        return self._reviewable(self.awaiting_rows[:LISTED])

    @cached_property
    def awaiting_count(self) -> int:
        return self.awaiting_rows.count()

    @property
    def by_month(self) -> list[Ratio]:
        done, pairs = self._counts
        scope = self.ctx.months_in_scope
        return [Ratio(done.get(m, 0), pairs) if m in scope else Ratio(0, 0) for m in MONTHS]

    @property
    def by_month_total(self) -> Ratio:
        cells = self.by_month
        return Ratio(sum(c.done for c in cells), sum(c.expected for c in cells))


def _done_in(month: int) -> Exists:
    """The outer (item, unit) pair has a submitted or approved entry for `month`."""
    return Exists(
        MonthlyEntry.objects.filter(
            item_id=OuterRef("item_id"),
            unit_id=OuterRef("unit_id"),
            month=month,
            status__in=sorted(DONE),
        )
    )


__all__ = ["HeadDashboard", "Rows", "StaffDashboard", "per_month"]
