"""The home pages' lists, read a page at a time from the stored done months, hold exactly the
slots that the month rule gives when every slot of the year is read from its entries; the
admin's overdue list is paged like the staff's, with its total."""

import datetime as dt
import itertools

import pytest
import time_machine
from django.urls import reverse

from strategies.deadlines import TAIPEI
from strategies.models import MonthlyEntry
from strategies.month_state import OVERDUE
from strategies.selectors import dashboard
from strategies.selectors.unit_board import DUE_STATES
from tests import factories
from tests.conftest import login

pytestmark = pytest.mark.django_db

Status = MonthlyEntry.Status
# 2024-04-05: January and February are overdue, March (due 04-10) and April are due.
APRIL_5 = dt.datetime(2024, 4, 5, 10, tzinfo=TAIPEI)


@pytest.fixture(autouse=True)
def _april():
    with time_machine.travel(APRIL_5, tick=False):
        yield


def _keys(slots):
    return sorted((s.item.pk, s.unit.pk, s.month, s.state) for s in slots)


def test_the_lists_hold_what_every_slot_read_from_its_entries_says(year, unit_a, unit_b):
    items = [factories.make_item(year, hosts=[unit_a, unit_b]) for _ in range(6)]
    statuses = itertools.cycle(
        [Status.APPROVED, Status.DRAFT, Status.SUBMITTED, Status.RETURNED, None]
    )
    for n, item in enumerate(items):
        for unit, month in itertools.product((unit_a, unit_b), range(1, 5)):
            status = next(statuses)
            if status is not None and (n + month) % 3:
                MonthlyEntry.objects.create(item=item, unit=unit, month=month, status=status)
    ctx, by_unit = dashboard.slots_of_year(year)
    for unit in (unit_a, unit_b):
        board = dashboard.staff_dashboard(year, unit)
        every = by_unit[unit.pk]
        due = [s for s in every if s.month in board.due_months and s.state in DUE_STATES]
        assert due and board.overdue and board.glance
        assert _keys(board.due) == _keys(due)
        assert _keys(board.overdue) == _keys(s for s in every if s.state == OVERDUE)
        assert board.due_groups.count() == len({s.item.pk for s in due})
        assert board.overdue_groups.count() == len(board.overdue_groups[:])
    admin = dashboard.admin_dashboard(year)
    everyone = [s for slots in by_unit.values() for s in slots if s.state == OVERDUE]
    assert _keys(admin.overdue) == _keys(everyone)
    assert admin.overdue_pairs == len({(s.item.pk, s.unit.pk) for s in everyone})


def test_the_admins_overdue_list_is_paged_with_its_total(client, year, unit_a, admin_user):
    for _ in range(dashboard.OVERDUE_GROUPS_SHOWN + 5):
        factories.make_item(year, hosts=[unit_a])
    login(client, admin_user)

    def overdue_section(query=""):
        page = client.get(reverse("home") + query).content.decode()
        return page[page.index('id="overdue-heading"') :]

    first = overdue_section()
    assert first.count('class="item-cell"') == dashboard.OVERDUE_GROUPS_SHOWN
    assert "第 1 頁，共 2 頁（55 項）" in first
    assert 'href="?overdue_page=2"' in first
    second = overdue_section("?overdue_page=2")
    assert second.count('class="item-cell"') == 5
    assert "status=overdue" in second  # the link to every overdue row in My work
