"""send_reminders emails 預催 (due in 3 days), 稽催 (overdue) and the heads' approvals, once."""

import datetime as dt
from io import StringIO
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from strategies.deadlines import TAIPEI
from strategies.models import MonthlyEntry, Notification, ReminderLog, Year
from strategies.services.reminders import send_reminders

Kind = ReminderLog.Kind
Status = MonthlyEntry.Status
SITE = "https://perf.example.gov.tw"


def on(day: dt.date):
    return time_machine.travel(dt.datetime.combine(day, dt.time(8), tzinfo=TAIPEI), tick=False)


def run(day: dt.date):
    with on(day):
        call_command("send_reminders", stdout=StringIO(), stderr=StringIO())


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def people(staff_a, staff_b, head_a, item):
    for user in (staff_a, staff_b, head_a):
        user.email = f"{user.username}@example.gov.tw"
        user.save()
    return staff_a, staff_b, head_a


def to(address):
    return [m for m in mail.outbox if m.to == [address]]


@pytest.mark.django_db
class TestDueSoon:
    def test_three_days_before_the_deadline_staff_get_a_pre_reminder(self, people, item, unit_a):
        run(dt.date(2024, 2, 7))  # January is due on 2024-02-10
        (message,) = mail.outbox
        assert message.to == ["staff_a@example.gov.tw"]
        assert "預催" in message.subject
        assert "1 月｜期限 113/02/10｜未填" in message.body
        link = SITE + reverse(
            "strategies:entry-edit", kwargs={"item_id": item.pk, "unit_id": unit_a.pk, "month": 1}
        )
        assert link in message.body
        log = ReminderLog.objects.get()
        assert (log.kind, log.month, log.sent_on, log.entry_count) == (
            Kind.DUE_SOON,
            1,
            dt.date(2024, 2, 7),
            1,
        )

    def test_twice_in_a_day_sends_nothing_twice(self, people):
        run(dt.date(2024, 2, 7))
        run(dt.date(2024, 2, 7))
        assert len(mail.outbox) == 1
        assert ReminderLog.objects.count() == 1

    def test_the_pre_reminder_goes_out_once_per_deadline(self, people):
        run(dt.date(2024, 2, 7))
        run(dt.date(2024, 2, 8))
        run(dt.date(2024, 2, 10))
        assert len(mail.outbox) == 1

    def test_four_days_before_nothing_is_sent(self, people):
        run(dt.date(2024, 2, 6))
        assert mail.outbox == []
        assert not ReminderLog.objects.exists()

    def test_a_submitted_entry_is_not_chased(self, people, item, unit_a):
        MonthlyEntry.objects.create(item=item, unit=unit_a, month=1, status=Status.SUBMITTED)
        run(dt.date(2024, 2, 7))
        assert to("staff_a@example.gov.tw") == []

    def test_other_units_get_nothing_of_it(self, people):
        run(dt.date(2024, 2, 7))
        assert to("staff_b@example.gov.tw") == []


@pytest.mark.django_db
class TestOverdue:
    def test_after_the_deadline_staff_get_the_overdue_reminder(self, people, item, unit_a):
        MonthlyEntry.objects.create(item=item, unit=unit_a, month=1, status=Status.RETURNED)
        run(dt.date(2024, 2, 11))
        (message,) = to("staff_a@example.gov.tw")
        assert "稽催" in message.subject
        assert "1 月｜期限 113/02/10｜退回" in message.body
        assert ReminderLog.objects.get().kind == Kind.OVERDUE

    def test_overdue_is_chased_again_a_week_later_not_before(self, people):
        run(dt.date(2024, 2, 11))
        run(dt.date(2024, 2, 12))
        run(dt.date(2024, 2, 17))
        assert len(to("staff_a@example.gov.tw")) == 1
        run(dt.date(2024, 2, 18))
        assert len(to("staff_a@example.gov.tw")) == 2

    def test_a_closed_year_chases_nobody(self, people, year):
        Year.objects.filter(pk=year.pk).update(status=Year.Status.CLOSED)
        run(dt.date(2024, 2, 11))
        assert mail.outbox == []


@pytest.mark.django_db
class TestAwaitingApproval:
    def test_heads_get_the_entries_waiting_for_them(self, people, item, unit_a):
        MonthlyEntry.objects.create(item=item, unit=unit_a, month=1, status=Status.SUBMITTED)
        run(dt.date(2024, 2, 5))
        (message,) = to("head_a@example.gov.tw")
        assert "待核定" in message.subject
        assert "1 月｜期限 113/02/10｜已送出" in message.body
        run(dt.date(2024, 2, 5))
        run(dt.date(2024, 2, 6))
        assert len(to("head_a@example.gov.tw")) == 2  # once a day while it waits


@pytest.mark.django_db
class TestDelivery:
    def test_members_without_an_address_are_reported_not_logged(self, staff_a, item):
        with on(dt.date(2024, 2, 7)):
            result = send_reminders()
        assert result.mails == 0
        assert result.without_address == ["staff_a"]
        assert not ReminderLog.objects.exists()

    def test_a_failed_send_leaves_no_log_and_is_retried(self, people):
        with (
            on(dt.date(2024, 2, 7)),
            mock.patch(
                "django.core.mail.backends.locmem.EmailBackend.send_messages",
                side_effect=OSError("SMTP down"),
            ),
        ):
            result = send_reminders()
        # Reported and left unlogged; the run itself goes on.
        assert (result.mails, result.failed) == (0, ["staff_a"])
        assert not ReminderLog.objects.exists()
        run(dt.date(2024, 2, 7))
        assert len(mail.outbox) == 1

    def test_the_command_prints_what_it_sent(self, people):
        out = StringIO()
        with on(dt.date(2024, 2, 7)):
            call_command("send_reminders", stdout=out, stderr=StringIO())
        assert "寄出 1 封提醒（預催 1 項）" in out.getvalue()
        # Not a terminal: one plain line per year instead of a progress bar.
        assert "處理年度 [1/1] 高雄分局 113 年度" in out.getvalue()
        assert "\r" not in out.getvalue()

    def test_a_bad_date_is_refused(self, people):
        with pytest.raises(CommandError, match="YYYY-MM-DD"):
            call_command("send_reminders", "--date", "2024-13-01", stdout=StringIO())
        assert mail.outbox == []


@pytest.mark.django_db
def test_reading_does_not_grow_with_the_year(people, year, unit_a, django_assert_max_num_queries):
    """Open years 1; per open year: plan 6, entries 1, recent logs 1, members 1; per mail: a
    savepoint, per (kind, month) logged 2 checks (full_clean) and an insert, the release.
    Ten times the items: the same count."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests import factories

    def count() -> int:
        ReminderLog.objects.all().delete()
        Notification.objects.all().delete()
        with on(dt.date(2024, 2, 7)), CaptureQueriesContext(connection) as ctx:
            send_reminders()
        return len(ctx.captured_queries)

    small = count()
    for _ in range(9):
        factories.make_item(year, hosts=[unit_a])
    assert count() == small
    # 10 reads + staff_a's one mail (savepoint, 2 checks, January's 預催 insert, release)
    # + staff_a's January 預催 notice, already there (one look-up).
    ReminderLog.objects.all().delete()
    with on(dt.date(2024, 2, 8)), django_assert_max_num_queries(16):
        send_reminders()
