"""python manage.py restore khh-112.zip"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from scoring.backup_specs import ALL_SPECS
from strategies.backup import restore_backup
from strategies.errors import DomainError


class Command(BaseCommand):
    help = "由備份檔還原一個機關的一個年度到目前的資料庫（可為空的資料庫，或已有其他機關）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="backup 產生的備份檔")

    def handle(self, *args: object, **options: object) -> None:
        path = Path(str(options["file"]))
        if not path.is_file():
            raise CommandError(f"找不到檔案「{path}」。")
        try:
            restored = restore_backup(content=path.read_bytes(), specs=ALL_SPECS)
        except DomainError as error:
            raise CommandError(error.message) from error
        summary = "、".join(f"{k} {v}" for k, v in restored.counts.items() if v)
        self.stdout.write(self.style.SUCCESS(f"已還原 {restored.year}（{summary}）。"))
