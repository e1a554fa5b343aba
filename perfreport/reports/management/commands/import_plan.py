"""python manage.py import_plan --org khh --year 114 FILE [--apply]

Without --apply: a dry run that prints what would be created, changed and retired, and every
problem with its sheet, row and column. With --apply: the same, written in one transaction (a
new year also gets the default grade bands and an empty score sheet). Lives in the top layer:
it reads the plan in strategies and sets up the scoring side, and only perfreport sees both.
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from scoring.year_setup import ensure_scoring_setup
from strategies.errors import DomainError
from strategies.models import Organization
from strategies.plan_excel import MAX_BYTES
from strategies.services.plan_import import ImportPreview, apply_import, preview_import


class Command(BaseCommand):
    help = "匯入計畫檔（Excel）：預設只預覽，加 --apply 才寫入。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="計畫檔 .xlsx（與年度報告的 Excel 版面相同）")
        parser.add_argument("--org", required=True, help="機關代碼，例如 khh")
        parser.add_argument("--year", type=int, required=True, help="年度（民國），例如 114")
        parser.add_argument("--apply", action="store_true", help="確認寫入（預設只預覽）")

    def handle(self, *args: Any, **options: Any) -> None:
        code = str(options["org"])
        organization = Organization.objects.filter(code=code).first()
        if organization is None:
            raise CommandError(f"找不到代碼為「{code}」的機關。")
        path = Path(str(options["file"]))
        if not path.is_file():
            raise CommandError(f"找不到檔案「{path}」。")
        if path.stat().st_size > MAX_BYTES:  # refused before it is read into memory
            raise CommandError(
                f"檔案大小 {path.stat().st_size / 1024 / 1024:.1f} MB，超過上限 10 MB，"
                "請分拆或精簡後再匯入。"
            )
        data = path.read_bytes()
        roc_year = int(options["year"])
        try:
            preview = preview_import(
                organization=organization, roc_year=roc_year, data=data, filename=path.name
            )
            self._print(preview)
            if preview.problems:
                raise CommandError(f"計畫檔有 {len(preview.problems)} 個問題，未匯入任何資料。")
            if not options["apply"]:
                self.stdout.write("（預覽，未寫入；確認無誤後加上 --apply 匯入）")
                return
            with transaction.atomic():
                preview, year = apply_import(
                    organization=organization,
                    roc_year=roc_year,
                    data=data,
                    user=None,
                    filename=path.name,
                )
                ensure_scoring_setup(year=year)
        except DomainError as error:
            raise CommandError(error.message) from error
        self.stdout.write(self.style.SUCCESS(f"已匯入 {year}（{year.get_status_display()}）。"))

    def _print(self, preview: ImportPreview) -> None:
        org = preview.organization.short_name
        state = "既有年度" if preview.year_exists else "新年度"
        self.stdout.write(f"{org} {preview.roc_year} 年度（{state}）")
        self.stdout.write(
            f"新增 {len(preview.created)}、修改 {len(preview.changed)}、"
            f"停用 {len(preview.retired)} 項、不變 {preview.unchanged} 個填報項目；"
            f"問題 {len(preview.problems)} 個"
        )
        for title, changes in (
            ("新增", preview.created),
            ("修改", preview.changed),
            ("停用", preview.retired),
        ):
            for change in changes:
                self.stdout.write(f"  {title}｜{change}")
        for problem in preview.problems:
            self.stderr.write(f"  問題｜{problem}")
