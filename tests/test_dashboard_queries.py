"""Each dashboard loads in a fixed number of queries, whatever the size of the year."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from strategies.deadlines import TAIPEI
from strategies.models import IndicatorValue, MonthlyEntry
from tests import factories
from tests.conftest import login

Status = MonthlyEntry.Status

# Per request, whatever the year's size:
#   session, user, membership (with its organization and unit), the years the
#   member sees                                                                    = 4
#   unread notices (the nav badge)                                                 = 1
#   no session write: at most once a minute (perfreport/session_refresh.py), and
#   signing in counted as that write (before: savepoint, update, release 3)        = 0
# staff and head, each list a page at a time (strategies.selectors.unit_board), what the
# rows shown need read once for all the lists:
#   stored counts (fresh, done, pairs) 3; due soonest and
#   overdue: each its count (stored done months) and its page of pairs 4; the year at a
#   glance: its page 1 (count stored); returned: the first rows with their count 1; then
#   for all of them: plan items (items, host units, indicators, number paths 3) 6 and the
#   unit's entries of those items 1                                                = 21
# head: + waiting for approval: the first rows with their count 1                    = 22
# admin, from the stored counts: + units (with their heads), counts (fresh, done
#   entries per unit and month, pairs per unit) 3, overdue pairs: count (stored months)
#   and page 2, their entries 1; the entries waiting for the admin as deputy 1; the plan
#   items of both lists once 6                                                      = 19
# auditor, from the stored counts: + units, counts (fresh, done, pairs) 3,
#   dimensions, the indicators short of target decided in SQL on the stored approved sums
#   (fresh, the first short ones with their count) 2, the shown ones, their plan items 6,
#   and the score sheet (year, dimensions, scores; earlier years: 1 when there are none) = 23
PINNED = {"staff_a": 21, "head_a": 22, "admin_user": 19, "auditor": 23}


def build(year, units, n):
    """n items with entries for January and February, with an indicator value each."""
    for i in range(n):
        item = factories.make_item(year, hosts=units, dimension=1 + i % 5)
        indicator = item.indicators.get()
        for month, status in ((1, Status.APPROVED), (2, Status.SUBMITTED)):
            for unit in units:
                e = MonthlyEntry.objects.create(item=item, unit=unit, month=month, status=status)
                IndicatorValue.objects.create(entry=e, indicator=indicator, value=Decimal(1))


def count(client, user):
    login(client, user)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/")
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
@pytest.mark.parametrize("who", list(PINNED))
def test_dashboard_queries_do_not_grow(
    who, request, client, year, unit_a, unit_b, django_assert_max_num_queries
):
    user = request.getfixturevalue(who)
    # 2024-04-20: March is overdue and some indicators short, so the lists are on the page.
    with time_machine.travel(dt.datetime(2024, 4, 20, 10, tzinfo=TAIPEI), tick=False):
        build(year, [unit_a, unit_b], 2)
        small = count(client, user)
        build(year, [unit_a, unit_b], 18)  # 10x
        large = count(client, user)
        login(client, user)
        with django_assert_max_num_queries(PINNED[who]):
            client.get("/")
    assert small == large, f"{who}: {small} queries for 2 items, {large} for 20"
