"""The state of one month of one (item, unit): the one rule My work, the entry form, the
dashboards and the reminders all ask.

- submitted or approved: the entry's status, whatever the date;
- before the month's first day, or while the year is still being planned: "not-open" (or the
  entry's status if one was written anyway);
- after the deadline (strategies.deadlines), in an OPEN year only: "overdue" — a closed or
  locked year cannot be written any more, so nothing in it is chased;
- otherwise the entry's status, or "empty" when nothing is written yet.

`month_state` is the rule in Python; `month_state_sql` is the same rule as a database
expression over MonthlyEntry rows, for pages that count states without loading entries.
tests/test_month_state.py checks that the two agree.

>>> import datetime as dt
>>> month_state(status="draft", roc_year=113, month=1, deadline_day=10,
...             year_status="closed", today=dt.date(2025, 1, 1))
'draft'
>>> month_state(status="draft", roc_year=113, month=1, deadline_day=10,
...             year_status="open", today=dt.date(2025, 1, 1))
'overdue'
"""

import datetime as dt

from django.db.models import Case, CharField, F, Q, Value, When

from strategies import deadlines

NOT_OPEN, EMPTY, OVERDUE = "not-open", "empty", "overdue"
SUBMITTED, APPROVED = "submitted", "approved"
DONE = frozenset({SUBMITTED, APPROVED})
# Year statuses (strategies.models.Year.Status), as plain values: this module stays below models.
YEAR_PLANNING, YEAR_OPEN = "planning", "open"


def month_state(
    *,
    status: str | None,
    roc_year: int,
    month: int,
    deadline_day: int,
    year_status: str,
    today: dt.date,
) -> str:
    """The month's state from its entry's status (None: no entry yet). Pure."""
    if status in DONE:
        return status
    if year_status == YEAR_PLANNING or not deadlines.is_open(roc_year, month, today):
        return status or NOT_OPEN
    if year_status == YEAR_OPEN and deadlines.is_overdue(roc_year, month, deadline_day, today):
        return OVERDUE
    return status or EMPTY


def overdue_months(
    *, roc_year: int, deadline_day: int, year_status: str, today: dt.date
) -> list[int]:
    """The months whose entries, if not submitted or approved, are overdue on `today`."""
    if year_status != YEAR_OPEN:
        return []
    return [m for m in range(1, 13) if deadlines.is_overdue(roc_year, m, deadline_day, today)]


def month_state_sql(
    *, roc_year: int, deadline_day: int, year_status: str, today: dt.date, prefix: str = ""
) -> Case:
    """`month_state` of existing entries as a database expression (`prefix`: the lookup path
    from the queried model to MonthlyEntry, e.g. "entries__"). Entries only: a slot without an
    entry is "empty", "not-open" or "overdue" by its month alone (`month_state(status=None)`)."""
    status, month = f"{prefix}status", f"{prefix}month"
    overdue = overdue_months(
        roc_year=roc_year, deadline_day=deadline_day, year_status=year_status, today=today
    )
    return Case(
        When(Q(**{f"{status}__in": sorted(DONE)}), then=F(status)),
        When(Q(**{f"{month}__in": overdue}), then=Value(OVERDUE)),
        default=F(status),
        output_field=CharField(),
    )
