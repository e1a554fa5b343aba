"""`python manage.py send_reminders`: today's 預催, 稽催 and approval reminders (run from cron)."""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from strategies.models import ReminderLog, Year
from strategies.progress import progress
from strategies.services.notification_mail import email_unread_notifications
from strategies.services.reminders import send_reminders


class Command(BaseCommand):
    help = (
        "Email staff the entries due within 3 days (預催) and overdue (稽催), and heads the "
        "entries waiting for approval, and each member's unread notifications. Idempotent: a "
        "second run the same day sends nothing twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", help="only this organization's open year (its code)")
        parser.add_argument("--date", help="act as if today were this date (YYYY-MM-DD)")

    def _progress(self, years: Iterable[Year]) -> Iterable[Year]:
        return progress(years, desc="處理年度", stream=self.stdout, unit="年度")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options["date"]:
            try:
                today = dt.date.fromisoformat(str(options["date"]))
            except ValueError:
                raise CommandError(f"日期應寫成 YYYY-MM-DD，收到「{options['date']}」") from None
        years = Year.objects.filter(status=Year.Status.OPEN).select_related("organization")
        if options["org"]:
            years = years.filter(organization__code=options["org"])
            if not years.exists():
                raise CommandError(f"找不到機關「{options['org']}」填報中的年度。")

        result = send_reminders(today=today, years=list(years), progress=self._progress)
        counts = "、".join(
            f"{ReminderLog.Kind(kind).label} {n} 項" for kind, n in result.by_kind.items()
        )
        self.stdout.write(f"寄出 {result.mails} 封提醒" + (f"（{counts}）。" if counts else "。"))
        digests = email_unread_notifications(organization_code=options["org"] or None)
        self.stdout.write(f"寄出 {digests} 封未讀通知。")
        if result.without_address:
            names = "、".join(result.without_address)
            self.stderr.write(f"沒有電子郵件地址，未寄送：{names}")
        if result.failed:
            names = "、".join(result.failed)
            self.stderr.write(f"郵件伺服器未收下，下次執行時重寄：{names}")
