"""ODF spreadsheet (odfpy): the same sheets as the workbook, because Taiwan's agencies publish
in ODF. Merged cells, wrapped text, column widths and the same fitted row heights, the header rows
repeated on every printed page and frozen on screen, A4 landscape scaled to the page width, the
draft or version mark in every page's header; formulas in OpenFormula with their computed values.
Text is marked as Traditional Chinese (zh-TW) in a Taiwanese font, so LibreOffice does not fall
back to a Simplified design."""

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
from odf.dc import Language, Subject, Title
from odf.meta import UserDefined
from odf.namespaces import LOEXTNS
from odf.opendocument import OpenDocumentSpreadsheet
from odf.style import (
    DefaultStyle,
    FontFace,
    Header,
    HeaderFooterProperties,
    HeaderStyle,
    MasterPage,
    PageLayout,
    PageLayoutProperties,
    Style,
    TableCellProperties,
    TableColumnProperties,
    TableRowProperties,
    TextProperties,
)
from odf.table import CoveredTableCell, Table, TableCell, TableColumn, TableHeaderRows, TableRow
from odf.text import P, PageNumber

from perfreport.reports.exporters.base import Exporter
from perfreport.reports.exporters.sheets import build_sheets, properties
from perfreport.reports.selectors import ReportData
from strategies.workbook import FONT, FONT_SIZE, Cell, Properties, Sheet

_REF = re.compile(r"(?:'([^']+)'!)?(\$?[A-Z]+\$?\d+)(?::(\$?[A-Z]+\$?\d+))?")


def open_formula(excel: str) -> str:
    """SUM(C5:C9) -> of:=SUM([.C5:.C9]); IF(a,"x",b) -> IF(a;"x";b); 'S'!A1 -> [$'S'.A1].
    Our formulas hold no commas or cell-like text inside their string literals."""
    parts = re.split(r'("[^"]*")', excel)
    out = []
    for part in parts:
        if part.startswith('"'):
            out.append(part)
            continue

        def ref(m: re.Match[str]) -> str:
            sheet = f"$'{m[1]}'" if m[1] else ""
            return f"[{sheet}.{m[2]}:.{m[3]}]" if m[3] else f"[{sheet}.{m[2]}]"

        out.append(_REF.sub(ref, part).replace(",", ";"))
    return "of:=" + "".join(out)


def _text_value(value: object) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


_LANGUAGE = {
    "language": "zh",
    "country": "TW",
    "languageasian": "zh",
    "countryasian": "TW",
    "fontname": FONT,
    "fontnameasian": FONT,
    "fontsize": f"{FONT_SIZE}pt",
    "fontsizeasian": f"{FONT_SIZE}pt",
}


class _Styles:
    def __init__(self, doc: OpenDocumentSpreadsheet, props: Properties) -> None:
        doc.fontfacedecls.addElement(
            FontFace(name=FONT, fontfamily=FONT, fontfamilygeneric="roman", fontpitch="variable")
        )
        default = DefaultStyle(family="table-cell")
        default.addElement(TextProperties(**_LANGUAGE))
        doc.styles.addElement(default)
        layout = PageLayout(name="pm1")
        page = PageLayoutProperties(
            pagewidth="29.7cm",
            pageheight="21cm",
            printorientation="landscape",
            margin="1.2cm",
        )
        # Every column on the page's width, as many pages down as needed.
        page.setAttrNS(LOEXTNS, "scale-to-X", "1")
        page.setAttrNS(LOEXTNS, "scale-to-Y", "0")
        layout.addElement(page)
        # LibreOffice prints a header only when the page layout turns one on.
        header_style = HeaderStyle()
        header_style.addElement(HeaderFooterProperties(minheight="0.6cm", marginbottom="0.3cm"))
        layout.addElement(header_style)
        doc.automaticstyles.addElement(layout)
        master = MasterPage(name="Default", pagelayoutname=layout)
        header = Header()
        line = P(text=f"{props.print_header}　")
        line.addElement(PageNumber(selectpage="current"))
        header.addElement(line)
        master.addElement(header)
        doc.masterstyles.addElement(master)
        self.table = Style(name="ta1", family="table", masterpagename="Default")
        doc.automaticstyles.addElement(self.table)

        def cell_style(
            name: str,
            *,
            bold: bool = False,
            fill: str | None = None,
            border: bool = True,
            size: str | None = None,
            color: str | None = None,
            wrap: bool = True,
        ) -> Style:
            style = Style(name=name, family="table-cell")
            cell_props = {"wrapoption": "wrap" if wrap else "no-wrap", "verticalalign": "top"}
            if border:
                cell_props["border"] = "0.5pt solid #000000"
            if fill:
                cell_props["backgroundcolor"] = fill
                cell_props["verticalalign"] = "middle"
            style.addElement(TableCellProperties(**cell_props))
            text = dict(_LANGUAGE)
            if bold:
                text.update(fontweight="bold", fontweightasian="bold")
            if size:
                text.update(fontsize=size, fontsizeasian=size)
            if color:
                text["color"] = color
            style.addElement(TextProperties(**text))
            doc.automaticstyles.addElement(style)
            return style

        self.cells = {
            "title": cell_style("ce-title", bold=True, border=False, size="14pt"),
            "header": cell_style("ce-header", bold=True, fill="#eeeeee"),
            "text": cell_style("ce-text"),
            "number": cell_style("ce-number"),
            "note": cell_style("ce-note", border=False),
            "mark": cell_style(
                "ce-mark", bold=True, border=False, size="14pt", color="#b00020", wrap=False
            ),
        }
        self.columns: dict[float, Style] = {}
        self.rows: dict[float, Style] = {}
        self._doc = doc

    def column(self, width: float) -> Style:
        if width not in self.columns:
            style = Style(name=f"co{len(self.columns) + 1}", family="table-column")
            # Workbook widths are in characters; about 0.21 cm each.
            style.addElement(TableColumnProperties(columnwidth=f"{width * 0.21:.2f}cm"))
            self._doc.automaticstyles.addElement(style)
            self.columns[width] = style
        return self.columns[width]

    def row(self, height: float) -> Style:
        height = round(height, 1)
        if height not in self.rows:
            style = Style(name=f"ro{len(self.rows) + 1}", family="table-row")
            style.addElement(
                TableRowProperties(rowheight=f"{height:.1f}pt", useoptimalrowheight="false")
            )
            self._doc.automaticstyles.addElement(style)
            self.rows[height] = style
        return self.rows[height]


def _cell(cell: Cell | None, styles: _Styles, span: tuple[int, int] | None) -> TableCell:
    attrs: dict[str, str | int] = {}
    if span:
        attrs["numberrowsspanned"] = span[0]
        attrs["numbercolumnsspanned"] = span[1]
    if cell is None:
        return TableCell(**attrs)
    attrs["stylename"] = styles.cells[cell.style]
    value = cell.value
    if cell.formula:
        attrs["formula"] = open_formula(cell.formula)
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
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
    heights = sheet.row_heights()
    columns = sheet.max_column
    header = TableHeaderRows()
    if sheet.header_rows:
        table.addElement(header)
    for row in range(1, sheet.max_row + 1):
        element = TableRow(stylename=styles.row(heights[row])) if row in heights else TableRow()
        for column in range(1, columns + 1):
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
    view.addElement(ConfigItem(name="ActiveTable", type="string", text=sheets[0].name))
    tables = ConfigItemMapNamed(name="Tables")
    for sheet in sheets:
        if not sheet.header_rows:
            continue
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


def _meta(doc: OpenDocumentSpreadsheet, props: Properties) -> None:
    """Title, subject, language and the organization and year as user-defined properties."""
    doc.meta.addElement(Title(text=props.title))
    doc.meta.addElement(Subject(text=props.subject))
    doc.meta.addElement(Language(text="zh-TW"))
    doc.meta.addElement(UserDefined(name="機關", valuetype="string", text=props.organization))
    doc.meta.addElement(UserDefined(name="年度", valuetype="string", text=props.year))


class OdsExporter(Exporter):
    identifier = "ods"
    label = "ODF"
    extension = "ods"
    content_type = "application/vnd.oasis.opendocument.spreadsheet"

    def render_bytes(self, data: ReportData) -> bytes:
        doc = OpenDocumentSpreadsheet()
        props = properties(data)
        _meta(doc, props)
        styles = _Styles(doc, props)
        sheets = build_sheets(data)
        for sheet in sheets:
            doc.spreadsheet.addElement(_table(sheet, styles))
        _freeze_settings(doc, sheets)
        buffer = io.BytesIO()
        doc.write(buffer)
        return buffer.getvalue()
