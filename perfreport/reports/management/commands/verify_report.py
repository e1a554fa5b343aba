"""python manage.py verify_report --org khh --year 112: re-hash every issued file of the year."""

from django.core.management.base import BaseCommand, CommandError

from perfreport.reports.issuing import verify_issued
from strategies.models import Year


class Command(BaseCommand):
    help = "Re-compute the SHA-256 of every issued file of a year; exit 1 on any mismatch."

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument("--org", required=True)
        parser.add_argument("--year", required=True, type=int)

    def handle(self, *args, org: str, year: int, **options):  # type: ignore[no-untyped-def]
        try:
            year_obj = Year.objects.get(organization__code=org, roc_year=year)
        except Year.DoesNotExist:
            raise CommandError(f"找不到機關 {org} 的 {year} 年度") from None
        results = verify_issued(year_obj)
        if not results:
            raise CommandError(f"{org} {year} 年度尚未發布報告，沒有可檢查的檔案")
        bad = 0
        for report, ok in results:
            mark = "OK" if ok else "MISMATCH"
            self.stdout.write(f"{mark} v{report.version} {report.filename} {report.sha256}")
            bad += not ok
        if bad:
            raise CommandError(f"{bad} 個發布檔的 SHA-256 不符，檔案已被更動")
        self.stdout.write(f"{len(results)} 個發布檔的 SHA-256 全部相符")
