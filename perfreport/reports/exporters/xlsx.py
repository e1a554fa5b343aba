"""Excel (openpyxl): the shared sheet layout, with wrapped text, widths, a frozen header,
A4 landscape printing with the header rows repeated, and formulas that carry their values.

Text is always written as text: a results line that starts with = + - or @ must never become a
formula (spreadsheet injection). openpyxl does not store a formula's computed value, so the
values are written into the saved file afterwards; a reader that does not recalculate (or
`load_workbook(data_only=True)`) sees 920 and 優 as well as the formulas."""

import io
import re
import zipfile
from decimal import Decimal
from xml.sax.saxutils import escape

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from perfreport.reports.exporters.base import Exporter
from perfreport.reports.exporters.sheets import Sheet, build_sheets
from perfreport.reports.selectors import ReportData

THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(wrap_text=True, vertical="center", horizontal="center")
HEADER_FILL = PatternFill("solid", fgColor="EEEEEE")


def _write_sheet(ws, sheet: Sheet) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """Fill one worksheet; returns {cell reference: computed value} of its formula cells."""
    computed: dict[str, object] = {}
    for (row, column), cell in sorted(sheet.cells.items()):
        target = ws.cell(row=row, column=column)
        if cell.formula:
            target.value = f"={cell.formula}"
            computed[target.coordinate] = cell.value
        elif isinstance(cell.value, str):
            target.value = cell.value
            # Text stays text, whatever it starts with.
            target.data_type = "s"
            if cell.value[:1] in "=+-@":
                target.quotePrefix = True
        else:
            target.value = cell.value
        if cell.style == "title":
            target.font = Font(bold=True, size=13)
            target.alignment = Alignment(vertical="center")
        elif cell.style == "header":
            target.font = Font(bold=True)
            target.fill = HEADER_FILL
            target.alignment = CENTER
            target.border = BORDER
        else:
            target.alignment = WRAP
            target.border = BORDER
    for r1, c1, r2, c2 in sheet.merges:
        ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)
    for column, width in enumerate(sheet.widths, start=1):
        ws.column_dimensions[get_column_letter(column)].width = width
    ws.freeze_panes = ws.cell(row=sheet.header_rows + 1, column=1).coordinate
    ws.print_title_rows = f"1:{sheet.header_rows}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    return computed


_FORMULA_CELL = re.compile(
    r'<c r="(?P<ref>[A-Z]+\d+)"(?P<attrs>[^>]*)><f>(?P<f>[^<]*)</f><v\s*/?>(?:</v>)?</c>'
)


def _with_cached_values(content: bytes, computed: dict[str, dict[str, object]]) -> bytes:
    """Write each formula's computed value into the sheet XML openpyxl saved."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            values = computed.get(info.filename)
            if values:
                text = data.decode("utf-8")

                def fill(match: re.Match[str], values=values) -> str:
                    ref = match["ref"]
                    if ref not in values:
                        return match[0]
                    value = values[ref]
                    attrs = re.sub(r'\s*t="[^"]*"', "", match["attrs"])
                    if isinstance(value, str):
                        return f'<c r="{ref}"{attrs} t="str"><f>{match["f"]}</f><v>{escape(value)}</v></c>'
                    shown = format(value, "f") if isinstance(value, Decimal) else str(value)
                    return f'<c r="{ref}"{attrs}><f>{match["f"]}</f><v>{shown}</v></c>'

                data = _FORMULA_CELL.sub(fill, text).encode("utf-8")
            target.writestr(info, data)
    return out.getvalue()


class XlsxExporter(Exporter):
    identifier = "xlsx"
    label = "Excel"
    extension = "xlsx"
    content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

    def render_bytes(self, data: ReportData) -> bytes:
        workbook = Workbook()
        workbook.remove(workbook.active)
        computed: dict[str, dict[str, object]] = {}
        for index, sheet in enumerate(build_sheets(data), start=1):
            ws = workbook.create_sheet(sheet.name)
            computed[f"xl/worksheets/sheet{index}.xml"] = _write_sheet(ws, sheet)
        buffer = io.BytesIO()
        workbook.save(buffer)
        return _with_cached_values(buffer.getvalue(), computed)
