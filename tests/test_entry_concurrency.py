"""Two people save the same entry at the same moment: one wins, the other is told, nothing is
lost. Real threads and transactions on PostgreSQL."""

import threading
import time

import pytest
from django.db import connection, connections

from strategies.errors import StaleVersionError
from strategies.models import IndicatorValue, MonthlyEntry
from strategies.services import entries as services

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent transactions need PostgreSQL")


def race(calls, slow_writes, monkeypatch):
    """Run each call in its own thread and connection, all released at once."""
    if slow_writes:
        # Hold the winner's transaction open after it claimed the version, so the other
        # save certainly arrives while the row is locked.
        original = services._write_values

        def slow(**kwargs):
            time.sleep(0.3)
            return original(**kwargs)

        monkeypatch.setattr(services, "_write_values", slow)
    barrier = threading.Barrier(len(calls))
    outcomes: list[object] = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            outcomes[index] = call()
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test checks
            outcomes[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.parametrize("slow_writes", [True, False])
def test_concurrent_saves_from_the_same_version(
    item, unit_a, staff_a, head_a, monkeypatch, slow_writes
):
    indicator = item.indicators.get()
    entry = services.save_entry(
        user=staff_a,
        item=item,
        unit=unit_a,
        month=1,
        version=0,
        narrative="草稿",
        values={indicator.pk: 1},
    )

    def save(user, text, value):
        return lambda: services.save_entry(
            user=user,
            item=item,
            unit=unit_a,
            month=1,
            version=entry.version,
            narrative=text,
            values={indicator.pk: value},
        )

    outcomes = race(
        [save(staff_a, "承辦人的版本", 3), save(head_a, "科長的版本", 7)], slow_writes, monkeypatch
    )
    winners = [o for o in outcomes if isinstance(o, MonthlyEntry)]
    losers = [o for o in outcomes if isinstance(o, StaleVersionError)]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    saved = MonthlyEntry.objects.get()
    assert saved.version == 2
    assert saved.narrative == winners[0].narrative
    # The loser was shown exactly what the winner saved; nothing of the loser's got in.
    assert winners[0].narrative in losers[0].message
    assert losers[0].current.narrative == saved.narrative
    expected = 3 if saved.narrative == "承辦人的版本" else 7
    assert IndicatorValue.objects.get().value == expected
    assert saved.history.count() == 2


def test_concurrent_first_saves_of_a_new_month(item, unit_a, staff_a, head_a, monkeypatch):
    indicator = item.indicators.get()

    def create(user, text):
        return lambda: services.save_entry(
            user=user,
            item=item,
            unit=unit_a,
            month=2,
            version=0,
            narrative=text,
            values={indicator.pk: 1},
        )

    outcomes = race([create(staff_a, "甲"), create(head_a, "乙")], True, monkeypatch)
    assert sorted(type(o).__name__ for o in outcomes) == ["MonthlyEntry", "StaleVersionError"], (
        outcomes
    )
    saved = MonthlyEntry.objects.get(month=2)
    assert saved.version == 1
    assert IndicatorValue.objects.filter(entry=saved).count() == 1


def test_approve_and_return_race(item, unit_a, staff_a, head_a, monkeypatch):
    """Approve in one tab, return in another: exactly one decision is taken."""
    indicator = item.indicators.get()
    entry = services.save_entry(
        user=staff_a,
        item=item,
        unit=unit_a,
        month=1,
        version=0,
        narrative="送出",
        values={indicator.pk: 1},
        submit=True,
    )
    original = services.check_month_writable

    def slow_check(**kwargs):
        original(**kwargs)
        time.sleep(0.1)

    monkeypatch.setattr(services, "check_month_writable", slow_check)
    outcomes = race(
        [
            lambda: services.approve_entry(user=head_a, entry=entry, version=entry.version),
            lambda: services.return_entry(
                user=head_a, entry=entry, version=entry.version, reason="再確認"
            ),
        ],
        False,
        monkeypatch,
    )
    decided = [o for o in outcomes if isinstance(o, MonthlyEntry)]
    assert len(decided) == 1, outcomes
    assert any(isinstance(o, StaleVersionError) for o in outcomes)
    saved = MonthlyEntry.objects.get()
    assert saved.status == decided[0].status
    assert saved.version == entry.version + 1
