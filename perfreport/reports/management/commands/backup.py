"""python manage.py backup --org khh --year 112 --output khh-112.zip"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from scoring.backup_specs import ALL_SPECS
from strategies.backup import build_backup, read_archive
from strategies.errors import DomainError
from strategies.models import Organization


class Command(BaseCommand):
    help = "備份一個機關的一個年度（架構、填報、佐證檔案、分數）成一個有版本與校驗碼的壓縮檔。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", required=True, help="機關代碼，例如 khh")
        parser.add_argument("--year", type=int, required=True, help="年度（民國），例如 112")
        parser.add_argument("--output", required=True, help="輸出檔名，例如 khh-112.zip")

    def handle(self, *args: Any, **options: Any) -> None:
        code = str(options["org"])
        organization = Organization.objects.filter(code=code).first()
        if organization is None:
            raise CommandError(f"找不到代碼為「{code}」的機關。")
        try:
            content = build_backup(
                organization=organization,
                roc_year=int(options["year"]),
                specs=ALL_SPECS,
            )
        except DomainError as error:
            raise CommandError(error.message) from error
        output = Path(str(options["output"]))
        temporary = output.with_name(output.name + ".partial")
        temporary.write_bytes(content)
        read_archive(temporary.read_bytes())  # what was written reads back
        temporary.replace(output)
        counts = read_archive(content).manifest["counts"]
        summary = "、".join(f"{k} {v}" for k, v in counts.items() if v)
        self.stdout.write(
            self.style.SUCCESS(
                f"已備份 {organization.short_name} {options['year']} 年度到 {output}（{len(content):,} 位元組；{summary}）。"
            )
        )
