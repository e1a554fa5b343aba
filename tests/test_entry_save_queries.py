"""Saving and submitting an entry run a fixed number of queries, however many months, versions
and host units the item has: the posted form is checked against the item's indicators and the
entry's files, and the whole page is read again only when it is shown again."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from strategies.models import MonthlyEntry
from tests.conftest import login
from tests.test_entry_form_queries import fill

# Measured on SQLite and PostgreSQL with one indicator (was about 46 before the posted form
# stopped reading the whole entry page and the checks stopped looking up the signed-in user
# and each value's entry and indicator, then 32 and 34): session, user, item (with its plan
# path), its host units (the unit is one of them) and its indicators, membership (with its
# organization and unit), the entry's evidence; then in the transaction (a savepoint here) the
# year with its month lock (1), the entry under its row lock; a new entry is inserted in a
# savepoint (a concurrent creation of the same month is told apart by the unique constraint)
# with its history, and has no values to read; an existing one is written in place with its
# history and its values read; the value and its history written. The session is not
# written (at most once a minute: perfreport/session_refresh.py). Submitting (here of the
# draft just saved) adds the unit's heads and their notices, and the dashboards' stored counts
# moved in the same transaction (strategies.tallies): the pair's place, its unit's done count
# for the month, the pair's done months (3; 31 before the counts were stored).
SAVE_QUERIES = 18
SUBMIT_QUERIES = 21


def post(client, item, unit, month, version, action):
    data = {
        "version": version,
        "narrative": f"{month} 月辦理 1 場次",
        "action": action,
        **{f"value_{indicator.pk}": str(month) for indicator in item.indicators.all()},
    }
    url = reverse("strategies:entry-edit", args=[item.pk, unit.pk, month])
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:500]
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_save_and_submit_queries_do_not_grow_with_the_item(
    client, item, unit_a, unit_b, staff_a, head_a
):
    fill(item, unit_a, staff_a, head_a, [1, 2])
    login(client, staff_a)
    few = post(client, item, unit_a, 3, 0, "save"), post(client, item, unit_a, 3, 1, "submit")

    item.host_units.add(unit_b)
    fill(item, unit_a, staff_a, head_a, range(4, 12))
    login(client, staff_a)
    many = post(client, item, unit_a, 12, 0, "save"), post(client, item, unit_a, 12, 1, "submit")

    assert many == few
    assert few[0] <= SAVE_QUERIES and few[1] <= SUBMIT_QUERIES, few
    entry = MonthlyEntry.objects.get(item=item, unit=unit_a, month=12)
    assert (entry.status, entry.version, entry.narrative) == ("submitted", 2, "12 月辦理 1 場次")
    assert [v.value for v in entry.values.all()] == [12]
