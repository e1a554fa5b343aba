"""The one writer of every workbook the app produces (the year-end report, the plan, the
headquarters comparison): a sheet is laid out once as plain cells, merges and formulas, and
`write_xlsx` turns it into a file with XlsxWriter.

What every workbook gets here, and nowhere else:
- text is always written as text (`write_string`); text starting with = + - @ is also marked
  with a quote prefix, so editing the cell in Excel or LibreOffice does not turn it into a formula;
- control characters that XML cannot hold are dropped (tab, line feed, carriage return stay);
- a formula carries its computed value (`write_formula(..., value=)`), so readers that do not
  recalculate see the figure too;
- column widths, row heights fitted to the wrapped text (merged cells included, CJK characters
  counted double), a Traditional Chinese font, frozen header rows repeated on every printed page,
  A4 landscape fitted to the page width, a print header and the document properties.

The report's ODF sheet (perfreport/reports/exporters/ods.py) translates the same `Sheet`s, with
the same row heights, so the two files print alike.
"""

import io
import math
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from strategies import number_format

# Taiwanese (Traditional) glyph forms; LibreOffice falls back to a Simplified design otherwise.
FONT = "AR PL UMing TW"
FONT_SIZE = 10
LANGUAGE = "zh-TW"
# Points per printed line of 10 pt text in the Traditional font (measured in LibreOffice), and the cell's padding above and below.
LINE_HEIGHT = 11.5
ROW_PADDING = 4.0
MIN_ROW_HEIGHT = 16.5
MAX_ROW_HEIGHT = 409.0  # Excel's limit for one row
FORMULA_PREFIXES = ("=", "+", "-", "@")
_NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

Value = str | int | float | Decimal | None


def clean_text(text: str) -> str:
    """The text without the control characters XML cannot hold."""
    return _NOT_IN_XML.sub("", text)


def text_width(text: str) -> int:
    """Width in column units: a CJK character counts two. Every character from U+0800 up (three
    or four bytes in UTF-8: CJK, kana, hangul, full-width forms, and the punctuation and symbols
    a CJK font draws full width) counts as wide; this is one C-level encode per text."""
    size = len(text)
    return size + (len(text.encode("utf-8")) - size) // 2


def lines_needed(text: str, width: float) -> int:
    """Printed lines of `text` wrapped in a column `width` units wide (one unit of padding)."""
    usable = max(width - 1.0, 1.0)
    if "\n" not in text:
        return max(1, math.ceil(text_width(text) / usable))
    return sum(max(1, math.ceil(text_width(line) / usable)) for line in text.split("\n"))


class Cell(NamedTuple):
    """A cell's value; `formula` (Excel syntax, without "=") when the value is computed."""

    value: Value
    style: str = "text"  # title | header | text | number | note
    formula: str | None = None


@dataclass
class Sheet:
    name: str
    widths: list[float]
    header_rows: int  # frozen on screen and repeated on every printed page
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)  # (row, column), 1-based
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # r1, c1, r2, c2
    max_row: int = 0
    max_column: int = 0

    def __post_init__(self) -> None:
        self.max_column = max(self.max_column, len(self.widths))

    def put(
        self, row: int, column: int, value: Value, style: str = "text", formula: str | None = None
    ) -> None:
        if isinstance(value, str) and not value.isprintable():  # only then can it hold one
            value = clean_text(value)
        self.cells[(row, column)] = Cell(value, style, formula)
        if row > self.max_row:
            self.max_row = row
        if column > self.max_column:
            self.max_column = column

    def merge(self, r1: int, c1: int, r2: int, c2: int) -> None:
        if (r1, c1) != (r2, c2):
            self.merges.append((r1, c1, r2, c2))
            self.max_row = max(self.max_row, r2)
            self.max_column = max(self.max_column, c2)

    def width(self, column: int) -> float:
        return self.widths[column - 1] if column <= len(self.widths) else 8.43

    def row_heights(self) -> dict[int, float]:
        """Points per row, so every wrapped text shows in full when printed. A cell merged over
        several rows that needs more than those rows give it spreads the difference evenly."""
        spans = {(r1, c1): (r2, c2) for r1, c1, r2, c2 in self.merges}
        lines: dict[int, int] = {}
        tall: list[tuple[int, int, int]] = []  # first row, last row, lines
        widths = [0.0, *(self.width(c) for c in range(1, self.max_column + 1))]
        for (row, column), cell in self.cells.items():
            value = cell.value
            if value is None or value == "":
                continue
            last_row, last_column = spans.get((row, column), (row, column))
            width = (
                widths[column] if last_column == column else sum(widths[column : last_column + 1])
            )
            if not isinstance(value, str):
                needed = 1
            elif "\n" in value:
                needed = lines_needed(value, width)
            else:  # lines_needed inlined: this loop runs for every cell of the workbook
                size = len(value)
                wide = size + (len(value.encode("utf-8")) - size) // 2
                needed = max(1, math.ceil(wide / max(width - 1.0, 1.0)))
            if cell.style == "title":
                needed = math.ceil(needed * 1.4)
            if last_row == row:
                lines[row] = max(lines.get(row, 1), needed)
            else:
                tall.append((row, last_row, needed))
        heights = {
            row: min(MAX_ROW_HEIGHT, max(MIN_ROW_HEIGHT, n * LINE_HEIGHT + ROW_PADDING))
            for row, n in lines.items()
        }
        for first, last, needed in tall:
            rows = range(first, last + 1)
            have = sum(heights.get(r, MIN_ROW_HEIGHT) for r in rows)
            want = needed * LINE_HEIGHT + ROW_PADDING
            if want > have:
                extra = (want - have) / len(rows)
                for r in rows:
                    heights[r] = min(MAX_ROW_HEIGHT, heights.get(r, MIN_ROW_HEIGHT) + extra)
        return heights


@dataclass(frozen=True)
class Properties:
    """Document properties: what a file manager or the office suite shows as title and author."""

    title: str
    organization: str
    year: str = ""  # "112"
    subject: str = ""
    print_header: str = ""  # printed on top of every page, e.g. 草稿／未發布


def display(value: Value) -> str:
    """A cell value as text: Decimal without trailing zeros, None as blank."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return number_format.plain(value)
    return str(value)


def number_value(value: int | float | Decimal) -> int | float:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


_STYLES: dict[str, dict[str, object]] = {
    "title": {"bold": True, "font_size": 14, "valign": "vcenter", "text_wrap": True},
    "header": {
        "bold": True,
        "bg_color": "#EEEEEE",
        "align": "center",
        "valign": "vcenter",
        "text_wrap": True,
        "border": 1,
    },
    "text": {"text_wrap": True, "valign": "top", "border": 1},
    "number": {"valign": "top", "border": 1, "num_format": "General"},
    "note": {"text_wrap": True, "valign": "top"},
    "mark": {"bold": True, "font_color": "#B00020", "font_size": 14, "valign": "vcenter"},
}


class _Formats:
    def __init__(self, workbook: xlsxwriter.Workbook) -> None:
        self._workbook = workbook
        self._made: dict[tuple[str, bool], object] = {}

    def get(self, style: str, quoted: bool = False) -> object:
        key = (style, quoted)
        if key not in self._made:
            spec = {
                "font_name": FONT,
                "font_size": FONT_SIZE,
                "font_charset": 136,  # Big5: Traditional Chinese
                **_STYLES[style],
            }
            if quoted:
                spec["quote_prefix"] = True
            self._made[key] = self._workbook.add_format(spec)
        return self._made[key]


def _write_cell(ws: Worksheet, formats: _Formats, row: int, column: int, cell: Cell) -> None:
    value = cell.value
    if cell.formula:
        cached = number_value(value) if isinstance(value, int | float | Decimal) else value
        ws.write_formula(
            row,
            column,
            f"={cell.formula}",
            formats.get(cell.style),
            "" if cached is None else cached,
        )
    elif isinstance(value, str):
        quoted = value.startswith(FORMULA_PREFIXES)
        ws.write_string(row, column, value, formats.get(cell.style, quoted))
    elif isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        ws.write_number(row, column, number_value(value), formats.get(cell.style))
    else:
        ws.write_blank(row, column, None, formats.get(cell.style))


def _header_text(text: str) -> str:
    # "&" starts a control code in Excel's header syntax.
    return '&C&"' + FONT + ',Bold"' + text.replace("&", "&&") + "&R&P / &N"


def write_xlsx(sheets: list[Sheet], properties: Properties) -> bytes:
    """The workbook's bytes; the first sheet is the one it opens on."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    workbook.set_properties(
        {
            "title": properties.title,
            "subject": properties.subject or properties.title,
            "author": properties.organization,
            "company": properties.organization,
            "keywords": f"{properties.organization}, {properties.year}".strip(", "),
            "category": properties.year,
        }
    )
    if properties.year:
        workbook.set_custom_property("year", properties.year)
    workbook.set_custom_property("language", LANGUAGE)
    # The default font sets the width unit: a digit of the Traditional font, half a CJK character.
    default = workbook.formats[0]
    default.set_font_name(FONT)
    default.set_font_size(FONT_SIZE)
    default.set_font_charset(136)
    formats = _Formats(workbook)
    for sheet in sheets:
        ws = workbook.add_worksheet(sheet.name)
        for column, width in enumerate(sheet.widths):
            ws.set_column(column, column, width)
        for row, height in sheet.row_heights().items():
            ws.set_row(row - 1, height)
        # Blank the merged areas first; the top-left cell is written with its typed writer below.
        for r1, c1, r2, c2 in sheet.merges:
            style = sheet.cells.get((r1, c1), Cell(None)).style
            ws.merge_range(r1 - 1, c1 - 1, r2 - 1, c2 - 1, None, formats.get(style))
        text_formats = {style: formats.get(style) for style in _STYLES}
        for (row, column), cell in sorted(sheet.cells.items()):
            value = cell.value
            # Plain text is nearly every cell: written here without a further call.
            if type(value) is str and not cell.formula and not value.startswith(FORMULA_PREFIXES):
                ws.write_string(row - 1, column - 1, value, text_formats[cell.style])
            else:
                _write_cell(ws, formats, row - 1, column - 1, cell)
        if sheet.header_rows:
            ws.freeze_panes(sheet.header_rows, 0)
            ws.repeat_rows(0, sheet.header_rows - 1)
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)  # every column on the page's width, as many pages down as needed
        ws.set_margins(left=0.5, right=0.5, top=0.75, bottom=0.6)
        ws.set_header(_header_text(properties.print_header), {"margin": 0.3})
    workbook.close()
    return buffer.getvalue()
