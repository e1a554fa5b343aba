"""The report as an editable Word document (python-docx), for agencies that finish the report in
Word before submitting it: the same layout as the ODT (documents.py): A4 landscape, a Traditional
Chinese font with the text marked zh-TW, the draft or version mark in every page's header, page
numbers in the footer, the dimension tables with merged strategy and method cells and the header
row repeated on every page, and the score sheet in the seed's layout."""

import io

from docx import Document as WordDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from perfreport.reports.exporters.base import Exporter
from perfreport.reports.exporters.documents import (
    FONT,
    MARGIN_CM,
    PAGE_HEIGHT_CM,
    PAGE_WIDTH_CM,
    Block,
    Document,
    build_document,
)
from perfreport.reports.selectors import ReportData
from strategies.workbook import display


def _chinese_font(style_or_run, *, size: float | None = None) -> None:  # type: ignore[no-untyped-def]
    """The Traditional font for Latin and East Asian text, and the text marked zh-TW."""
    font = style_or_run.font
    font.name = FONT
    if size:
        font.size = Pt(size)
    rpr = style_or_run.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), FONT)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "zh-TW")
    lang.set(qn("w:eastAsia"), "zh-TW")


def _traditional_everywhere(word) -> None:  # type: ignore[no-untyped-def]
    """Every style of the template in the Traditional font, none through the theme's fonts
    (which Writer resolves to a Simplified design), and the default language zh-TW."""
    for fonts in word.styles.element.iter(qn("w:rFonts")):
        for attribute in ("w:asciiTheme", "w:eastAsiaTheme", "w:hAnsiTheme", "w:cstheme"):
            fonts.attrib.pop(qn(attribute), None)
        for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            fonts.set(qn(attribute), FONT)
    for lang in word.styles.element.iter(qn("w:lang")):
        lang.set(qn("w:val"), "zh-TW")
        lang.set(qn("w:eastAsia"), "zh-TW")


def _field(paragraph, instruction: str) -> None:  # type: ignore[no-untyped-def]
    """A field Word and Writer fill in when they lay the page out (PAGE, NUMPAGES)."""
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, instruction), ("separate", None), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = f" {text} "
        run._r.append(element)
        if kind == "separate":
            shown = OxmlElement("w:t")
            shown.text = "1"
            run._r.append(shown)


def _shade(cell, fill: str) -> None:  # type: ignore[no-untyped-def]
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _repeat_as_header(row) -> None:  # type: ignore[no-untyped-def]
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(header)


def _set_text(cell, text: str, *, bold: bool = False) -> None:  # type: ignore[no-untyped-def]
    lines = text.split("\n")
    paragraph = cell.paragraphs[0]
    for index, line in enumerate(lines):
        if index:
            paragraph = cell.add_paragraph()
        run = paragraph.add_run(line)
        run.bold = bold or None
        if bold:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _table(word, block: Block) -> None:  # type: ignore[no-untyped-def]
    sheet = block.table
    assert sheet is not None
    columns = len(sheet.widths)
    table = word.add_table(rows=sheet.max_row, cols=columns)
    table.style = "Table Grid"
    table.autofit = False
    widths = [Cm(w) for w in block.column_widths_cm()]
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width  # the grid Writer lays the table out by
    rows = table.rows
    covered = {
        (r, c)
        for r1, c1, r2, c2 in sheet.merges
        for r in range(r1, r2 + 1)
        for c in range(c1, c2 + 1)
        if (r, c) != (r1, c1)
    }
    for row_number, row in enumerate(rows, start=1):
        is_header = row_number <= sheet.header_rows
        if is_header:
            _repeat_as_header(row)
        # A row moves to the next page whole rather than splitting its cells between pages.
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        for column, cell in enumerate(row.cells, start=1):
            cell.width = widths[column - 1]
            if (row_number, column) in covered:
                continue
            value = sheet.cells.get((row_number, column))
            head = is_header or (value is not None and value.style == "header")
            _set_text(cell, display(value.value) if value else "", bold=head)
            if head:
                _shade(cell, "EEEEEE")
                cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    for r1, c1, r2, c2 in sheet.merges:
        table.cell(r1 - 1, c1 - 1).merge(table.cell(r2 - 1, c2 - 1))


def render_docx(document: Document) -> bytes:
    word = WordDocument()
    properties = word.core_properties
    properties.title = document.title
    properties.subject = document.title
    properties.author = document.organization
    properties.keywords = f"{document.organization}, {document.year}"
    properties.category = document.year
    properties.language = "zh-TW"
    properties.comments = document.status

    _traditional_everywhere(word)
    for name in ("Normal", "Heading 1", "Title"):
        _chinese_font(word.styles[name])
    word.styles["Normal"].font.size = Pt(10)
    word.styles["Normal"].paragraph_format.space_after = Pt(0)
    word.styles["Normal"].paragraph_format.line_spacing = 1.0
    word.styles["Heading 1"].font.size = Pt(13)
    word.styles["Title"].font.size = Pt(18)

    section = word.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(PAGE_WIDTH_CM), Cm(PAGE_HEIGHT_CM)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(MARGIN_CM))
    header = section.header.paragraphs[0]
    header.text = document.header
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("第 ")
    _field(footer, "PAGE")
    footer.add_run(" 頁，共 ")
    _field(footer, "NUMPAGES")
    footer.add_run(" 頁")

    mark = word.add_paragraph()
    mark.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = mark.add_run(document.status)
    run.bold = True
    run.font.size = Pt(14)
    run.font.color.rgb = RGBColor(0xB0, 0x00, 0x20)
    word.add_paragraph(document.title, style="Title")
    for label, value in document.cover:
        word.add_paragraph(f"{label}：{value}")
    for block in document.blocks:
        word.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        word.add_heading(block.heading, level=1)
        for note in block.notes:
            word.add_paragraph(note)
        if block.table is not None:
            _table(word, block)
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


class DocxExporter(Exporter):
    identifier = "docx"
    label = "Word"
    extension = "docx"
    content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

    def render_bytes(self, data: ReportData) -> bytes:
        return render_docx(build_document(data))
