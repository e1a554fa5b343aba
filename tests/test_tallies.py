"""The stored dashboard counts stay what a recount from scratch gives, after every kind of write:
entry transitions through the services, entries written by hand, host units changed from
either side, items and methods retired or moved, entries deleted, and bulk writes (which mark
the year stale, so the next reader recounts)."""

import datetime as dt

import pytest
import time_machine

from benchmarks import synthetic
from strategies import tallies
from strategies.deadlines import TAIPEI
from strategies.models import DoneTally, Method, MonthlyEntry, PairTally, TallyState
from strategies.selectors import dashboard
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


def assert_counts_hold(year):
    """The stored counts are fresh and equal to a recount from scratch."""
    assert TallyState.objects.filter(year=year).exists(), "counts left stale"
    kept = stored(year)
    tallies.recount(year)
    assert kept == stored(year)
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
