"""python manage.py export_report --org khh --year 112 --format pdf --output report.pdf"""

from pathlib import Path
from typing import Any, BinaryIO, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser

from perfreport.reports.exporters import EXPORTERS
from perfreport.reports.issuing import render_for_download
from strategies.models import Year
from strategies.progress import progress


class Command(BaseCommand):
    help = "Write one format of a year's report (the issued bytes when the year has been issued)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", required=True, help="organization code, e.g. khh")
        parser.add_argument("--year", required=True, type=int, help="ROC year, e.g. 112")
        parser.add_argument("--format", required=True, choices=list(EXPORTERS))
        parser.add_argument("--output", required=True, help="file to write ('-' for stdout)")
        parser.add_argument(
            "--live",
            action="store_true",
            help="render from the current data even when an issued version exists",
        )

    def handle(
        self, *args: Any, org: str, year: int, format: str, output: str, live: bool, **options: Any
    ) -> None:
        try:
            year_obj = Year.objects.select_related("organization").get(
                organization__code=org, roc_year=year
            )
        except Year.DoesNotExist:
            raise CommandError(f"找不到機關 {org} 的 {year} 年度") from None
        if output == "-":
            content = render_for_download(year_obj, format, live=live).read()
            # OutputWrapper hands attribute reads to the wrapped text stream; django-stubs types
            # them all as callables, so the bytes beneath are named for what they are.
            binary = cast(BinaryIO, self.stdout.buffer)
            binary.write(content)
            return
        steps = progress(
            ["render", "write"],
            desc=f"匯出 {format}",
            stream=self.stderr,
            label={"render": "產生檔案", "write": f"寫入 {output}"}.__getitem__,
        )
        for step in steps:
            if step == "render":
                download = render_for_download(year_obj, format, live=live)
                content = download.read()
            else:
                Path(output).write_bytes(content)
        issued = download.issued
        source = f"第 {issued.version} 版發布檔" if issued else "目前資料（草稿）"
        self.stdout.write(f"{output}: {len(content):,} bytes ({download.filename}, {source})")
