"""The report as an editable ODF text document (odfpy), Taiwan's government document format, for
agencies that finish the report in Writer before submitting it: A4 landscape, a Traditional
Chinese font with the text marked zh-TW, the draft or version mark in every page's header, page
numbers in the footer, the dimension tables with merged strategy and method cells and a header
row repeated on every page, and the score sheet in the seed's layout."""

import io

from odf.dc import Language, Subject, Title
from odf.element import Element
from odf.meta import UserDefined
from odf.opendocument import OpenDocumentText
from odf.style import (
    DefaultStyle,
    FontFace,
    Footer,
    FooterStyle,
    Header,
    HeaderFooterProperties,
    HeaderStyle,
    MasterPage,
    PageLayout,
    PageLayoutProperties,
    ParagraphProperties,
    Style,
    TableCellProperties,
    TableColumnProperties,
    TableProperties,
    TableRowProperties,
    TextProperties,
)
from odf.table import (
    CoveredTableCell,
    Table,
    TableCell,
    TableColumn,
    TableHeaderRows,
    TableRow,
)
from odf.text import H, P, PageCount, PageNumber, Span

from perfreport.reports.exporters.base import Exporter
from perfreport.reports.exporters.documents import (
    FONT,
    MARGIN_CM,
    PAGE_HEIGHT_CM,
    PAGE_WIDTH_CM,
    TEXT_WIDTH_CM,
    Block,
    Document,
    build_document,
)
from perfreport.reports.selectors import ReportData
from strategies.workbook import display

_TEXT = {
    "fontname": FONT,
    "fontnameasian": FONT,
    "language": "zh",
    "country": "TW",
    "languageasian": "zh",
    "countryasian": "TW",
}


class _Styles:
    def __init__(self, doc: OpenDocumentText, header_text: str) -> None:
        doc.fontfacedecls.addElement(
            FontFace(name=FONT, fontfamily=FONT, fontfamilygeneric="roman", fontpitch="variable")
        )
        default = DefaultStyle(family="paragraph")
        default.addElement(TextProperties(fontsize="10pt", fontsizeasian="10pt", **_TEXT))
        doc.styles.addElement(default)

        layout = PageLayout(name="pm1")
        layout.addElement(
            PageLayoutProperties(
                pagewidth=f"{PAGE_WIDTH_CM}cm",
                pageheight=f"{PAGE_HEIGHT_CM}cm",
                printorientation="landscape",
                margin=f"{MARGIN_CM}cm",
            )
        )
        for kind in (HeaderStyle, FooterStyle):
            style = kind()
            style.addElement(HeaderFooterProperties(minheight="0.5cm", margin="0.2cm"))
            layout.addElement(style)
        doc.automaticstyles.addElement(layout)

        self.small = self._paragraph(doc, "Small", size="9pt", align="center")
        master = MasterPage(name="Standard", pagelayoutname=layout)
        header = Header()
        header.addElement(P(stylename=self.small, text=header_text))
        master.addElement(header)
        footer = Footer()
        page = P(stylename=self.small, text="第 ")
        page.addElement(PageNumber(selectpage="current"))
        page.addText(" 頁，共 ")
        page.addElement(PageCount())
        page.addText(" 頁")
        footer.addElement(page)
        master.addElement(footer)
        doc.masterstyles.addElement(master)

        self.title = self._paragraph(doc, "ReportTitle", size="18pt", bold=True, align="center")
        self.mark = self._paragraph(
            doc, "Mark", size="14pt", bold=True, align="center", color="#b00020"
        )
        self.heading = self._paragraph(doc, "BlockHeading", size="13pt", bold=True)
        self.text = self._paragraph(doc, "CellText")
        self.head = self._paragraph(doc, "CellHead", bold=True, align="center")
        self.first_heading = Style(
            name="FirstHeading", family="paragraph", parentstylename=self.heading
        )
        self.first_heading.addElement(ParagraphProperties(breakbefore="page"))
        doc.automaticstyles.addElement(self.first_heading)
        self.cell = Style(name="Cell", family="table-cell")
        self.cell.addElement(
            TableCellProperties(border="0.5pt solid #000000", padding="0.08cm", verticalalign="top")
        )
        doc.automaticstyles.addElement(self.cell)
        self.head_cell = Style(name="HeadCell", family="table-cell")
        self.head_cell.addElement(
            TableCellProperties(
                border="0.5pt solid #000000",
                padding="0.08cm",
                backgroundcolor="#eeeeee",
                verticalalign="middle",
            )
        )
        doc.automaticstyles.addElement(self.head_cell)
        # A row moves to the next page whole rather than splitting its cells between pages.
        self.row = Style(name="Row", family="table-row")
        self.row.addElement(TableRowProperties(keeptogether="always"))
        doc.automaticstyles.addElement(self.row)
        self._doc = doc
        self._tables = 0

    @staticmethod
    def _paragraph(
        doc: OpenDocumentText,
        name: str,
        *,
        size: str = "10pt",
        bold: bool = False,
        align: str | None = None,
        color: str | None = None,
    ) -> Style:
        style = Style(name=name, family="paragraph")
        text = {"fontsize": size, "fontsizeasian": size, **_TEXT}
        if bold:
            text.update(fontweight="bold", fontweightasian="bold")
        if color:
            text["color"] = color
        style.addElement(TextProperties(**text))
        if align:
            style.addElement(ParagraphProperties(textalign=align))
        doc.styles.addElement(style)
        return style

    def table_styles(self, widths: list[float]) -> tuple[Style, list[Style]]:
        self._tables += 1
        n = self._tables
        table = Style(name=f"Table{n}", family="table")
        table.addElement(TableProperties(width=f"{TEXT_WIDTH_CM:.2f}cm", align="margins"))
        self._doc.automaticstyles.addElement(table)
        columns = []
        for i, width in enumerate(widths, start=1):
            column = Style(name=f"Table{n}.C{i}", family="table-column")
            column.addElement(TableColumnProperties(columnwidth=f"{width:.2f}cm"))
            self._doc.automaticstyles.addElement(column)
            columns.append(column)
        return table, columns


def _paragraphs(element: Element, text: str, style: Style) -> None:
    for line in text.split("\n"):
        element.addElement(P(stylename=style, text=line))


def _table(block: Block, styles: _Styles, name: str) -> Table:
    sheet = block.table
    assert sheet is not None
    table_style, column_styles = styles.table_styles(block.column_widths_cm())
    table = Table(name=name, stylename=table_style)
    for style in column_styles:
        table.addElement(TableColumn(stylename=style))
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
    columns = len(sheet.widths)
    for row in range(1, sheet.max_row + 1):
        is_header = row <= sheet.header_rows
        element = TableRow(stylename=styles.row)
        for column in range(1, columns + 1):
            if (row, column) in covered:
                element.addElement(CoveredTableCell())
                continue
            attrs = {}
            if span := spans.get((row, column)):
                attrs = {"numberrowsspanned": span[0], "numbercolumnsspanned": span[1]}
            cell = sheet.cells.get((row, column))
            head = is_header or (cell is not None and cell.style == "header")
            element_cell = TableCell(
                stylename=styles.head_cell if head else styles.cell, valuetype="string", **attrs
            )
            _paragraphs(
                element_cell,
                display(cell.value) if cell else "",
                styles.head if head else styles.text,
            )
            element.addElement(element_cell)
        (header if is_header else table).addElement(element)
    return table


def render_odt(document: Document) -> bytes:
    doc = OpenDocumentText()
    doc.meta.addElement(Title(text=document.title))
    doc.meta.addElement(Subject(text=document.title))
    doc.meta.addElement(Language(text="zh-TW"))
    doc.meta.addElement(UserDefined(name="機關", valuetype="string", text=document.organization))
    doc.meta.addElement(UserDefined(name="年度", valuetype="string", text=document.year))
    styles = _Styles(doc, document.header)
    body = doc.text
    body.addElement(P(stylename=styles.mark, text=document.status))
    body.addElement(P(stylename=styles.title, text=document.title))
    for label, value in document.cover:
        line = P(stylename=styles.text)
        line.addElement(Span(text=f"{label}："))
        line.addText(value)
        body.addElement(line)
    for number, block in enumerate(document.blocks, start=1):
        body.addElement(H(outlinelevel=1, stylename=styles.first_heading, text=block.heading))
        for note in block.notes:
            body.addElement(P(stylename=styles.text, text=note))
        if block.table is not None:
            body.addElement(_table(block, styles, f"表{number}"))
    buffer = io.BytesIO()
    doc.write(buffer)
    return buffer.getvalue()


class OdtExporter(Exporter):
    identifier = "odt"
    label = "ODT"
    extension = "odt"
    content_type = "application/vnd.oasis.opendocument.text"

    def render_bytes(self, data: ReportData) -> bytes:
        return render_odt(build_document(data))
