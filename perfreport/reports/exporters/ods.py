"""ODF spreadsheet (odfpy): the same sheets as the workbook, because Taiwan's agencies publish
in ODF. Merged cells, wrapped text, column widths, the header rows repeated on every printed
page and frozen on screen, A4 landscape; formulas in OpenFormula with their computed values."""

import io
import re
from decimal import Decimal

from odf.config import (
    ConfigItem,
    ConfigItemMapEntry,
    ConfigItemMapIndexed,
    ConfigItemMapNamed,
    ConfigItemSet,
)
from odf.opendocument import OpenDocumentSpreadsheet
from odf.style import (
    MasterPage,
    PageLayout,
    PageLayoutProperties,
    Style,
    TableCellProperties,
    TableColumnProperties,
    TextProperties,
)
from odf.table import CoveredTableCell, Table, TableCell, TableColumn, TableHeaderRows, TableRow
from odf.text import P

from perfreport.reports.exporters.base import Exporter
from perfreport.reports.exporters.sheets import Cell, Sheet, build_sheets
from perfreport.reports.selectors import ReportData

_REF = re.compile(r"(\$?[A-Z]+\$?\d+)(?::(\$?[A-Z]+\$?\d+))?")


def open_formula(excel: str) -> str:
    """SUM(C5:C9) -> of:=SUM([.C5:.C9]); IF(a,"x",b) -> IF(a;"x";b). Our formulas hold no
    commas or cell-like text inside their string literals."""
    parts = re.split(r'("[^"]*")', excel)
    out = []
    for part in parts:
        if part.startswith('"'):
            out.append(part)
            continue
        part = _REF.sub(
            lambda m: f"[.{m[1]}:.{m[2]}]" if m[2] else f"[.{m[1]}]",
            part,
        )
        out.append(part.replace(",", ";"))
    return "of:=" + "".join(out)


def _text_value(value) -> str:  # type: ignore[no-untyped-def]
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


class _Styles:
    def __init__(self, doc: OpenDocumentSpreadsheet) -> None:
        layout = PageLayout(name="pm1")
        layout.addElement(
            PageLayoutProperties(
                pagewidth="29.7cm",
                pageheight="21cm",
                printorientation="landscape",
                margin="1.2cm",
            )
        )
        doc.automaticstyles.addElement(layout)
        doc.masterstyles.addElement(MasterPage(name="Default", pagelayoutname=layout))
        self.table = Style(name="ta1", family="table", masterpagename="Default")
        doc.automaticstyles.addElement(self.table)

        def cell_style(
            name: str, *, bold: bool = False, fill: str | None = None, border: bool = True
        ):  # type: ignore[no-untyped-def]
            style = Style(name=name, family="table-cell")
            props = {"wrapoption": "wrap", "verticalalign": "top"}
            if border:
                props["border"] = "0.5pt solid #000000"
            if fill:
                props["backgroundcolor"] = fill
                props["verticalalign"] = "middle"
            style.addElement(TableCellProperties(**props))
            if bold:
                style.addElement(TextProperties(fontweight="bold"))
            doc.automaticstyles.addElement(style)
            return style

        self.cells = {
            "title": cell_style("ce-title", bold=True, border=False),
            "header": cell_style("ce-header", bold=True, fill="#eeeeee"),
            "text": cell_style("ce-text"),
            "number": cell_style("ce-number"),
        }
        self.columns: dict[float, Style] = {}
        self._doc = doc

    def column(self, width: float) -> Style:
        if width not in self.columns:
            style = Style(name=f"co{len(self.columns) + 1}", family="table-column")
            # openpyxl widths are in characters; about 0.21 cm each.
            style.addElement(TableColumnProperties(columnwidth=f"{width * 0.21:.2f}cm"))
            self._doc.automaticstyles.addElement(style)
            self.columns[width] = style
        return self.columns[width]


def _cell(cell: Cell | None, styles: _Styles, span: tuple[int, int] | None) -> TableCell:
    attrs = {}
    if span:
        attrs["numberrowsspanned"] = span[0]
        attrs["numbercolumnsspanned"] = span[1]
    if cell is None:
        return TableCell(**attrs)
    attrs["stylename"] = styles.cells[cell.style]
    value = cell.value
    if cell.formula:
        attrs["formula"] = open_formula(cell.formula)
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        element = TableCell(valuetype="float", value=_text_value(value), **attrs)
    elif value is None or value == "":
        element = TableCell(**attrs)
    else:
        # Always a string cell: text never turns into a formula, whatever it starts with.
        element = TableCell(valuetype="string", stringvalue=value, **attrs)
    if value is not None and value != "":
        for line in _text_value(value).split("\n"):
            element.addElement(P(text=line))
    return element


def _table(sheet: Sheet, styles: _Styles) -> Table:
    table = Table(name=sheet.name, stylename=styles.table)
    for width in sheet.widths:
        table.addElement(TableColumn(stylename=styles.column(width)))
    spans = {(r1, c1): (r2 - r1 + 1, c2 - c1 + 1) for r1, c1, r2, c2 in sheet.merges}
    covered = {
        (r, c)
        for r1, c1, r2, c2 in sheet.merges
        for r in range(r1, r2 + 1)
        for c in range(c1, c2 + 1)
        if (r, c) != (r1, c1)
    }
    header = TableHeaderRows()
    table.addElement(header)
    for row in range(1, sheet.max_row + 1):
        element = TableRow()
        for column in range(1, sheet.max_column + 1):
            if (row, column) in covered:
                element.addElement(CoveredTableCell())
            else:
                element.addElement(
                    _cell(sheet.cells.get((row, column)), styles, spans.get((row, column)))
                )
        (header if row <= sheet.header_rows else table).addElement(element)
    return table


def _freeze_settings(doc: OpenDocumentSpreadsheet, sheets: list[Sheet]) -> None:
    """Freeze each sheet's header rows on screen (LibreOffice's view settings)."""
    view_settings = ConfigItemSet(name="ooo:view-settings")
    views = ConfigItemMapIndexed(name="Views")
    view = ConfigItemMapEntry()
    view.addElement(ConfigItem(name="ViewId", type="string", text="view1"))
    tables = ConfigItemMapNamed(name="Tables")
    for sheet in sheets:
        entry = ConfigItemMapEntry(name=sheet.name)
        rows = str(sheet.header_rows)
        for name, kind, value in (
            ("HorizontalSplitMode", "short", "0"),
            ("VerticalSplitMode", "short", "2"),
            ("VerticalSplitPosition", "int", rows),
            ("ActiveSplitRange", "short", "2"),
            ("PositionTop", "int", "0"),
            ("PositionBottom", "int", rows),
        ):
            entry.addElement(ConfigItem(name=name, type=kind, text=value))
        tables.addElement(entry)
    view.addElement(tables)
    views.addElement(view)
    view_settings.addElement(views)
    doc.settings.addElement(view_settings)


class OdsExporter(Exporter):
    identifier = "ods"
    label = "ODF"
    extension = "ods"
    content_type = "application/vnd.oasis.opendocument.spreadsheet"

    def render_bytes(self, data: ReportData) -> bytes:
        doc = OpenDocumentSpreadsheet()
        styles = _Styles(doc)
        sheets = build_sheets(data)
        for sheet in sheets:
            doc.spreadsheet.addElement(_table(sheet, styles))
        _freeze_settings(doc, sheets)
        buffer = io.BytesIO()
        doc.write(buffer)
        return buffer.getvalue()
