"""Many people submit, approve and return entries of the same unit and month at the same moment:
the stored counts lose no increment. Real threads and transactions on PostgreSQL."""

import threading

import pytest
from django.db import connection, connections, transaction

from strategies import tallies
from strategies.models import DoneTally, MonthlyEntry
from tests import factories

Status = MonthlyEntry.Status
pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]
WRITERS = 8


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent transactions need PostgreSQL")


def together(calls):
    """Run each call in its own thread, connection and transaction, all released at once."""
    barrier = threading.Barrier(len(calls))
    errors: list[BaseException] = []

    def run(call):
        try:
            barrier.wait()
            with transaction.atomic():
                call()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []


def done(year, unit, month):
    row = DoneTally.objects.filter(year=year, unit=unit, month=month).first()
    return row.done if row else 0


def test_concurrent_submissions_and_reviews_lose_no_increment(year, unit_a):
    items = [factories.make_item(year, hosts=[unit_a]) for _ in range(WRITERS)]
    together(
        [
            lambda item=item: MonthlyEntry.objects.create(
                item=item, unit=unit_a, month=1, status=Status.SUBMITTED
            )
            for item in items
        ]
    )
    assert done(year, unit_a, 1) == WRITERS

    entries = list(MonthlyEntry.objects.filter(unit=unit_a, month=1).order_by("pk"))

    def review(entry, status):
        row = MonthlyEntry.objects.select_for_update().get(pk=entry.pk)
        row.status = status
        row.save()

    # Half returned (leave the count), half approved (stay in it), at once.
    together(
        [
            lambda e=e, n=n: review(e, Status.RETURNED if n % 2 else Status.APPROVED)
            for n, e in enumerate(entries)
        ]
    )
    assert done(year, unit_a, 1) == WRITERS // 2
    kept = done(year, unit_a, 1)
    tallies.recount(year)
    assert done(year, unit_a, 1) == kept
