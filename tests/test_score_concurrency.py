"""A score change racing the sign-off: the year row is locked first, so a change either lands
before the sign-off or is refused; none slips in after it. Real transactions on PostgreSQL."""

import threading
import time

import pytest
from django.db import connection, connections

from scoring import services
from scoring.models import DimensionScore, ScoreSheet
from strategies.errors import DomainError
from strategies.models import Year

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

SEED = {1: "184", 2: "284", 3: "182", 4: "186", 5: "84"}


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent transactions need PostgreSQL")


def race(calls):
    """Run each (delay, call) in its own thread and connection, released together."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[object] = [None] * len(calls)

    def run(index, delay, call):
        try:
            barrier.wait()
            time.sleep(delay)
            outcomes[index] = call()
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test checks
            outcomes[index] = exc
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=(i, delay, call)) for i, (delay, call) in enumerate(calls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def slow_down(monkeypatch, module, name):
    """Hold the first caller's transaction open for a moment inside `module.name`."""
    original = getattr(module, name)

    def slow(*args, **kwargs):
        time.sleep(0.4)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, slow)


@pytest.mark.parametrize("first", ["sign-off", "change"])
def test_a_change_racing_the_sign_off_never_lands_after_it(
    year, auditor, hq_auditor, monkeypatch, first
):
    services.save_scores(year=year, round="review", scores=SEED, user=auditor)
    if first == "sign-off":
        slow_down(monkeypatch, services, "lock_year")  # the sign-off holds the year row
        delays = (0, 0.15)
    else:
        slow_down(monkeypatch, services, "parse_score")  # the change holds the year row
        delays = (0.15, 0)

    sign_off, change = race(
        [
            (delays[0], lambda: services.sign_off_review(year=year, user=auditor)),
            (
                delays[1],
                lambda: services.save_scores(
                    year=year, round="review", scores={**SEED, 1: "150"}, user=hq_auditor
                ),
            ),
        ]
    )

    year.refresh_from_db()
    sheet = ScoreSheet.objects.get(year=year)
    assert isinstance(sign_off, ScoreSheet), sign_off
    assert year.status == Year.Status.LOCKED
    score = DimensionScore.objects.get(dimension__year=year, dimension__number=1, round="review")
    if first == "sign-off":
        assert isinstance(change, DomainError) and "鎖定" in change.message
        assert score.score == 184
    else:
        assert isinstance(change, services.SavedScores), change
        assert score.score == 150
    # Whatever the order, no score change is recorded after the sign-off.
    latest = DimensionScore.history.filter(dimension__year=year).latest("history_date")
    assert latest.history_date <= sheet.signed_off_at
