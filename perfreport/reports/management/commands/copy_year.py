"""python manage.py copy_year --org khh --from 112 --to 113|current [--if-missing] [--open]"""

import argparse
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from scoring.year_setup import copy_year_with_scoring
from strategies import deadlines
from strategies.errors import DomainError
from strategies.models import Organization, Year


def _roc_year(text: str) -> int:
    """A ROC year, or `current`: this year in Taipei (2026 -> 115)."""
    if text == "current":
        return deadlines.today_in_taipei().year - deadlines.ROC_OFFSET
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"年度請寫民國年（例如 113）或 current，收到「{text}」"
        ) from None


class Command(BaseCommand):
    help = "複製年度：把來源年度的架構、指標目標值與等第區間複製成新年度（不含成果、填報與分數）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", required=True, help="機關代碼，例如 khh")
        parser.add_argument("--from", dest="from_year", type=int, required=True, help="來源年度")
        parser.add_argument(
            "--to",
            dest="to_year",
            type=_roc_year,
            required=True,
            help="新年度；current 為今天（臺北時間）所在的民國年",
        )
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="新年度已存在時不視為錯誤，直接結束",
        )
        parser.add_argument("--open", action="store_true", help="複製後直接開放填報")

    def handle(self, *args: Any, **options: Any) -> None:
        code = str(options["org"])
        from_year = int(options["from_year"])
        to_year = int(options["to_year"])
        organization = Organization.objects.filter(code=code).first()
        if organization is None:
            raise CommandError(f"找不到代碼為「{code}」的機關。")
        existing = Year.objects.filter(organization=organization, roc_year=to_year).first()
        if existing is not None and options["if_missing"]:
            self.stdout.write(f"{existing} 已存在（{existing.get_status_display()}），未複製。")
            return
        try:
            year = copy_year_with_scoring(
                organization=organization,
                from_roc_year=from_year,
                to_roc_year=to_year,
                user=None,
                open_year=bool(options["open"]),
            )
        except DomainError as error:
            raise CommandError(error.message) from error
        items = sum(
            len(m.items.all())
            for d in year.dimensions.prefetch_related("strategies__methods__items")
            for s in d.strategies.all()
            for m in s.methods.all()
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"已由 {from_year} 年度複製出 {year}（{year.get_status_display()}），共 {items} 個填報項目。"
            )
        )
