"""A month opens on its 1st, is due on the year's deadline day of the next month, overdue after."""

import datetime as dt

import pytest

from strategies import deadlines


def test_month_opens_on_its_first_day():
    assert deadlines.opens_on(113, 1) == dt.date(2024, 1, 1)
    assert not deadlines.is_open(113, 2, dt.date(2024, 1, 31))
    assert deadlines.is_open(113, 2, dt.date(2024, 2, 1))


def test_due_on_the_deadline_day_of_the_following_month():
    assert deadlines.due_on(113, 1) == dt.date(2024, 2, 10)
    assert deadlines.due_on(113, 1, 5) == dt.date(2024, 2, 5)


def test_december_is_due_in_january_of_the_next_year():
    assert deadlines.due_on(113, 12) == dt.date(2025, 1, 10)


def test_overdue_only_after_the_due_day():
    assert not deadlines.is_overdue(113, 1, 10, dt.date(2024, 2, 10))
    assert deadlines.is_overdue(113, 1, 10, dt.date(2024, 2, 11))


@pytest.mark.parametrize("month", [0, 13, -1])
def test_month_outside_1_to_12_is_refused(month):
    with pytest.raises(ValueError, match="1 到 12"):
        deadlines.opens_on(113, month)


def test_today_is_taipei_date_not_utc():
    # 2024-01-31 17:00 UTC is already 1 February in Taipei.
    now = dt.datetime(2024, 1, 31, 17, 0, tzinfo=dt.UTC)
    assert deadlines.today_in_taipei(now) == dt.date(2024, 2, 1)


def test_open_months_on_a_day():
    assert deadlines.open_months(113, dt.date(2024, 3, 5)) == [1, 2, 3]
