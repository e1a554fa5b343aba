"""python manage.py import_report FILE: load a JSON report (json_schema.py) into the database."""

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from perfreport.reports.import_checks import MAX_BYTES
from perfreport.reports.importing import ImportRefused, import_report


class Command(BaseCommand):
    help = "Validate a JSON report file completely, then load it in one transaction."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")

    def handle(self, *args: Any, file: str, **options: Any) -> None:
        try:
            size = Path(file).stat().st_size
            if size > MAX_BYTES:  # refused before it is read into memory
                raise CommandError(
                    f"檔案未匯入：{file} 有 {size / 1024 / 1024:.1f} MB，"
                    f"超過上限 {MAX_BYTES / 1024 / 1024:.1f} MB。"
                )
            raw = Path(file).read_bytes()
        except OSError as exc:
            raise CommandError(f"無法讀取 {file}：{exc.strerror}") from None
        try:
            year = import_report(raw=raw)
        except ImportRefused as exc:
            raise CommandError(exc.message) from None
        except ValidationError as exc:
            problems = (
                [f"{field}: {', '.join(errors)}" for field, errors in exc.message_dict.items()]
                if hasattr(exc, "error_dict")
                else exc.messages
            )
            raise CommandError(f"檔案未匯入：{'; '.join(problems)}") from None
        self.stdout.write(f"已匯入 {year.organization.code} {year.roc_year} 年度")
