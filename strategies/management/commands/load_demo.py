"""Load the 112 report and the demo users once; a second `make run` keeps the data as it is."""

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from strategies.models import Organization


class Command(BaseCommand):
    help = "Load fixtures khh_112 and demo_users unless the khh organization already exists."

    def handle(self, *args: Any, **options: Any) -> None:
        if Organization.objects.filter(code="khh").exists():
            self.stdout.write("示範資料已存在，未重新載入（高雄分局 112 年度）。")
            return
        call_command("loaddata", "khh_112", "demo_users", verbosity=options["verbosity"])
        self.stdout.write("已載入高雄分局 112 年度報告與示範帳號。")
