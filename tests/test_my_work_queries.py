"""My work runs a fixed number of queries, however many items the unit hosts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from strategies.models import MonthlyEntry
from tests import factories
from tests.conftest import login

# 1 session, 2 user, 3 membership with its organization and unit (the header), 4 current year,
# 5 dimensions (filter choices), 6 every (item, unit) row's ids (paged in Python: no count
# query), 7 the page's items, 8 host units, 9-11 number paths (the items, their dimensions'
# strategies, their strategies' items), 12 entries, 13 month locks, 14 unread notices (the nav
# badge). The session is written at most once a minute (perfreport/session_refresh.py), and
# signing in counted as that write. (20 before: the session save 3, a count, the header's
# organization and unit.)
MY_WORK_QUERIES = 14


def build(year, unit, other_unit, count):
    items = []
    for n in range(count):
        item = factories.make_item(year, hosts=[unit, other_unit], dimension=n % 5 + 1)
        for month in (1, 2, 3):
            MonthlyEntry.objects.create(item=item, unit=unit, month=month, narrative="x")
        items.append(item)
    return items


def count_queries(client):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("strategies:my-work"))
    assert response.status_code == 200
    return len(ctx.captured_queries), response


@pytest.mark.parametrize("actor", ["staff_a", "auditor"])
def test_query_count_does_not_grow_with_items(
    client, year, unit_a, unit_b, request, actor, django_assert_max_num_queries
):
    login(client, request.getfixturevalue(actor))
    build(year, unit_a, unit_b, 5)
    with django_assert_max_num_queries(MY_WORK_QUERIES):
        client.get(reverse("strategies:my-work"))
    few, _ = count_queries(client)

    build(year, unit_a, unit_b, 45)  # 10x the first set
    with django_assert_max_num_queries(MY_WORK_QUERIES):
        response = client.get(reverse("strategies:my-work"))
    many, _ = count_queries(client)
    assert many == few
    page = response.content.decode()
    assert page.count('class="strip"') == 50  # one page
    assert "共 50 項" in page or "共 100 項" in page


def test_seed_ten_times_over(client, seed, django_assert_max_num_queries):
    """The seed's 47 items and 10x as many in a second year cost the same queries."""
    from strategies.models import Item, Year

    year = Year.objects.get(roc_year=112)
    Year.objects.filter(pk=year.pk).update(status=Year.Status.OPEN)
    staff = factories.User.objects.get(username="metrology-staff")
    login(client, staff)
    seed_count, _ = count_queries(client)

    big = factories.make_year(year.organization, 113)
    metrology = staff.membership.unit
    for n in range(470):
        factories.make_item(big, hosts=[metrology], dimension=n % 5 + 1)
    assert Item.objects.filter(method__strategy__dimension__year=big).count() >= 470
    with django_assert_max_num_queries(MY_WORK_QUERIES):
        response = client.get(reverse("strategies:my-work"))
    big_count, _ = count_queries(client)
    assert big_count == seed_count
    page = response.content.decode()
    assert "共 470 項" in page
    assert page.count('class="strip"') == 50
    assert "第 1 頁，共 10 頁" in page
