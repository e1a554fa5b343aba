"""One month-state rule: My work, the dashboards and the reminders agree on every month."""

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db.models import F
from django.urls import reverse

from strategies.models import MonthlyEntry, ReminderLog, Year
from strategies.month_state import month_state, month_state_sql
from strategies.selectors import dashboard
from strategies.services.reminders import send_reminders
from tests.conftest import login

Status = MonthlyEntry.Status
TODAY = dt.date(2024, 3, 5)  # 113: January overdue, February due 3/10, March open, April not


@pytest.fixture
def march_2024(time_machine):
    time_machine.move_to(dt.datetime(2024, 3, 5, 9, tzinfo=ZoneInfo("Asia/Taipei")), tick=False)


def strip_label(page: str, item, unit, month: int) -> str:
    url = reverse("strategies:entry-edit", args=[item.pk, unit.pk, month])
    start = page.find(f'href="{url}"')
    return page[start : page.find("</a>", start)].split('class="s">')[1].split("<")[0]


def test_a_late_draft_in_a_closed_year_is_a_draft_everywhere(
    client, year, item, unit_a, staff_a, march_2024
):
    """A closed year cannot be written: nothing in it is overdue, on any page or in reminders."""
    MonthlyEntry.objects.create(item=item, unit=unit_a, month=1, status=Status.DRAFT)
    Year.objects.filter(pk=year.pk).update(status=Year.Status.CLOSED)
    year.refresh_from_db()

    login(client, staff_a)
    page = client.get(reverse("strategies:my-work"), {"year": year.pk}).content.decode()
    assert strip_label(page, item, unit_a, 1) == "草稿"

    board = dashboard.staff_dashboard(year, unit_a, today=TODAY)
    assert board.glance[0].cells[0].state == "draft"
    assert board.overdue == []

    send_reminders(today=TODAY, years=[year])  # asked explicitly: by default only open years
    assert not ReminderLog.objects.filter(kind=ReminderLog.Kind.OVERDUE).exists()
    assert all("稽催" not in m.subject for m in mail.outbox)


def test_the_same_late_draft_in_an_open_year_is_overdue_everywhere(
    client, year, item, unit_a, staff_a, march_2024
):
    MonthlyEntry.objects.create(item=item, unit=unit_a, month=1, status=Status.DRAFT)
    login(client, staff_a)
    page = client.get(reverse("strategies:my-work")).content.decode()
    assert strip_label(page, item, unit_a, 1) == "逾期"
    board = dashboard.staff_dashboard(year, unit_a, today=TODAY)
    assert board.glance[0].cells[0].state == "overdue"
    assert [s.month for s in board.overdue] == [1]


@pytest.mark.parametrize("year_status", [s.value for s in Year.Status])
def test_the_database_expression_agrees_with_the_rule(year, item, unit_a, year_status):
    statuses = [s.value for s in Status]
    for month, status in zip(range(1, 13), itertools.cycle(statuses), strict=False):
        MonthlyEntry.objects.create(item=item, unit=unit_a, month=month, status=status)
    expression = month_state_sql(
        roc_year=year.roc_year,
        deadline_day=year.deadline_day,
        year_status=year_status,
        today=TODAY,
    )
    rows = MonthlyEntry.objects.annotate(state=expression, s=F("status")).values_list(
        "month", "s", "state"
    )
    assert len(rows) == 12
    for month, status, state in rows:
        assert state == month_state(
            status=status,
            roc_year=year.roc_year,
            month=month,
            deadline_day=year.deadline_day,
            year_status=year_status,
            today=TODAY,
        )


def test_rule_at_each_edge():
    def state(status, month, year_status="open", today=TODAY):
        return month_state(
            status=status,
            roc_year=113,
            month=month,
            deadline_day=10,
            year_status=year_status,
            today=today,
        )

    assert state(None, 1) == "overdue"
    assert state(None, 1, today=dt.date(2024, 2, 10)) == "empty"  # due day itself
    assert state(None, 2) == "empty"
    assert state("returned", 2) == "returned"
    assert state(None, 4) == "not-open"
    assert state("draft", 4) == "draft"
    assert state("approved", 1) == "approved"
    assert state(None, 1, "planning") == "not-open"
    assert state(None, 1, "locked") == "empty"
    assert state("returned", 1, "closed") == "returned"
