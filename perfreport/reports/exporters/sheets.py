"""The spreadsheet layout shared by the workbook (XLSX) and the ODF sheet (ODS).

`build_sheets(data)` lays the report out once as plain cells, merges and formulas; xlsx.py and
ods.py only translate it, so the two files hold the same content cell for cell.

Per dimension, one sheet ("構面一" ...): row 1 the heading, row 2 the seed's columns
(執行策略 | 執行方法 (two columns: the method, then its numbered sub-item) | 主辦單位 | 具體作法 |
執行績效與成果 (1-12 月)), then one row per item; strategy and method cells merged over their rows.

The score sheet ("考核結果統計表"): each dimension's score per round, the total as =SUM(), the
grade as nested IFs over the band table on the same sheet, and the computed values beside them.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal

from perfreport.reports.selectors import ReportData, format_number

HEADER = ["執行策略", "執行方法", "", "主辦單位", "具體作法", "執行績效與成果 (1-12 月)"]
WIDTHS = [14.0, 24.0, 26.0, 12.0, 44.0, 48.0]
SCORE_WIDTHS = [26.0, 12.0, 12.0, 12.0, 12.0]
FIRST_DATA_ROW = 3
# Control characters (pasted from other programs) that XML, and so XLSX and ODS, cannot hold;
# tab, line feed and carriage return stay.
_NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass(frozen=True)
class Cell:
    """A cell's value; `formula` (Excel syntax, without "=") when the value is computed."""

    value: str | int | Decimal | None
    style: str = "text"  # title | header | text | number
    formula: str | None = None


@dataclass
class Sheet:
    name: str
    widths: list[float]
    header_rows: int  # frozen and repeated on every printed page
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)  # (row, column), 1-based
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # r1, c1, r2, c2

    def put(self, row: int, column: int, value, style: str = "text", formula=None) -> None:  # type: ignore[no-untyped-def]
        if isinstance(value, str):
            value = _NOT_IN_XML.sub("", value)
        self.cells[(row, column)] = Cell(value, style, formula)

    def merge(self, r1: int, c1: int, r2: int, c2: int) -> None:
        if (r1, c1) != (r2, c2):
            self.merges.append((r1, c1, r2, c2))

    @property
    def max_row(self) -> int:
        return max((r for r, _c in self.cells), default=0)

    @property
    def max_column(self) -> int:
        return max(len(self.widths), max((c for _r, c in self.cells), default=0))


def column_letter(column: int) -> str:
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def number(value: Decimal | None) -> int | Decimal | None:
    """Whole numbers as int, so 184.0 shows as 184."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else value.normalize()


def dimension_sheet(data: ReportData, index: int) -> Sheet:
    dimension = data.dimensions[index]
    sheet = Sheet(name=f"構面{dimension.label}", widths=list(WIDTHS), header_rows=2)
    sheet.put(1, 1, dimension.heading, "title")
    sheet.merge(1, 1, 1, len(HEADER))
    for column, text in enumerate(HEADER, start=1):
        if text:
            sheet.put(2, column, text, "header")
    sheet.merge(2, 2, 2, 3)
    row_number = FIRST_DATA_ROW
    for row in dimension.rows:
        if row.strategy:
            sheet.put(row_number, 1, row.strategy.text)
            sheet.merge(row_number, 1, row_number + row.strategy_rowspan - 1, 1)
        if row.method:
            sheet.put(row_number, 2, row.method.text)
            last_column = 2 if row.method_has_item_column else 3
            sheet.merge(row_number, 2, row_number + row.method_rowspan - 1, last_column)
        if row.method_has_item_column:
            sheet.put(row_number, 3, row.item.text)
        sheet.put(row_number, 4, row.item.host_label)
        sheet.put(row_number, 5, row.item.planned_actions)
        sheet.put(row_number, 6, row.item.results)
        row_number += 1
    return sheet


def score_sheet(data: ReportData) -> Sheet:
    """Rows: title, organization, legend, header, one per dimension, 總分, 等第, then the
    computed values, who assessed it and when, and the band table the grade formulas read."""
    rounds = data.rounds
    sheet = Sheet(
        name="考核結果統計表", widths=SCORE_WIDTHS[: 2 + max(len(rounds), 1)], header_rows=4
    )
    last_column = 2 + max(len(rounds), 1)
    sheet.put(1, 1, data.score_sheet_title, "title")
    sheet.merge(1, 1, 1, last_column)
    sheet.put(2, 1, f"受考核單位：{data.organization_name}")
    sheet.merge(2, 1, 2, last_column)
    sheet.put(3, 1, data.legend)
    sheet.merge(3, 1, 3, last_column)
    sheet.put(4, 1, "考核項目", "header")
    sheet.put(4, 2, "配分", "header")
    for offset, line in enumerate(rounds):
        sheet.put(4, 3 + offset, line.label, "header")

    first = 5
    for offset, dimension in enumerate(data.dimensions):
        row = first + offset
        sheet.put(row, 1, dimension.short_heading)
        sheet.put(row, 2, number(dimension.max_score), "number")
        for r_offset, line in enumerate(rounds):
            sheet.put(row, 3 + r_offset, number(line.scores[offset]), "number")
    last = first + len(data.dimensions) - 1
    total_row, grade_row = last + 1, last + 2
    computed_total_row, computed_grade_row = last + 3, last + 4
    by_row, month_row = last + 5, last + 6
    bands_header = last + 8
    band_rows = {label: bands_header + 1 + i for i, label in enumerate("優甲乙丙丁")}

    sheet.put(total_row, 1, "總分", "header")
    sheet.put(
        total_row,
        2,
        number(data.max_total),
        "number",
        f"SUM(B{first}:B{last})",
    )
    sheet.put(grade_row, 1, "等第", "header")
    sheet.put(computed_total_row, 1, "總分（計算值）", "header")
    sheet.put(computed_grade_row, 1, "等第（計算值）", "header")
    for offset, line in enumerate(rounds):
        col = column_letter(3 + offset)
        if line.total is None:
            continue  # an unfinished round has no total and no grade
        total_ref = f"{col}{total_row}"
        sheet.put(
            total_row, 3 + offset, number(line.total), "number", f"SUM({col}{first}:{col}{last})"
        )
        grade_formula = "".join(
            f'IF({total_ref}>=$B${band_rows[label]},"{label}",' for label in "優甲乙丙"
        )
        sheet.put(grade_row, 3 + offset, line.grade, "text", f'{grade_formula}"丁"))))')
        sheet.put(computed_total_row, 3 + offset, number(line.total), "number")
        sheet.put(computed_grade_row, 3 + offset, line.grade)

    sheet.put(by_row, 1, "實施考核機關", "header")
    sheet.put(by_row, 2, data.assessed_by)
    sheet.put(month_row, 1, "考核年月", "header")
    sheet.put(month_row, 2, data.assessed_month_label)

    sheet.put(bands_header, 1, "等第區間", "header")
    sheet.put(bands_header, 2, "總分下限", "header")
    for grade, lower, _upper in data.bands.ranges():
        sheet.put(band_rows[str(grade)], 1, str(grade))
        sheet.put(band_rows[str(grade)], 2, number(lower), "number")
    return sheet


def build_sheets(data: ReportData) -> list[Sheet]:
    return [dimension_sheet(data, i) for i in range(len(data.dimensions))] + [score_sheet(data)]


def display(value) -> str:  # type: ignore[no-untyped-def]
    """A cell value as text, the way the comparison tests read it."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format_number(value)
    return str(value)
