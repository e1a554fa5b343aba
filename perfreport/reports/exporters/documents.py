"""The report as a document (ODT and DOCX) in the seed's layout, laid out once here so the two
files hold the same text: a cover, each dimension's table (strategy and method cells merged over
their rows, the header row repeated on every page), then the score sheet with its legend.

The tables are the spreadsheet layout's own grids (sheets.py) without their title rows, so the
documents, the workbooks and the PDF cannot disagree about a cell.
"""

from dataclasses import dataclass, field

from perfreport.reports.exporters.marks import print_header, status_text
from perfreport.reports.exporters.sheets import dimension_sheet, score_layout, score_sheet
from perfreport.reports.selectors import ReportData
from strategies import number_format
from strategies.workbook import FONT, Sheet

__all__ = ["FONT", "PAGE_WIDTH_CM", "Block", "Document", "build_document"]

# A4 landscape with 1.5 cm margins.
PAGE_WIDTH_CM = 29.7
PAGE_HEIGHT_CM = 21.0
MARGIN_CM = 1.5
TEXT_WIDTH_CM = PAGE_WIDTH_CM - 2 * MARGIN_CM


@dataclass
class Block:
    """A heading, lines of text under it, then a table (header rows first), if any."""

    heading: str
    notes: list[str] = field(default_factory=list)
    table: Sheet | None = None

    def column_widths_cm(self) -> list[float]:
        assert self.table is not None
        total = sum(self.table.widths)
        return [TEXT_WIDTH_CM * w / total for w in self.table.widths]


@dataclass
class Document:
    title: str
    organization: str
    year: str
    status: str  # 草稿／未發布 or the issued version
    header: str  # printed on top of every page
    cover: list[tuple[str, str]]
    blocks: list[Block]


def _rows(sheet: Sheet, first: int, last: int, header_rows: int, columns: int) -> Sheet:
    """Rows first..last (and columns 1..columns) of a sheet as a table of their own."""
    table = Sheet(name=sheet.name, widths=sheet.widths[:columns], header_rows=header_rows)
    shift = first - 1
    for (row, column), cell in sheet.cells.items():
        if first <= row <= last and column <= columns:
            table.put(row - shift, column, cell.value, cell.style)
    for r1, c1, r2, c2 in sheet.merges:
        if first <= r1 and r2 <= last and c2 <= columns:
            table.merge(r1 - shift, c1, r2 - shift, c2)
    return table


def build_document(data: ReportData) -> Document:
    blocks = []
    for index, dimension in enumerate(data.dimensions):
        sheet = dimension_sheet(data, index)
        table = _rows(sheet, 2, max(sheet.max_row, 2), 1, len(sheet.widths))
        blocks.append(Block(heading=dimension.heading, table=table))
    scores = score_sheet(data)
    layout = score_layout(data)
    last_row = layout.first_round_row + max(len(data.rounds), 1) - 1
    blocks.append(
        Block(
            heading=data.score_sheet_title,
            notes=[f"受考核單位：{data.organization_name}", data.legend],
            table=_rows(scores, 4, last_row, 2, layout.last_column),
        )
    )
    cover = [
        ("受考核單位", data.organization_name),
        ("年度", f"{data.roc_year} 年度"),
        ("總分", number_format.plain(data.total) or "—"),
        ("等第", data.grade or "—"),
        ("實施考核機關", data.assessed_by),
        ("考核年月", data.assessed_month_label),
        ("版本", status_text(data)),
    ]
    return Document(
        title=data.title,
        organization=data.organization_name,
        year=str(data.roc_year),
        status=status_text(data),
        header=print_header(data),
        cover=[(label, value) for label, value in cover if value],
        blocks=blocks,
    )
