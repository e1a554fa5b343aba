"""python manage.py restore khh-112.zip"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from scoring.backup_specs import ALL_SPECS
from strategies.backup import restore_backup
from strategies.errors import DomainError


class Command(BaseCommand):
    help = "由備份檔還原一個機關的一個年度到目前的資料庫（可為空的資料庫，或已有其他機關）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="backup 產生的備份檔")
        parser.add_argument(
            "--keep-admin-passwords",
            action="store_true",
            help="沿用備份檔中管理者帳號的密碼（預設不沿用：備份檔可能被改過，管理者須重設密碼）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(str(options["file"]))
        if not path.is_file():
            raise CommandError(f"找不到檔案「{path}」。")
        try:
            restored = restore_backup(
                content=path.read_bytes(),
                specs=ALL_SPECS,
                keep_admin_passwords=bool(options["keep_admin_passwords"]),
            )
        except DomainError as error:
            raise CommandError(error.message) from None
        summary = "、".join(f"{k} {v}" for k, v in restored.counts.items() if v)
        self.stdout.write(self.style.SUCCESS(f"已還原 {restored.year}（{summary}）。"))
        if restored.without_password:
            names = "、".join(restored.without_password)
            self.stdout.write(
                f"管理者帳號 {names} 未沿用備份檔中的密碼，目前無法登入；"
                "請以 manage.py changepassword 帳號 設定新密碼"
                "（確定備份檔可信時，可改用 --keep-admin-passwords 還原）。"
            )
