"""The stored dashboard counts stay what a recount from scratch gives, after every kind of write:
entry transitions through the services, entries written by hand, host units changed from
either side, items and methods retired or moved, entries deleted, and bulk writes (which mark
the year stale, so the next reader recounts). The approved sums of indicators
(IndicatorTally) are compared after each write too, and against indicator_totals.total_for."""

import datetime as dt

import pytest
import time_machine

from benchmarks import synthetic
from strategies import tallies
from strategies.deadlines import TAIPEI
from strategies.indicator_totals import total_for
from strategies.models import (
    DoneTally,
    Indicator,
    IndicatorTally,
    IndicatorValue,
    Method,
    MonthlyEntry,
    PairMonthsTally,
    PairTally,
    TallyState,
)
from strategies.month_state import OVERDUE
from strategies.selectors import dashboard
from strategies.selectors.entries import months_whose_empty_state_is, pairs_in_state
from strategies.services import entries as services
from tests import factories

Status = MonthlyEntry.Status
pytestmark = pytest.mark.django_db
APRIL = dt.datetime(2024, 4, 20, 10, tzinfo=TAIPEI)  # 113: January to April open


@pytest.fixture(autouse=True)
def _april():
    with time_machine.travel(APRIL, tick=False):
        yield


def stored(year):
    done = {
        (t.dimension_number, t.unit_id, t.month): t.done
        for t in DoneTally.objects.filter(year=year)
        if t.done
    }
    pairs = {
        (t.dimension_number, t.unit_id): t.pairs
        for t in PairTally.objects.filter(year=year)
        if t.pairs
    }
    return done, pairs


def stored_months(year):
    return {
        (t.item_id, t.unit_id): t.done_months
        for t in PairMonthsTally.objects.filter(year=year)
        if t.done_months
    }


def stored_sums(year):
    return {
        (t.indicator_id, t.unit_id): (t.months, t.total, t.latest)
        for t in IndicatorTally.objects.filter(
            indicator__item__method__strategy__dimension__year=year
        )
        if t.months
    }


def compiled_actuals(year):
    """Each indicator's figure by indicator_totals.total_for over its approved entries."""
    approved = list(
        MonthlyEntry.objects.filter(
            item__method__strategy__dimension__year=year, status=Status.APPROVED
        ).prefetch_related("values")
    )
    result = {}
    for indicator in Indicator.objects.filter(item__method__strategy__dimension__year=year):
        actual = total_for(indicator, approved).actual
        if actual is not None:
            result[indicator.pk] = actual
    return result


def assert_counts_hold(year):
    """The stored counts are fresh and equal to a recount from scratch; the stored approved sums
    too, and the figures read from them are total_for's."""
    assert TallyState.objects.filter(year=year).exists(), "counts left stale"
    kept, kept_sums, kept_months = stored(year), stored_sums(year), stored_months(year)
    assert tallies.indicator_actuals(year) == compiled_actuals(year)
    tallies.recount(year)
    assert kept == stored(year)
    assert kept_sums == stored_sums(year)
    assert kept_months == stored_months(year)
    return kept


def test_a_new_year_starts_counted_and_items_with_hosts_count_as_pairs(year, unit_a, unit_b):
    factories.make_item(year, hosts=[unit_a, unit_b], dimension=2)
    done, pairs = assert_counts_hold(year)
    assert done == {}
    assert pairs == {(2, unit_a.pk): 1, (2, unit_b.pk): 1}


def test_every_entry_transition_through_the_services(
    item, unit_a, staff_a, head_a, admin_user, year
):
    indicator = item.indicators.get()
    entry = services.save_entry(
        user=staff_a, item=item, unit=unit_a, month=3, version=0, narrative="草稿", values={}
    )
    assert assert_counts_hold(year)[0] == {}
    entry = services.save_entry(
        user=staff_a,
        item=item,
        unit=unit_a,
        month=3,
        version=entry.version,
        narrative="三月辦理",
        values={indicator.pk: "1"},
        submit=True,
    )
    assert assert_counts_hold(year)[0] == {(1, unit_a.pk, 3): 1}
    entry = services.return_entry(user=head_a, entry=entry, version=entry.version, reason="補")
    assert assert_counts_hold(year)[0] == {}
    entry = services.save_entry(
        user=staff_a,
        item=item,
        unit=unit_a,
        month=3,
        version=entry.version,
        narrative="三月辦理，已補",
        values={indicator.pk: "1"},
        submit=True,
    )
    entry = services.approve_entry(user=head_a, entry=entry, version=entry.version)
    assert assert_counts_hold(year)[0] == {(1, unit_a.pk, 3): 1}
    services.reopen_entry(user=admin_user, entry=entry, version=entry.version, reason="更正")
    assert assert_counts_hold(year)[0] == {}


def test_entries_written_changed_and_deleted_by_hand(item, unit_a, unit_b, year):
    first = MonthlyEntry.objects.create(item=item, unit=unit_a, month=1, status=Status.APPROVED)
    MonthlyEntry.objects.create(item=item, unit=unit_a, month=2, status=Status.SUBMITTED)
    MonthlyEntry.objects.create(
        item=item, unit=unit_b, month=1, status=Status.APPROVED
    )  # not a host
    assert assert_counts_hold(year)[0] == {(1, unit_a.pk, 1): 1, (1, unit_a.pk, 2): 1}
    first.month = 4
    first.save()
    assert assert_counts_hold(year)[0] == {(1, unit_a.pk, 4): 1, (1, unit_a.pk, 2): 1}
    MonthlyEntry.objects.get(pk=first.pk).delete()
    MonthlyEntry.objects.filter(month=2).delete()
    assert assert_counts_hold(year)[0] == {}


def test_host_units_changed_from_either_side(item, unit_a, unit_b, year):
    MonthlyEntry.objects.create(item=item, unit=unit_b, month=1, status=Status.APPROVED)
    item.host_units.add(unit_b)
    assert assert_counts_hold(year) == (
        {(1, unit_b.pk, 1): 1},
        {(1, unit_a.pk): 1, (1, unit_b.pk): 1},
    )
    unit_b.hosted_items.remove(item)
    assert assert_counts_hold(year) == ({}, {(1, unit_a.pk): 1})
    unit_b.hosted_items.add(item)
    item.host_units.set([unit_b])
    assert assert_counts_hold(year) == ({(1, unit_b.pk, 1): 1}, {(1, unit_b.pk): 1})


def test_retiring_or_moving_marks_stale_and_the_reader_recounts(item, unit_a, year):
    MonthlyEntry.objects.create(item=item, unit=unit_a, month=1, status=Status.SUBMITTED)
    item.is_retired = True
    item.save()
    assert not TallyState.objects.filter(year=year).exists()
    board = dashboard.admin_dashboard(year)
    assert board.by_unit == []
    assert assert_counts_hold(year) == ({}, {})

    item.is_retired = False
    item.save()
    method = Method.objects.get(pk=item.method_id)
    method.is_retired = True
    method.save()
    assert not TallyState.objects.filter(year=year).exists()
    tallies.fresh(year)
    assert assert_counts_hold(year) == ({}, {})

    method.is_retired = False
    method.save()
    elsewhere = factories.make_item(year, hosts=[], dimension=3)
    item.method_id, item.order = elsewhere.method_id, 2
    item.save()
    tallies.fresh(year)
    assert assert_counts_hold(year) == ({(3, unit_a.pk, 1): 1}, {(3, unit_a.pk): 1})


def test_bulk_writes_mark_the_year_stale(org, year, unit_a):
    factories.make_item(year, hosts=[unit_a])
    tallies.fresh(year)
    synthetic.fill_entries(year, months=(1, 2))
    assert not TallyState.objects.filter(year=year).exists()
    board = dashboard.auditor_dashboard(year)
    assert board.by_dimension[0].total.done == 2
    assert_counts_hold(year)


def test_the_dashboards_read_what_a_recount_gives(year, unit_a, unit_b):
    for n in range(3):
        item = factories.make_item(year, hosts=[unit_a, unit_b], dimension=1 + n)
        MonthlyEntry.objects.create(item=item, unit=unit_a, month=1, status=Status.APPROVED)
        MonthlyEntry.objects.create(item=item, unit=unit_b, month=2, status=Status.SUBMITTED)
    before = dashboard.admin_dashboard(year)
    TallyState.objects.filter(year=year).delete()
    DoneTally.objects.filter(year=year).update(done=99)  # wrong, but stale: recounted
    after = dashboard.admin_dashboard(year)
    assert before.by_unit == after.by_unit
    assert before.overdue_count == after.overdue_count == 3 * 2 * 3 - 3 - 3


def test_approved_sums_follow_values_and_transitions(item, unit_a, unit_b, staff_a, head_a, year):
    """Values written on approved entries, entries approved, reopened, moved and deleted: the
    stored sums stay what a recount gives, and the figures what total_for compiles."""
    indicator = item.indicators.get()
    running = Indicator.objects.create(
        item=item, order=2, name="累計人數", measure="人", target=50, aggregation="latest"
    )
    item.host_units.add(unit_b)
    entries = {}
    for unit, month, status in (
        (unit_a, 1, Status.APPROVED),
        (unit_a, 2, Status.APPROVED),
        (unit_b, 1, Status.SUBMITTED),
        (unit_b, 3, Status.APPROVED),
    ):
        entry = MonthlyEntry.objects.create(item=item, unit=unit, month=month, status=status)
        IndicatorValue.objects.create(entry=entry, indicator=indicator, value=month * 10)
        IndicatorValue.objects.create(entry=entry, indicator=running, value=month * 7)
        entries[(unit.pk, month)] = entry
    assert_counts_hold(year)
    assert tallies.indicator_actuals(year) == {indicator.pk: 10 + 20 + 30, running.pk: 14 + 21}

    value = IndicatorValue.objects.get(entry=entries[(unit_a.pk, 2)], indicator=running)
    value.value = 5  # the latest month's value, lower than January's: still the latest
    value.save()
    assert_counts_hold(year)
    assert tallies.indicator_actuals(year)[running.pk] == 5 + 21

    entry = entries[(unit_b.pk, 1)]
    entry.status = Status.APPROVED
    entry.save()
    assert_counts_hold(year)
    assert tallies.indicator_actuals(year)[indicator.pk] == 70

    entry = entries[(unit_a.pk, 2)]
    entry.status = Status.DRAFT
    entry.save()
    assert_counts_hold(year)
    assert tallies.indicator_actuals(year) == {indicator.pk: 50, running.pk: 7 + 21}

    entry = MonthlyEntry.objects.get(pk=entries[(unit_b.pk, 3)].pk)
    entry.month = 4
    entry.save()
    IndicatorValue.objects.filter(entry=entries[(unit_a.pk, 1)], indicator=running).get().delete()
    assert_counts_hold(year)
    assert tallies.indicator_actuals(year) == {indicator.pk: 50, running.pk: 21}

    MonthlyEntry.objects.get(pk=entries[(unit_b.pk, 1)].pk).delete()
    MonthlyEntry.objects.filter(pk=entries[(unit_b.pk, 3)].pk).delete()
    assert_counts_hold(year)
    assert tallies.indicator_actuals(year) == {indicator.pk: 10}


def test_approved_sums_through_the_services(item, unit_a, staff_a, head_a, admin_user, year):
    indicator = item.indicators.get()
    entry = services.save_entry(
        user=staff_a,
        item=item,
        unit=unit_a,
        month=3,
        version=0,
        narrative="三月辦理",
        values={indicator.pk: "4"},
        submit=True,
    )
    assert tallies.indicator_actuals(year) == {}
    entry = services.approve_entry(user=head_a, entry=entry, version=entry.version)
    assert_counts_hold(year)
    assert tallies.indicator_actuals(year) == {indicator.pk: 4}
    services.reopen_entry(user=admin_user, entry=entry, version=entry.version, reason="更正")
    assert_counts_hold(year)
    assert tallies.indicator_actuals(year) == {}


def test_bulk_written_values_are_recounted_on_read(org, year, unit_a):
    item = factories.make_item(year, hosts=[unit_a])
    tallies.fresh(year)
    synthetic.fill_entries(year, months=(1, 2))
    MonthlyEntry.objects.filter(item=item).update(status=Status.APPROVED)
    tallies.fresh(year)
    assert_counts_hold(year)
    assert tallies.indicator_actuals(year) == compiled_actuals(year) != {}


def test_overdue_pairs_counted_from_the_stored_months_as_in_sql(year, unit_a, unit_b, monkeypatch):
    """In April, January to March are overdue: a pair is overdue unless all three are done."""
    monkeypatch.setattr(dashboard, "OVERDUE_GROUPS_SHOWN", 2)  # the count is then asked
    items = [factories.make_item(year, hosts=[unit_a, unit_b]) for _ in range(4)]
    done_months = {
        (items[0], unit_a): (1, 2, 3),  # done through March
        (items[0], unit_b): (1, 3),
        (items[1], unit_a): (1, 2, 3, 4),
        (items[2], unit_b): (2, 3),
    }
    for (item, unit), months in done_months.items():
        for month in months:
            MonthlyEntry.objects.create(item=item, unit=unit, month=month, status=Status.APPROVED)
    MonthlyEntry.objects.create(item=items[3], unit=unit_a, month=1, status=Status.DRAFT)
    assert months_whose_empty_state_is(year, OVERDUE, dt.date(2024, 4, 20)) == [1, 2, 3]
    board = dashboard.admin_dashboard(year)
    in_sql = pairs_in_state(dashboard._host_pairs(year), year, OVERDUE, today=board.ctx.today)
    assert board.overdue_pairs == in_sql.count() == 8 - 2
    assert_counts_hold(year)

    # A month moves out of done, a host is removed: the stored months follow.
    entry = MonthlyEntry.objects.get(item=items[1], unit=unit_a, month=2)
    entry.status = Status.RETURNED
    entry.save()
    items[0].host_units.remove(unit_a)
    assert_counts_hold(year)
    board = dashboard.admin_dashboard(year)
    in_sql = pairs_in_state(dashboard._host_pairs(year), year, OVERDUE, today=board.ctx.today)
    assert board.overdue_pairs == in_sql.count() == 7
