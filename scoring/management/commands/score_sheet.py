"""Print a year's score sheet (考核結果統計表) as JSON or as a text table in the seed's layout.

python manage.py score_sheet --org khh --year 112 --format json
"""

import json
import unicodedata
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from scoring.selectors import SheetData, score_sheet_data
from strategies import number_format
from strategies.models import Organization, Year


def number(value: Decimal | None) -> str | None:
    """A score as the report's JSON writes one: a string with one decimal ("184.0"), never a
    binary float; None stays None."""
    return number_format.decimal_string(value, places=1)


def sheet_json(data: SheetData) -> dict[str, object]:
    """The sheet as the JSON the command prints (also handy for other exports)."""
    return {
        "organization": data.organization_name,
        "organization_code": data.organization_code,
        "year": data.roc_year,
        "dimensions": [
            {
                "number": line.number,
                "name": line.name,
                "max": number(line.maximum),
                "score": number(line.score),
                "self": number(line.self_score),
                "review": number(line.review_score),
            }
            for line in data.dimensions
        ],
        "total": number(data.total),
        "grade": data.grade,
        "rounds": {
            "self": {"total": number(data.self_round.total), "grade": data.self_round.grade},
            "review": {
                "total": number(data.review_round.total),
                "grade": data.review_round.grade,
            },
        },
        "assessed_by": data.assessed_by,
        "assessed_month": data.assessed_month,
        "signed_off": data.signed_off,
    }


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    gap = " " * max(width - _width(text), 0)
    return gap + text if right else text + gap


def _table(header: list[str], rows: list[list[str]], numeric: set[int]) -> list[str]:
    widths = [max(_width(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join(
            _pad(c, widths[i], right=i in numeric) for i, c in enumerate(cells)
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return [line(header), rule, *(line(r) for r in rows)]


def sheet_text(data: SheetData) -> str:
    """The seed's layout: title, the assessed organization, the legend, then one row of scores;
    below it, both rounds per dimension."""
    dash = "—"

    def n(value: Decimal | None) -> str:
        return number_format.one_decimal(value) if value is not None else dash

    lines = [
        f"{data.parent_name} {data.roc_year} 年度提升服務效能自行考核結果統計表",
        "",
        f"受考核單位：{data.organization_name}",
        "",
        data.legend,
        "",
    ]
    header = [
        "實施考核機關",
        "受考核單位名稱",
        *(
            f"{d.label}、{d.name}({number_format.one_decimal(d.maximum)} 分)"
            for d in data.dimensions
        ),
        "總分",
        "等第",
        "考核年月",
    ]
    row = [
        data.assessed_by or dash,
        data.organization_short_name,
        *(n(d.score) for d in data.dimensions),
        n(data.total),
        data.grade or dash,
        data.assessed_month or dash,
    ]
    numeric = set(range(2, 2 + len(data.dimensions) + 1))
    lines += _table(header, [row], numeric)
    lines += ["", "自評與複評："]
    rows = [
        [
            f"{d.label}、{d.name}",
            number_format.one_decimal(d.maximum),
            n(d.self_score),
            n(d.review_score),
        ]
        for d in data.dimensions
    ]
    rows.append(
        [
            "總分／等第",
            number_format.one_decimal(data.max_total),
            f"{n(data.self_round.total)} {data.self_round.grade or ''}".strip(),
            f"{n(data.review_round.total)} {data.review_round.grade or ''}".strip(),
        ]
    )
    lines += _table(["構面", "配分", "自評", "複評"], rows, {1, 2, 3})
    status = "已完成複評" if data.signed_off else "尚未完成複評"
    lines += ["", f"年度狀態：{data.status_label}；{status}"]
    return "\n".join(lines) + "\n"


class Command(BaseCommand):
    help = "Print a year's score sheet (考核結果統計表) as JSON or a text table."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", required=True, help="organization code, e.g. khh")
        parser.add_argument("--year", required=True, type=int, help="ROC year, e.g. 112")
        parser.add_argument("--format", choices=["json", "text"], default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        code = str(options["org"])
        roc_year = options["year"]
        organization = Organization.objects.filter(code=code).first()
        if organization is None:
            raise CommandError(f"找不到機關代碼「{code}」。")
        year = Year.objects.filter(organization=organization, roc_year=roc_year).first()
        if year is None:
            raise CommandError(f"{organization.short_name}沒有 {roc_year} 年度。")
        # Run by whoever operates the server: the whole sheet, the review in progress too.
        data = score_sheet_data(year, include_unsigned_review=True)
        if options["format"] == "json":
            self.stdout.write(json.dumps(sheet_json(data), ensure_ascii=False))
        else:
            self.stdout.write(sheet_text(data), ending="")
