"""The entry form runs a fixed number of queries, however many items, months and versions."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from strategies.models import Indicator
from strategies.services import entries as services
from tests import factories
from tests.conftest import login

# 1 session, 2 user, 3 item (+ plan path, year, organization), 4 its host units (the unit is
# one of them), 5 its indicators, 6 membership with its organization and unit (the header),
# 7 the item's entries, 8 their values, 9 this month's evidence, 10 its comments, 11 month
# locks, 12-13 its number path (its dimension's strategies, its strategy's items), 14 entry
# history and 15 value history (what changed since the last submission), 16 unread notices
# (the nav badge). No session write (at most once a minute: perfreport/session_refresh.py).
# (22 before: the session save 3, the unit, the header's organization and unit.)
ENTRY_FORM_QUERIES = 16


def fill(item, unit, staff, head, months):
    indicators = list(item.indicators.all())
    entry = None
    for month in months:
        values = {ind.pk: month for ind in indicators}
        entry = services.save_entry(
            user=staff,
            item=item,
            unit=unit,
            month=month,
            version=0,
            narrative=f"{month} 月",
            values=values,
            submit=True,
        )
    # The last month was returned once and resubmitted: the head sees what changed.
    entry = services.return_entry(user=head, entry=entry, version=entry.version, reason="補充")
    services.save_entry(
        user=staff,
        item=item,
        unit=unit,
        month=entry.month,
        version=entry.version,
        narrative="補充後",
        values={ind.pk: 1 for ind in indicators},
        submit=True,
    )


def page_queries(client, item, unit, month):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("strategies:entry-edit", args=[item.pk, unit.pk, month]))
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


@pytest.mark.parametrize("actor", ["head_a", "staff_a", "auditor"])
def test_entry_form_query_count_is_fixed(
    client,
    year,
    item,
    unit_a,
    unit_b,
    staff_a,
    head_a,
    request,
    actor,
    django_assert_max_num_queries,
):
    fill(item, unit_a, staff_a, head_a, [1, 2])
    login(client, request.getfixturevalue(actor))
    with django_assert_max_num_queries(ENTRY_FORM_QUERIES):
        client.get(reverse("strategies:entry-edit", args=[item.pk, unit_a.pk, 2]))
    few, _ = page_queries(client, item, unit_a, 2)

    # 10x: more items in the year, more indicators, months, host units and versions.
    for n in range(10):
        factories.make_item(year, hosts=[unit_a], dimension=n % 5 + 1)
    for order in range(2, 11):
        Indicator.objects.create(item=item, order=order, name=f"指標{order}", measure="件")
    item.host_units.add(unit_b)
    fill(item, unit_a, staff_a, head_a, range(3, 13))
    with django_assert_max_num_queries(ENTRY_FORM_QUERIES):
        client.get(reverse("strategies:entry-edit", args=[item.pk, unit_a.pk, 12]))
    many, page = page_queries(client, item, unit_a, 12)
    assert many == few, (few, many)
    assert "指標10" in page
