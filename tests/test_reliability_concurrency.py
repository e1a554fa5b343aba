"""No lost updates under real concurrency (PostgreSQL): threads, each with its own connection.

20 threads save the same entry at once from the same version: exactly one wins, the other 19 get
the conflict message, the row holds the winner's data and the history one new version.
20 threads save 20 different entries at once: all succeed.
"""

import threading
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import connection

from strategies.errors import StaleVersionError
from strategies.models import IndicatorValue, MonthlyEntry
from strategies.services import entries as services
from tests import factories

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="real concurrent transactions need PostgreSQL"
    ),
]

THREADS = 20
CONFLICT = "您的修改沒有存入，也沒有覆蓋對方的內容"


@dataclass
class Outcome:
    index: int
    entry: MonthlyEntry | None = None
    error: Exception | None = None


def run_at_once(work: Callable[[int], MonthlyEntry], count: int = THREADS) -> list[Outcome]:
    """Run work(i) in `count` threads released together by a barrier; each closes its
    connection. Bounded: every thread is joined with a timeout."""
    barrier = threading.Barrier(count, timeout=30)
    outcomes = [Outcome(i) for i in range(count)]

    def target(i: int) -> None:
        try:
            barrier.wait()
            outcomes[i].entry = work(i)
        except Exception as exc:  # noqa: BLE001 - recorded and asserted on below
            outcomes[i].error = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,), daemon=True) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a saving thread hung"
    return outcomes


def _save(user, item, unit, *, month: int, version: int, narrative: str, value: int):  # type: ignore[no-untyped-def]
    indicator = item.indicators.get()
    return services.save_entry(
        user=user,
        item=item,
        unit=unit,
        month=month,
        version=version,
        narrative=narrative,
        values={indicator.pk: value},
    )


def test_twenty_saves_of_one_entry_from_one_version_keep_exactly_one(item, unit_a, staff_a):
    entry = _save(staff_a, item, unit_a, month=1, version=0, narrative="初稿", value=1)
    assert entry.version == 1
    history_before = MonthlyEntry.history.filter(id=entry.pk).count()

    outcomes = run_at_once(
        lambda i: _save(
            staff_a, item, unit_a, month=1, version=1, narrative=f"第 {i} 位的版本", value=10 + i
        )
    )

    winners = [o for o in outcomes if o.error is None]
    losers = [o for o in outcomes if o.error is not None]
    assert len(winners) == 1, [repr(o.error) for o in losers]
    assert len(losers) == THREADS - 1
    for loser in losers:
        assert isinstance(loser.error, StaleVersionError), repr(loser.error)
        assert CONFLICT in loser.error.message
        # The message shows what the winner saved.
        assert f"第 {winners[0].index} 位的版本" in loser.error.message

    entry.refresh_from_db()
    won = winners[0].index
    assert entry.narrative == f"第 {won} 位的版本"
    assert entry.version == 2
    assert [v.value for v in IndicatorValue.objects.filter(entry=entry)] == [10 + won]
    assert MonthlyEntry.history.filter(id=entry.pk).count() == history_before + 1
    assert MonthlyEntry.objects.filter(item=item, unit=unit_a, month=1).count() == 1


def test_twenty_first_saves_of_one_new_entry_create_it_once(item, unit_a, staff_a):
    outcomes = run_at_once(
        lambda i: _save(staff_a, item, unit_a, month=2, version=0, narrative=f"新稿 {i}", value=i)
    )

    winners = [o for o in outcomes if o.error is None]
    assert len(winners) == 1, [repr(o.error) for o in outcomes if o.error]
    assert all(isinstance(o.error, StaleVersionError) for o in outcomes if o.error)
    entry = MonthlyEntry.objects.get(item=item, unit=unit_a, month=2)
    assert entry.narrative == f"新稿 {winners[0].index}"
    assert entry.version == 1
    assert MonthlyEntry.history.filter(id=entry.pk).count() == 1
    assert IndicatorValue.objects.filter(entry=entry).count() == 1


def test_twenty_saves_of_twenty_entries_all_succeed(year, unit_a, staff_a):
    items = [factories.make_item(year, hosts=[unit_a]) for _ in range(THREADS)]
    for it in items:
        _save(staff_a, it, unit_a, month=3, version=0, narrative="初稿", value=1)

    outcomes = run_at_once(
        lambda i: _save(
            staff_a, items[i], unit_a, month=3, version=1, narrative=f"項目 {i} 修正", value=i + 2
        )
    )

    assert [repr(o.error) for o in outcomes if o.error] == []
    for i, it in enumerate(items):
        entry = MonthlyEntry.objects.get(item=it, unit=unit_a, month=3)
        assert entry.narrative == f"項目 {i} 修正"
        assert entry.version == 2
        assert IndicatorValue.objects.get(entry=entry).value == i + 2
        assert MonthlyEntry.history.filter(id=entry.pk).count() == 2


def test_twenty_approvals_of_one_submitted_entry_approve_it_once(item, unit_a, staff_a, head_a):
    submitted = services.save_entry(
        user=staff_a,
        item=item,
        unit=unit_a,
        month=4,
        version=0,
        narrative="四月辦理 2 場次",
        values={item.indicators.get().pk: 2},
        submit=True,
    )
    history_before = MonthlyEntry.history.filter(id=submitted.pk).count()

    outcomes = run_at_once(
        lambda i: services.approve_entry(user=head_a, entry=submitted, version=submitted.version)
    )

    assert len([o for o in outcomes if o.error is None]) == 1
    assert all(isinstance(o.error, StaleVersionError) for o in outcomes if o.error)
    submitted.refresh_from_db()
    assert submitted.status == MonthlyEntry.Status.APPROVED
    assert MonthlyEntry.history.filter(id=submitted.pk).count() == history_before + 1
