"""The staff home page leads with what was returned (reason, one click to the entry), then what
is due soonest, then overdue: grouped by item with a count per item and month, a page at a time.
Heads see late submissions flagged with how late they came."""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from strategies.deadlines import TAIPEI
from strategies.models import MonthlyEntry
from tests import factories
from tests.conftest import login

Status = MonthlyEntry.Status
FEB_5 = dt.datetime(2024, 2, 5, 10, tzinfo=TAIPEI)  # January due 02-10, February due 03-10


@pytest.fixture(autouse=True)
def _early_february():
    with time_machine.travel(FEB_5, tick=False):
        yield


def home(client, query=""):
    response = client.get("/" + query)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_a_returned_entry_comes_first_with_its_reason_and_a_link(client, item, unit_a, staff_a):
    MonthlyEntry.objects.create(
        item=item, unit=unit_a, month=1, status=Status.RETURNED, return_reason="請補上日期與人數"
    )
    login(client, staff_a)
    page = home(client)
    link = reverse("strategies:entry-edit", args=[item.pk, unit_a.pk, 1])
    returned = page.index('id="returned-heading"')
    assert returned < page.index('id="due-heading"') < page.index('id="overdue-heading"')
    section = page[returned : page.index('id="due-heading"')]
    assert "請補上日期與人數" in section
    assert f'href="{link}"' in section


@pytest.mark.django_db
def test_nothing_returned_says_so(client, item, staff_a):
    login(client, staff_a)
    assert "沒有退回的填報。" in home(client)


@pytest.mark.django_db
def test_due_items_are_grouped_counted_and_paginated(client, year, unit_a, staff_a):
    for _ in range(24):
        factories.make_item(year, hosts=[unit_a])
    login(client, staff_a)
    page = home(client)
    due = page[page.index('id="due-heading"') : page.index('id="overdue-heading"')]
    # 24 items x (January, February): 48 owed, in 10 item rows, not 48 chips.
    assert '<span class="count">48</span>' in due
    assert due.count('class="item-cell"') == 10
    assert due.count('class="status status-empty"') == 20
    assert "1 月 24 項" in due and "2 月 24 項" in due
    assert "第 1 頁，共 3 頁（24 項）" in due
    assert 'href="?due_page=2"' in due

    third = home(client, f"?year={year.pk}&due_page=3")
    due = third[third.index('id="due-heading"') : third.index('id="overdue-heading"')]
    assert due.count('class="item-cell"') == 4
    assert "year=" in re.search(r'href="([^"]*due_page=2[^"]*)"', due).group(1)


@pytest.mark.django_db
def test_the_soonest_deadline_comes_first(client, year, unit_a, staff_a, item):
    """An item whose January is already submitted owes only February (due later): it comes
    after the items that still owe January."""
    later = factories.make_item(year, hosts=[unit_a], title="只欠二月的項目")
    MonthlyEntry.objects.create(item=later, unit=unit_a, month=1, status=Status.SUBMITTED)
    login(client, staff_a)
    page = home(client)
    due = page[page.index('id="due-heading"') : page.index('id="overdue-heading"')]
    assert due.index("提高服務人員專業度") < due.index("只欠二月的項目")


@pytest.mark.django_db
def test_the_head_sees_a_late_submission_and_how_late(client, item, unit_a, head_a):
    MonthlyEntry.objects.create(
        item=item,
        unit=unit_a,
        month=1,
        status=Status.SUBMITTED,
        submitted_at=timezone.make_aware(dt.datetime(2024, 2, 13, 9), TAIPEI),
    )
    MonthlyEntry.objects.create(
        item=item,
        unit=unit_a,
        month=2,
        status=Status.SUBMITTED,
        submitted_at=timezone.make_aware(dt.datetime(2024, 2, 20, 9), TAIPEI),
    )
    with time_machine.travel(dt.datetime(2024, 2, 25, 10, tzinfo=TAIPEI), tick=False):
        login(client, head_a)
        page = home(client)
    approvals = page[page.index('id="approval-heading"') : page.index('id="returned-heading"')]
    assert approvals.count("逾期送出") == 1
    assert "逾期送出（晚 3 天）" in approvals
