"""The auditor's and admin's figures, counted in the database, follow the rules of the months:
a running count takes each unit's latest approved value; an entry of a unit that does not host
the item owes nothing and counts for nothing; only the first overdue rows are listed."""

import datetime as dt
from decimal import Decimal

import pytest

from strategies.models import Indicator, IndicatorValue, MonthlyEntry, Year
from strategies.selectors import dashboard
from tests import factories

Status = MonthlyEntry.Status
AFTER_YEAR = dt.date(2025, 3, 1)  # every month of 113 is past its deadline


def approved(item, unit, month, value=None):
    entry = MonthlyEntry.objects.create(item=item, unit=unit, month=month, status=Status.APPROVED)
    if value is not None:
        IndicatorValue.objects.create(entry=entry, indicator=item.indicators.get(), value=value)
    return entry


def test_a_running_count_takes_each_units_latest_approved_value(year, unit_a, unit_b):
    item = factories.make_item(
        year, hosts=[unit_a, unit_b], aggregation=Indicator.Aggregation.LATEST, target=10
    )
    approved(item, unit_a, 1, 2)
    approved(item, unit_a, 3, 5)
    approved(item, unit_b, 2, 1)
    MonthlyEntry.objects.create(item=item, unit=unit_b, month=4, status=Status.SUBMITTED)
    Year.objects.filter(pk=year.pk).update(status=Year.Status.CLOSED)
    year.refresh_from_db()
    board = dashboard.auditor_dashboard(year, today=AFTER_YEAR)
    (short,) = board.short
    assert (short.actual, short.target, short.achievement) == (Decimal(6), Decimal(10), 60)
    assert board.short_count == 1


def test_the_reports_figure_wins_and_a_met_target_is_not_listed(year, unit_a):
    reported = factories.make_item(year, hosts=[unit_a], target=5)
    Indicator.objects.filter(item=reported).update(reported_actual=Decimal(7))
    met = factories.make_item(year, hosts=[unit_a], dimension=2, target=2)
    approved(met, unit_a, 1, 1)
    approved(met, unit_a, 2, 1)
    Year.objects.filter(pk=year.pk).update(status=Year.Status.CLOSED)
    year.refresh_from_db()
    assert dashboard.auditor_dashboard(year, today=AFTER_YEAR).short == []


def test_an_entry_of_a_unit_not_hosting_the_item_counts_for_nothing(year, unit_a, unit_b):
    item = factories.make_item(year, hosts=[unit_a])
    approved(item, unit_a, 1)
    approved(item, unit_b, 1)  # unit B once hosted it
    board = dashboard.admin_dashboard(year, today=AFTER_YEAR)
    assert [(r.label, r.cells[0].done, r.cells[0].expected) for r in board.by_unit] == [
        ("度量衡科", 1, 1)
    ]
    assert board.overdue_count == 11 and board.overdue_units == 1
    auditor = dashboard.auditor_dashboard(year, today=AFTER_YEAR)
    dim1 = auditor.by_dimension[0]
    assert [(c.done, c.expected) for c in dim1.cells] == [(0, 0), (1, 12)]


@pytest.mark.parametrize("items", [3, 60])
def test_the_admin_lists_the_first_fifty_overdue_rows_and_counts_them_all(
    year, unit_a, items, django_assert_max_num_queries
):
    for _ in range(items):
        factories.make_item(year, hosts=[unit_a])
    with django_assert_max_num_queries(14):
        board = dashboard.admin_dashboard(year, today=AFTER_YEAR)
    assert board.overdue_count == 12 * items
    assert board.overdue_pairs == items
    assert len(board.overdue_groups) == min(items, dashboard.OVERDUE_GROUPS_SHOWN)
    assert len(board.overdue) == 12 * min(items, 50)


@pytest.mark.parametrize(("second", "short"), [("0.20", False), ("0.19", True)])
def test_a_figure_meeting_its_target_exactly_is_not_short(year, unit_a, unit_b, second, short):
    """Decided in SQL in hundredths: 0.10 + 0.20 meets 0.30 (in floating point it would not
    compare equal), 0.10 + 0.19 does not."""
    item = factories.make_item(year, hosts=[unit_a, unit_b], target=Decimal("0.30"))
    approved(item, unit_a, 1, Decimal("0.10"))
    approved(item, unit_b, 1, Decimal(second))
    Year.objects.filter(pk=year.pk).update(status=Year.Status.CLOSED)
    year.refresh_from_db()
    board = dashboard.auditor_dashboard(year, today=AFTER_YEAR)
    assert (board.short_count, [s.actual for s in board.short]) == (
        (1, [Decimal("0.10") + Decimal(second)]) if short else (0, [])
    )
