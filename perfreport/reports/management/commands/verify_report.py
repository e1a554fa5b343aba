"""python manage.py verify_report --org khh --year 112: check the signatures of every issued
version: the manifest's CMS signature, each file against the signed manifest, the PDF's own
signature. The hashes in the database prove nothing on their own and are not trusted."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from perfreport.reports.issuing import verify_issued
from perfreport.reports.signing import SigningKeyError
from strategies.models import Year


class Command(BaseCommand):
    help = "Verify the signatures of every issued file of a year; exit 1 on any failure."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", required=True)
        parser.add_argument("--year", required=True, type=int)

    def handle(self, *args: Any, org: str, year: int, **options: Any) -> None:
        try:
            year_obj = Year.objects.get(organization__code=org, roc_year=year)
        except Year.DoesNotExist:
            raise CommandError(f"找不到機關 {org} 的 {year} 年度") from None
        try:
            results = verify_issued(year_obj)
        except SigningKeyError as exc:
            raise CommandError(exc.message) from None
        if not results:
            raise CommandError(f"{org} {year} 年度尚未發布報告，沒有可檢查的檔案")
        bad = 0
        for result in results:
            for check in result.checks:
                mark = "OK" if check.ok else "FAILED"
                self.stdout.write(f"{mark} v{result.version.version} {check.what}: {check.detail}")
                bad += not check.ok
        if bad:
            raise CommandError(f"{bad} 項檢查未通過：發布檔的簽章無法證明檔案未被更動")
        files = sum(len(r.checks) for r in results)
        self.stdout.write(f"{len(results)} 個版本、{files} 項簽章檢查全部通過")
