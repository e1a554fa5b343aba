"""The report as an editable Word document (python-docx), for agencies that finish the report in
Word before submitting it: the same layout as the ODT (documents.py): A4 landscape, a Traditional
Chinese font with the text marked zh-TW, the draft or version mark in every page's header, page
numbers in the footer, the dimension tables with merged strategy and method cells and the header
row repeated on every page, and the score sheet in the seed's layout."""

import io
from xml.sax.saxutils import escape

from docx import Document as WordDocument
from docx.document import Document as WordDocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor
from docx.styles.style import CharacterStyle
from docx.text.paragraph import Paragraph

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


def _chinese_font(style: CharacterStyle, *, size: float | None = None) -> None:
    """The Traditional font for Latin and East Asian text, and the text marked zh-TW."""
    font = style.font
    font.name = FONT
    if size:
        font.size = Pt(size)
    rpr = style.element.get_or_add_rPr()
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


def _traditional_everywhere(word: WordDocumentObject) -> None:
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


def _field(paragraph: Paragraph, instruction: str) -> None:
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


def _run(text: str, bold: bool) -> str:
    props = "<w:rPr><w:b/></w:rPr>" if bold else ""
    return f'<w:r>{props}<w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def _cell_xml(text: str, width: int, *, head: bool, span: int, vmerge: str | None) -> str:
    props = [f'<w:tcW w:w="{width}" w:type="dxa"/>']
    if span > 1:
        props.append(f'<w:gridSpan w:val="{span}"/>')
    if vmerge == "restart":
        props.append('<w:vMerge w:val="restart"/>')
    elif vmerge == "continue":
        props.append("<w:vMerge/>")
    if head:
        props.append(
            '<w:shd w:val="clear" w:color="auto" w:fill="EEEEEE"/><w:vAlign w:val="center"/>'
        )
    align = '<w:pPr><w:jc w:val="center"/></w:pPr>' if head else ""
    paragraphs = "".join(f"<w:p>{align}{_run(line, head)}</w:p>" for line in text.split("\n"))
    return f"<w:tc><w:tcPr>{''.join(props)}</w:tcPr>{paragraphs}</w:tc>"


def _table_xml(block: Block) -> str:
    """The table as WordprocessingML, written in one pass: python-docx's cell API walks the
    whole table for every cell it touches, which grows with the square of the rows."""
    sheet = block.table
    assert sheet is not None
    widths = [round(Cm(w).twips) for w in block.column_widths_cm()]
    merges = {(r1, c1): (r2, c2) for r1, c1, r2, c2 in sheet.merges}
    # Cells below a merged cell's first row: (row, first column) -> columns spanned.
    continued: dict[tuple[int, int], int] = {}
    hidden: set[tuple[int, int]] = set()
    for (r1, c1), (r2, c2) in merges.items():
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                if (r, c) != (r1, c1):
                    hidden.add((r, c))
            if r > r1:
                continued[(r, c1)] = c2 - c1 + 1
    rows = []
    for row in range(1, sheet.max_row + 1):
        is_header = row <= sheet.header_rows
        # A row moves to the next page whole; header rows repeat on every page.
        row_props = "<w:cantSplit/>" + ('<w:tblHeader w:val="true"/>' if is_header else "")
        cells = []
        column = 1
        while column <= len(widths):
            if (row, column) in continued:
                span = continued[(row, column)]
                width = sum(widths[column - 1 : column - 1 + span])
                cells.append(_cell_xml("", width, head=is_header, span=span, vmerge="continue"))
                column += span
                continue
            if (row, column) in hidden:
                column += 1
                continue
            last_row, last_column = merges.get((row, column), (row, column))
            span = last_column - column + 1
            value = sheet.cells.get((row, column))
            head = is_header or (value is not None and value.style == "header")
            cells.append(
                _cell_xml(
                    display(value.value) if value else "",
                    sum(widths[column - 1 : column - 1 + span]),
                    head=head,
                    span=span,
                    vmerge="restart" if last_row > row else None,
                )
            )
            column += span
        rows.append(f"<w:tr><w:trPr>{row_props}</w:trPr>{''.join(cells)}</w:tr>")
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    return (
        f'<w:tbl {nsdecls("w")}><w:tblPr><w:tblStyle w:val="TableGrid"/>'
        f'<w:tblW w:w="{sum(widths)}" w:type="dxa"/><w:tblLayout w:type="fixed"/></w:tblPr>'
        f"<w:tblGrid>{grid}</w:tblGrid>{''.join(rows)}</w:tbl>"
    )


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
            word.element.body._insert_tbl(parse_xml(_table_xml(block)))
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
