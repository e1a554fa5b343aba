"""The spreadsheet layout shared by the workbook (XLSX) and the ODF sheet (ODS).

`build_sheets(data)` lays the report out once as plain cells, merges and formulas
(strategies.workbook's `Sheet`); xlsx.py and ods.py only translate it, so the two files hold the
same content cell for cell and print alike.

- "封面" (the sheet the workbook opens on): the report's title, organization, year, the total and
  grade (formulas reading the score sheet), who assessed it and when, and whether the file is a
  draft or which issued version it is.
- Per dimension, one sheet ("構面一" ...): row 1 the heading (and the draft or version mark in
  the last column), row 2 the seed's columns (執行策略 | 執行方法 (two columns: the method, then
  its numbered sub-item) | 主辦單位 | 具體作法 | 執行績效與成果 (1-12 月)), then one row per item;
  strategy and method cells merged over their rows.
- "考核結果統計表" in the seed's own layout: 實施考核機關 | 編號 | 受考核單位名稱 | 考核項目成績
  (1000 分) over one column per dimension | 總分 | 等第 | 考核年月, then 評分階段; one row per
  scoring round, the total as =SUM() and the grade as nested IFs over the band table below it.
  No cell holds a copy of a computed value: edit a score and the total and grade follow.
"""

from dataclasses import dataclass
from decimal import Decimal

from perfreport.reports.exporters.marks import print_header, status_text
from perfreport.reports.selectors import ReportData
from strategies import number_format
from strategies.workbook import Properties, Sheet, Value, display, number_value

__all__ = ["SCORE_SHEET", "TITLE_SHEET", "Sheet", "build_sheets", "display", "properties"]

HEADER = ["執行策略", "執行方法", "", "主辦單位", "具體作法", "執行績效與成果 (1-12 月)"]
WIDTHS = [14.0, 24.0, 26.0, 12.0, 44.0, 48.0]
FIRST_DATA_ROW = 3
TITLE_SHEET = "封面"
SCORE_SHEET = "考核結果統計表"
# 實施考核機關, 編號, 受考核單位名稱, (one per dimension), 總分, 等第, 考核年月, 評分階段
SCORE_FIXED_WIDTHS = (10.0, 6.0, 12.0)
SCORE_DIMENSION_WIDTH = 12.0
SCORE_TAIL_WIDTHS = (8.0, 7.0, 9.0, 18.0)
SCORE_HEADER_ROWS = 5


def column_letter(column: int) -> str:
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def number(value: int | float | Decimal | None) -> int | float | None:
    """Whole numbers as int, so 184.0 shows as 184."""
    return None if value is None else number_value(value)


def properties(data: ReportData) -> Properties:
    return Properties(
        title=data.title,
        organization=data.organization_name,
        year=str(data.roc_year),
        subject=data.score_sheet_title,
        print_header=print_header(data),
    )


def _mark(sheet: Sheet, data: ReportData, column: int) -> None:
    sheet.put(1, column, status_text(data), "mark")


def dimension_sheet(data: ReportData, index: int) -> Sheet:
    dimension = data.dimensions[index]
    sheet = Sheet(name=f"構面{dimension.label}", widths=list(WIDTHS), header_rows=2)
    sheet.put(1, 1, dimension.heading, "title")
    sheet.merge(1, 1, 1, len(HEADER) - 1)
    _mark(sheet, data, len(HEADER))
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


@dataclass(frozen=True)
class ScoreLayout:
    """Where the score sheet keeps what the title sheet's formulas read."""

    first_round_row: int
    dimension_columns: list[int]
    total_column: int
    grade_column: int
    month_column: int
    round_column: int
    band_rows: dict[str, int]

    @property
    def last_column(self) -> int:
        return self.round_column


def score_layout(data: ReportData) -> ScoreLayout:
    dims = len(data.dimensions)
    first_dim = len(SCORE_FIXED_WIDTHS) + 1
    total = first_dim + dims
    first_round_row = SCORE_HEADER_ROWS + 1
    bands_header = first_round_row + max(len(data.rounds), 1) + 1
    return ScoreLayout(
        first_round_row=first_round_row,
        dimension_columns=list(range(first_dim, total)),
        total_column=total,
        grade_column=total + 1,
        month_column=total + 2,
        round_column=total + 3,
        band_rows={label: bands_header + 1 + i for i, label in enumerate("優甲乙丙丁")},
    )


def score_sheet(data: ReportData) -> Sheet:
    layout = score_layout(data)
    widths = [
        *SCORE_FIXED_WIDTHS,
        *[SCORE_DIMENSION_WIDTH] * len(layout.dimension_columns),
        *SCORE_TAIL_WIDTHS,
    ]
    sheet = Sheet(name=SCORE_SHEET, widths=widths, header_rows=SCORE_HEADER_ROWS)
    last = layout.last_column
    sheet.put(1, 1, data.score_sheet_title, "title")
    sheet.merge(1, 1, 1, last - 1)
    _mark(sheet, data, last)
    sheet.put(2, 1, f"受考核單位：{data.organization_name}", "note")
    sheet.merge(2, 1, 2, last)
    sheet.put(3, 1, data.legend, "note")
    sheet.merge(3, 1, 3, last)

    # Two header rows: 考核項目成績 spans the dimensions, the other heads span both rows.
    heads = {
        1: "實施考核機關",
        2: "編號",
        3: "受考核單位名稱",
        layout.total_column: "總分",
        layout.grade_column: "等第",
        layout.month_column: "考核年月",
        layout.round_column: "評分階段",
    }
    for column, text in heads.items():
        sheet.put(4, column, text, "header")
        sheet.merge(4, column, 5, column)
    first_dim, last_dim = layout.dimension_columns[0], layout.dimension_columns[-1]
    sheet.put(4, first_dim, f"考核項目成績 ({number_format.plain(data.max_total)} 分)", "header")
    sheet.merge(4, first_dim, 4, last_dim)
    for column, dimension in zip(layout.dimension_columns, data.dimensions, strict=True):
        sheet.put(5, column, dimension.short_heading, "header")

    first_letter, last_letter = column_letter(first_dim), column_letter(last_dim)
    total_letter = column_letter(layout.total_column)
    row = layout.first_round_row
    for line in data.rounds:
        sheet.put(row, 1, data.assessed_by)
        sheet.put(row, 2, "")
        sheet.put(row, 3, data.organization_short_name or data.organization_name)
        for column, score in zip(layout.dimension_columns, line.scores, strict=True):
            sheet.put(row, column, number(score), "number")
        if line.total is not None:  # an unfinished round has no total and no grade
            sheet.put(
                row,
                layout.total_column,
                number(line.total),
                "number",
                f"SUM({first_letter}{row}:{last_letter}{row})",
            )
            grade_formula = "".join(
                f'IF({total_letter}{row}>=$B${layout.band_rows[label]},"{label}",'
                for label in "優甲乙丙"
            )
            sheet.put(row, layout.grade_column, line.grade, "text", f'{grade_formula}"丁"))))')
        else:
            sheet.put(row, layout.total_column, None, "number")
            sheet.put(row, layout.grade_column, "")
        sheet.put(row, layout.month_column, data.assessed_month_label)
        sheet.put(row, layout.round_column, line.label)
        row += 1
    if not data.rounds:
        sheet.put(row, 1, "尚未評分。", "note")
        sheet.merge(row, 1, row, last)

    bands_header = min(layout.band_rows.values()) - 1
    sheet.put(bands_header, 1, "等第", "header")
    sheet.put(bands_header, 2, "總分下限", "header")
    sheet.merge(bands_header, 2, bands_header, 3)
    for grade, lower, _upper in data.bands.ranges():
        band_row = layout.band_rows[str(grade)]
        sheet.put(band_row, 1, str(grade))
        sheet.put(band_row, 2, number(lower), "number")
    return sheet


def final_round_row(data: ReportData) -> int | None:
    """The score sheet row of the round the report's total and grade come from."""
    final = data.final
    if final is None or final.total is None:
        return None
    return score_layout(data).first_round_row + data.rounds.index(final)


def title_sheet(data: ReportData) -> Sheet:
    sheet = Sheet(name=TITLE_SHEET, widths=[18.0, 70.0], header_rows=0)
    sheet.put(1, 1, status_text(data), "mark")
    sheet.merge(1, 1, 1, 2)
    sheet.put(2, 1, data.title, "title")
    sheet.merge(2, 1, 2, 2)
    layout = score_layout(data)
    row = final_round_row(data)
    ref = f"'{SCORE_SHEET}'!"
    facts: list[tuple[str, Value, str, str | None]] = [
        ("受考核單位", data.organization_name, "text", None),
        ("年度", f"{data.roc_year} 年度", "text", None),
        (
            "總分",
            number(data.total),
            "number",
            f"{ref}{column_letter(layout.total_column)}{row}" if row else None,
        ),
        (
            "等第",
            data.grade,
            "text",
            f"{ref}{column_letter(layout.grade_column)}{row}" if row else None,
        ),
        ("實施考核機關", data.assessed_by, "text", None),
        ("考核年月", data.assessed_month_label, "text", None),
        ("版本", status_text(data), "text", None),
        (
            "內容",
            "、".join([*(f"構面{d.label}" for d in data.dimensions), SCORE_SHEET]),
            "text",
            None,
        ),
    ]
    for offset, (label, value, style, formula) in enumerate(facts, start=3):
        sheet.put(offset, 1, label, "header")
        sheet.put(offset, 2, value, style, formula)
    return sheet


def build_sheets(data: ReportData) -> list[Sheet]:
    return [
        title_sheet(data),
        *(dimension_sheet(data, i) for i in range(len(data.dimensions))),
        score_sheet(data),
    ]
