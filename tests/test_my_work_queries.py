"""My work runs a fixed number of queries, however many items the unit hosts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from strategies.models import MonthlyEntry
from tests import factories
from tests.conftest import login

# 1 session, 2 user, 3 membership, 4 current year, 5 items, 6 their host units, 7 number
# paths, 8 entries, 9 month locks, 10 organization and 11 unit (the header), 12 dimensions and
# 13 strategies (filter choices), 14 unread notices (the nav badge), 15-17 the session save
# (savepoint, update, release).
MY_WORK_QUERIES = 17


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
    assert response.content.decode().count('class="strip"') >= 50


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
    assert response.content.decode().count('class="strip"') >= 470
