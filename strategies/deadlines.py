"""When a month opens for entry, when it is due, and when it is overdue. Pure, no database.

A month opens on its first day and is due on `deadline_day` of the following month (Asia/Taipei);
after that day it is overdue. Dates are the agency's local dates, never UTC.
"""

import datetime as dt
from zoneinfo import ZoneInfo

TAIPEI = ZoneInfo("Asia/Taipei")
ROC_OFFSET = 1911


def check_month(month: int) -> int:
    """The month as given, or ValueError with a readable message."""
    if not isinstance(month, int) or not 1 <= month <= 12:
        raise ValueError(f"月份必須是 1 到 12，收到「{month}」")
    return month


def today_in_taipei(now: dt.datetime | None = None) -> dt.date:
    """Today's date in Taipei (an aware `now`, or the current time)."""
    now = now or dt.datetime.now(tz=TAIPEI)
    return now.astimezone(TAIPEI).date()


def opens_on(roc_year: int, month: int) -> dt.date:
    """The first day of the month: entry opens then."""
    return dt.date(roc_year + ROC_OFFSET, check_month(month), 1)


def due_on(roc_year: int, month: int, deadline_day: int = 10) -> dt.date:
    """`deadline_day` of the following month (December's is in January of the next year)."""
    check_month(month)
    year = roc_year + ROC_OFFSET
    if month == 12:
        return dt.date(year + 1, 1, deadline_day)
    return dt.date(year, month + 1, deadline_day)


def is_open(roc_year: int, month: int, today: dt.date) -> bool:
    return today >= opens_on(roc_year, month)


def is_overdue(roc_year: int, month: int, deadline_day: int, today: dt.date) -> bool:
    """True the day after the due date."""
    return today > due_on(roc_year, month, deadline_day)


def open_months(roc_year: int, today: dt.date) -> list[int]:
    """The months of the year open for entry on `today`."""
    return [m for m in range(1, 13) if is_open(roc_year, m, today)]


def days_late(due: dt.date, submitted_on: dt.date) -> int:
    """Days past its due date (`due_on`) a month's entry was submitted; 0 when on time.

    >>> days_late(due_on(113, 1), dt.date(2024, 2, 10))
    0
    >>> days_late(due_on(113, 1), dt.date(2024, 2, 13))
    3
    """
    return max(0, (submitted_on - due).days)
