"""Everyone is told what needs them: each workflow event leaves a notice for the right member,
once, in the same transaction; the inbox shows only one's own notices, in one's own language."""

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from scoring.models import DimensionScore
from scoring.services import sign_off_review
from strategies.deadlines import TAIPEI
from strategies.models import MonthlyEntry, Notification, Year
from strategies.services import entries as entry_services
from strategies.services import month_locks
from strategies.services.notifications import notify
from strategies.services.years import set_year_status
from tests.conftest import login

Kind = Notification.Kind
Status = MonthlyEntry.Status
# Inside January's window: January is open and due on 2024-02-10.
JAN_20 = dt.datetime(2024, 1, 20, 10, tzinfo=TAIPEI)


@pytest.fixture(autouse=True)
def _in_january():
    with time_machine.travel(JAN_20, tick=False):
        yield


def submit(user, item, unit, *, narrative="辦理教育訓練 1 場次", version=0, today=None):
    return entry_services.save_entry(
        user=user,
        item=item,
        unit=unit,
        month=1,
        version=version,
        narrative=narrative,
        values={item.indicators.get().pk: "1"},
        submit=True,
        today=today,
    )


def notices(user, kind=None):
    rows = Notification.objects.filter(recipient=user)
    return list(rows.filter(kind=kind) if kind else rows)


@pytest.mark.django_db
class TestWorkflowEvents:
    def test_a_submission_waits_for_the_head_not_for_the_submitter(
        self, item, unit_a, staff_a, head_a
    ):
        entry = submit(staff_a, item, unit_a)
        (notice,) = notices(head_a)
        assert notice.kind == Kind.ENTRY_SUBMITTED
        assert notice.link == reverse("strategies:entry-edit", args=[item.pk, unit_a.pk, 1])
        assert notices(staff_a) == []
        assert entry.status == Status.SUBMITTED

    def test_a_return_tells_the_author_with_the_reason(self, client, item, unit_a, staff_a, head_a):
        entry = submit(staff_a, item, unit_a)
        entry_services.return_entry(
            user=head_a, entry=entry, version=entry.version, reason="請補上訓練日期。"
        )
        (notice,) = notices(staff_a)
        assert notice.kind == Kind.ENTRY_RETURNED
        login(client, staff_a)
        page = client.get(reverse("strategies:notifications")).content.decode()
        assert "度量衡科科長 退回了" in page
        assert "請補上訓練日期。" in page

    def test_fix_resubmit_and_approval_each_tell_the_other_side(
        self, item, unit_a, staff_a, head_a
    ):
        entry = submit(staff_a, item, unit_a)
        entry = entry_services.return_entry(
            user=head_a, entry=entry, version=entry.version, reason="請補上日期。"
        )
        entry = submit(
            staff_a, item, unit_a, narrative="1 月 18 日辦理 1 場次", version=entry.version
        )
        assert len(notices(head_a, Kind.ENTRY_SUBMITTED)) == 2
        entry_services.approve_entry(user=head_a, entry=entry, version=entry.version)
        assert [n.kind for n in notices(staff_a)] == [Kind.ENTRY_APPROVED, Kind.ENTRY_RETURNED]

    def test_a_comment_tells_the_author_not_the_commenter(self, item, unit_a, staff_a, head_a):
        entry = submit(staff_a, item, unit_a)
        Notification.objects.all().delete()
        entry_services.add_comment(user=head_a, entry=entry, body="日期請寫清楚")
        (notice,) = notices(staff_a)
        assert notice.kind == Kind.ENTRY_COMMENTED
        assert notice.params["body"] == "日期請寫清楚"
        assert notices(head_a) == []

    def test_a_refused_event_leaves_no_notice(self, item, unit_a, staff_a, head_a):
        entry = submit(staff_a, item, unit_a)
        with pytest.raises(entry_services.DomainError):
            entry_services.return_entry(user=head_a, entry=entry, version=entry.version, reason="")
        assert notices(staff_a) == []

    def test_a_notice_rolls_back_with_its_event(self, item, unit_a, staff_a, head_a):
        with pytest.raises(RuntimeError), transaction.atomic():
            submit(staff_a, item, unit_a)
            raise RuntimeError("the request failed after the service")
        assert Notification.objects.count() == 0

    def test_the_same_event_never_notifies_twice(self, staff_a):
        for _ in range(2):
            notify(recipients=[staff_a, staff_a], kind=Kind.ENTRY_APPROVED, key="entry:1:v2")
        assert len(notices(staff_a)) == 1

    def test_an_unknown_kind_is_refused(self, staff_a):
        with pytest.raises(ValueError, match="unknown notification kind"):
            notify(recipients=[staff_a], kind="spam", key="x")
        assert notices(staff_a) == []


@pytest.mark.django_db
def test_the_year_end_text_waiting_for_the_head(client, item, unit_a, staff_a, head_a):
    from strategies.services.notifications import results_awaiting

    assert results_awaiting(item=item, unit=unit_a, actor=staff_a, event="v1") == 1
    assert results_awaiting(item=item, unit=unit_a, actor=staff_a, event="v1") == 0
    (notice,) = notices(head_a)
    assert notice.link == reverse("strategies:item-results", args=[item.pk])
    login(client, head_a)
    page = client.get(reverse("strategies:notifications")).content.decode()
    assert "「提高服務人員專業度」的年度執行績效與成果等待您處理。" in page


@pytest.mark.django_db
class TestLateSubmission:
    def test_a_late_submission_is_recorded_and_flagged_to_the_head(
        self, item, unit_a, staff_a, head_a
    ):
        with time_machine.travel(dt.datetime(2024, 2, 13, 9, tzinfo=TAIPEI), tick=False):
            entry = submit(staff_a, item, unit_a)
        assert entry.history.latest().history_change_reason == "逾期送出（逾期 3 天）：送出"
        (notice,) = notices(head_a)
        assert notice.params["late_days"] == 3

    def test_on_time_is_not_flagged(self, item, unit_a, staff_a, head_a):
        with time_machine.travel(dt.datetime(2024, 2, 10, 23, tzinfo=TAIPEI), tick=False):
            entry = submit(staff_a, item, unit_a)
        assert entry.history.latest().history_change_reason == "送出"
        assert notices(head_a)[0].params["late_days"] == 0


@pytest.mark.django_db
class TestYearEvents:
    def test_a_reopened_month_tells_the_units(self, year, staff_a, staff_b, head_a, admin_user):
        month_locks.lock_month(user=admin_user, year=year, month=1)
        month_locks.reopen_month(user=admin_user, year=year, month=1, reason="補登資料")
        for user in (staff_a, staff_b, head_a):
            (notice,) = notices(user, Kind.MONTH_REOPENED)
            assert notice.params["reason"] == "補登資料"
        assert notices(admin_user) == []

    def test_a_reopened_year_tells_the_units(self, year, staff_a, admin_user):
        set_year_status(year=year, status=Year.Status.CLOSED, user=admin_user)
        assert notices(staff_a) == []
        set_year_status(year=year, status=Year.Status.OPEN, user=admin_user, reason="更正數據")
        (notice,) = notices(staff_a, Kind.YEAR_REOPENED)
        assert notice.params == {"year": 113, "reason": "更正數據"}

    def test_sign_off_tells_the_organization(self, year, staff_a, head_a, auditor):
        for dimension in year.dimensions.all():
            DimensionScore.objects.create(
                dimension=dimension, round=DimensionScore.Round.REVIEW, score=dimension.max_score
            )
        year.status = Year.Status.CLOSED
        year.save()
        sign_off_review(year=year, user=auditor)
        for user in (staff_a, head_a):
            (notice,) = notices(user, Kind.SIGNED_OFF)
            assert notice.link == reverse("reports:index")


@pytest.mark.django_db
class TestInbox:
    def make(self, user, n, **kw):
        return [
            Notification.objects.create(
                recipient=user,
                kind=Kind.YEAR_REOPENED,
                key=f"k{i}",
                params={"year": 113, "reason": f"原因{i}"},
                **kw,
            )
            for i in range(n)
        ]

    def test_the_badge_counts_unread_notices(self, client, staff_a):
        self.make(staff_a, 3)
        login(client, staff_a)
        page = client.get("/").content.decode()
        assert 'id="unread-badge">3<' in page

    def test_no_badge_when_everything_is_read(self, client, staff_a):
        (notice,) = self.make(staff_a, 1)
        login(client, staff_a)
        client.post(reverse("strategies:notification-read", args=[notice.pk]))
        notice.refresh_from_db()
        assert notice.read_at is not None
        assert "unread-badge" not in client.get("/").content.decode()

    def test_newest_first_and_paginated(self, client, staff_a):
        self.make(staff_a, 25)
        login(client, staff_a)
        first = client.get(reverse("strategies:notifications")).content.decode()
        assert "原因24" in first and "原因5" in first
        assert "原因4" not in first
        assert first.index("原因24") < first.index("原因23")
        second = client.get(reverse("strategies:notifications") + "?page=2").content.decode()
        assert "原因4" in second and "原因0" in second

    def test_only_my_own_notices_are_shown_or_marked(self, client, staff_a, staff_b):
        (theirs,) = self.make(staff_b, 1)
        login(client, staff_a)
        assert "原因0" not in client.get(reverse("strategies:notifications")).content.decode()
        response = client.post(reverse("strategies:notification-read", args=[theirs.pk]))
        assert response.status_code == 404
        theirs.refresh_from_db()
        assert theirs.read_at is None

    def test_mark_read_needs_a_post(self, client, staff_a):
        (notice,) = self.make(staff_a, 1)
        login(client, staff_a)
        response = client.get(reverse("strategies:notification-read", args=[notice.pk]))
        assert response.status_code == 405
        notice.refresh_from_db()
        assert notice.read_at is None

    def test_open_marks_read_and_goes_to_the_target(self, client, staff_a):
        notice = Notification.objects.create(
            recipient=staff_a, kind=Kind.ENTRY_APPROVED, key="k", link="/my-work/", params={}
        )
        login(client, staff_a)
        response = client.post(
            reverse("strategies:notification-read", args=[notice.pk]), {"open": "1"}
        )
        assert response.status_code == 302
        assert response["Location"] == "/my-work/"
        notice.refresh_from_db()
        assert notice.read_at is not None

    def test_mark_all_read(self, client, staff_a, staff_b):
        self.make(staff_a, 3)
        self.make(staff_b, 1)
        login(client, staff_a)
        client.post(reverse("strategies:notifications-read-all"))
        assert Notification.objects.filter(recipient=staff_a, read_at__isnull=True).count() == 0
        assert Notification.objects.filter(recipient=staff_b, read_at__isnull=True).count() == 1

    def test_text_is_rendered_in_the_readers_language(self, client, item, unit_a, staff_a, head_a):
        entry = submit(staff_a, item, unit_a)
        entry_services.return_entry(
            user=head_a, entry=entry, version=entry.version, reason="補日期"
        )
        staff_a.membership.language = "en"
        staff_a.membership.save()
        login(client, staff_a)
        client.cookies["django_language"] = "en"
        page = client.get(reverse("strategies:notifications")).content.decode()
        assert "returned" in page and "Jan" in page and "補日期" in page
        assert "退回了" not in page


@pytest.mark.django_db
class TestEmail:
    @pytest.fixture(autouse=True)
    def _addresses(self, settings, staff_a, head_a):
        settings.SITE_URL = "https://perf.example.gov.tw"
        for user in (staff_a, head_a):
            user.email = f"{user.username}@example.gov.tw"
            user.save()

    def run(self):
        call_command("send_reminders", stdout=StringIO(), stderr=StringIO())

    def digests(self, address):
        """The unread-notice mails (the head's approval reminder is a separate mail)."""
        return [
            m
            for m in mail.outbox
            if m.to == [address] and ("unread" in m.subject or "未讀通知" in m.subject)
        ]

    def test_unread_notices_are_mailed_once_in_the_members_language(
        self, item, unit_a, staff_a, head_a
    ):
        head_a.membership.language = "en"
        head_a.membership.save()
        submit(staff_a, item, unit_a)
        self.run()
        (message,) = self.digests("head_a@example.gov.tw")
        assert "You have 1 unread notifications" in message.subject
        assert "waits for your approval" in message.body
        link = "https://perf.example.gov.tw" + reverse(
            "strategies:entry-edit", args=[item.pk, unit_a.pk, 1]
        )
        assert link in message.body
        mail.outbox.clear()
        self.run()
        assert self.digests("head_a@example.gov.tw") == []

    def test_the_digest_has_an_html_part_a_stable_id_and_the_settings_link(
        self, item, unit_a, staff_a, head_a
    ):
        submit(staff_a, item, unit_a)
        self.run()
        (message,) = self.digests("head_a@example.gov.tw")
        html, mime = message.alternatives[0]
        assert mime == "text/html"
        assert reverse("strategies:entry-edit", args=[item.pk, unit_a.pk, 1]) in html
        assert message.extra_headers["List-Unsubscribe"] == (
            "<https://perf.example.gov.tw" + reverse("strategies:notification-settings") + ">"
        )
        assert message.extra_headers["Message-ID"].startswith("<perfreport.notices.")

    def test_a_member_who_turned_mail_off_gets_no_digest(self, item, unit_a, staff_a, head_a):
        from strategies.models import MailPreference

        MailPreference.objects.create(user=head_a, reminders=False)
        submit(staff_a, item, unit_a)
        self.run()
        assert self.digests("head_a@example.gov.tw") == []
        assert notices(head_a, Kind.ENTRY_SUBMITTED)

    def test_read_notices_are_not_mailed(self, item, unit_a, staff_a, head_a):
        submit(staff_a, item, unit_a)
        Notification.objects.update(read_at=JAN_20)
        self.run()
        assert self.digests("head_a@example.gov.tw") == []

    def test_reminders_leave_an_in_app_notice_even_without_an_address(self, item, unit_a, staff_a):
        staff_a.email = ""
        staff_a.save()
        with time_machine.travel(dt.datetime(2024, 2, 7, 8, tzinfo=TAIPEI), tick=False):
            self.run()
            self.run()
        (notice,) = notices(staff_a, Kind.DUE_SOON)
        assert notice.params == {"year": 113, "month": 1, "due": "2024-02-10", "count": 1}
