"""The report as an editable ODT and DOCX in the seed's layout: the dimension tables with merged
strategy and method cells and a repeated header row, the score sheet, page numbers, A4
landscape, a Traditional Chinese font, and the draft or version mark."""

import datetime as dt
import io
import re
import zipfile
from zoneinfo import ZoneInfo

import docx
import pytest
from docx.oxml.ns import qn
from odf import teletype
from odf.opendocument import load
from odf.table import Table, TableCell, TableHeaderRows, TableRow

from perfreport.reports.exporters import EXPORTERS, get_exporter
from perfreport.reports.selectors import build_report
from strategies.models import Item, Year
from tests import factories
from tests.seed_scores import SEED_DIMENSION_SCORES, SEED_GRADE, SEED_SCORE_ROW, SEED_TOTAL

SCORE_HEAD = [
    "實施考核機關",
    "編號",
    "受考核單位名稱",
    "考核項目成績 (1000 分)",
    "總分",
    "等第",
    "考核年月",
    "評分階段",
]

SIGNED_OFF = dt.datetime(2024, 1, 15, 10, tzinfo=ZoneInfo("Asia/Taipei"))


@pytest.fixture
def seed_year(seed):
    return Year.objects.get(organization__code="khh", roc_year=112)


@pytest.fixture
def seed_data(seed_year):
    return build_report(seed_year)


def _odt_tables(content: bytes) -> list[list[list[tuple[str, int]]]]:
    """Per table, per row: (text, rows spanned) of each cell that is not covered."""
    doc = load(io.BytesIO(content))
    tables = []
    for table in doc.text.getElementsByType(Table):
        rows = []
        for row in table.getElementsByType(TableRow):
            rows.append(
                [
                    (
                        "\n".join(teletype.extractText(p) for p in cell.childNodes),
                        int(cell.getAttribute("numberrowsspanned") or 1),
                    )
                    for cell in row.childNodes
                    if cell.qname[1] == "table-cell"
                ]
            )
        tables.append(rows)
    return tables


def test_both_documents_are_offered_and_named_like_the_others(seed_data):
    assert list(EXPORTERS)[:6] == ["html", "pdf", "xlsx", "ods", "odt", "docx"]
    name, content_type, content = get_exporter("odt").render(seed_data)
    assert name == "高雄分局112年度提升服務效能執行績效與成果-draft.odt"
    assert content_type == "application/vnd.oasis.opendocument.text"
    assert zipfile.ZipFile(io.BytesIO(content)).read("mimetype") == content_type.encode()
    name, content_type, _ = get_exporter("docx").render(seed_data)
    assert name == "高雄分局112年度提升服務效能執行績效與成果-draft.docx"
    assert content_type.endswith("wordprocessingml.document")


def test_odt_tables_follow_the_seed(seed_year, seed_data):
    content = get_exporter("odt").render(seed_data)[2]
    tables = _odt_tables(content)
    doc = load(io.BytesIO(content))

    assert len(tables) == 6  # five dimensions and the score sheet
    first = tables[0]
    assert [text for text, _ in first[0]] == [
        "執行策略",
        "執行方法",
        "主辦單位",
        "具體作法",
        "執行績效與成果 (1-12 月)",
    ]
    # The header row repeats on every page.
    header_rows = doc.text.getElementsByType(Table)[0].getElementsByType(TableHeaderRows)
    assert len(header_rows[0].getElementsByType(TableRow)) == 1
    # (一)服務一致及正確性 spans its three methods' rows, as in the seed.
    assert first[1][0] == ("(一)服務一致及正確性", 3)
    assert first[1][1][0].startswith("1.訂定申辦業務標準作業流程:\n")
    # Every item of the seed, one row each.
    body_rows = sum(len(t) - 1 for t in tables[:5])
    assert body_rows == Item.objects.filter(method__strategy__dimension__year=seed_year).count()
    texts = {text for table in tables for row in table for text, _ in row}
    for item in Item.objects.filter(method__strategy__dimension__year=seed_year):
        assert item.results in texts
        assert item.planned_actions in texts

    scores = tables[5]
    assert [text for text, _ in scores[0]] == SCORE_HEAD
    assert [text for text, _ in scores[2]] == SEED_SCORE_ROW


def test_odt_pages_are_a4_landscape_numbered_in_a_traditional_font(seed_data):
    with zipfile.ZipFile(io.BytesIO(get_exporter("odt").render(seed_data)[2])) as archive:
        styles = archive.read("styles.xml").decode()
        meta = archive.read("meta.xml").decode()
        content = archive.read("content.xml").decode()
    assert 'fo:page-width="29.7cm" fo:page-height="21.0cm"' in styles
    assert 'style:print-orientation="landscape"' in styles
    assert "<text:page-number" in styles and "<text:page-count" in styles
    assert 'style:font-name-asian="AR PL UMing TW"' in styles
    assert 'style:language-asian="zh" style:country-asian="TW"' in styles
    assert "高雄分局 112 年度　草稿／未發布" in styles  # every page's header
    assert "<dc:language>zh-TW</dc:language>" in meta
    assert (
        "<dc:title>經濟部標準檢驗局高雄分局 112 年度提升服務效能執行績效與成果</dc:title>" in meta
    )
    assert "優=900 分以上" in content  # the band legend above the score sheet


def test_docx_tables_follow_the_seed(seed_year, seed_data):
    document = docx.Document(io.BytesIO(get_exporter("docx").render(seed_data)[2]))

    assert len(document.tables) == 6
    table = document.tables[0]
    header = table.rows[0]
    assert header._tr.trPr.find(qn("w:tblHeader")) is not None  # repeated on every page
    assert [c.text for c in header.cells] == [
        "執行策略",
        "執行方法",
        "執行方法",  # merged over the method and sub-item columns
        "主辦單位",
        "具體作法",
        "執行績效與成果 (1-12 月)",
    ]
    # (一)服務一致及正確性 is one cell merged over three rows.
    strategy = [table.cell(r, 0) for r in (1, 2, 3)]
    assert {c._tc for c in strategy} == {strategy[0]._tc}
    assert strategy[0].text == "(一)服務一致及正確性"
    texts = {cell.text for t in document.tables for row in t.rows for cell in row.cells}
    for item in Item.objects.filter(method__strategy__dimension__year=seed_year):
        assert item.results in texts
    scores = document.tables[5]
    assert [c.text for c in scores.rows[2].cells][3:10] == [
        *SEED_DIMENSION_SCORES,
        SEED_TOTAL,
        SEED_GRADE,
    ]


def test_docx_pages_are_a4_landscape_numbered_in_a_traditional_font(seed_data):
    content = get_exporter("docx").render(seed_data)[2]
    document = docx.Document(io.BytesIO(content))
    section = document.sections[0]

    assert section.orientation == docx.enum.section.WD_ORIENT.LANDSCAPE
    assert section.page_width.mm == pytest.approx(297, abs=0.1)
    assert section.page_height.mm == pytest.approx(210, abs=0.1)
    assert section.header.paragraphs[0].text == "高雄分局 112 年度　草稿／未發布"
    footer = section.footer._element.xml
    assert " PAGE " in footer and " NUMPAGES " in footer
    properties = document.core_properties
    assert properties.title == "經濟部標準檢驗局高雄分局 112 年度提升服務效能執行績效與成果"
    assert properties.author == "經濟部標準檢驗局高雄分局"
    assert properties.language == "zh-TW"
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        styles = archive.read("word/styles.xml").decode()
    assert 'w:eastAsia="AR PL UMing TW"' in styles
    assert "eastAsiaTheme" not in styles  # no theme font that Writer maps to a Simplified one
    assert 'w:eastAsia="zh-TW"' in styles


def test_issued_documents_carry_their_version(seed_data):
    seed_data.version = 2
    seed_data.signed_off_at = SIGNED_OFF

    document = docx.Document(io.BytesIO(get_exporter("docx").render(seed_data)[2]))
    assert "第 2 版．2024-01-15 完成複評發布" in document.sections[0].header.paragraphs[0].text
    assert document.paragraphs[0].text == "第 2 版．2024-01-15 完成複評發布"
    odt = load(io.BytesIO(get_exporter("odt").render(seed_data)[2]))
    first = odt.text.childNodes[0]
    assert teletype.extractText(first) == "第 2 版．2024-01-15 完成複評發布"


def test_text_that_looks_like_markup_or_a_formula_stays_text(year, unit_a):
    factories.make_item(year, hosts=[unit_a], results='=1+2 <b>"x"</b> & 計 11\x0b 場次')
    data = build_report(year)

    odt = load(io.BytesIO(get_exporter("odt").render(data)[2]))
    cells = [teletype.extractText(c) for c in odt.text.getElementsByType(TableCell)]
    assert '=1+2 <b>"x"</b> & 計 11 場次' in cells
    document = docx.Document(io.BytesIO(get_exporter("docx").render(data)[2]))
    assert document.tables[0].cell(1, 5).text == '=1+2 <b>"x"</b> & 計 11 場次'


def test_the_html_score_sheet_has_the_seeds_columns(seed_data):
    """The page and the PDF (rendered from the same HTML) use the seed's columns too."""
    html = get_exporter("html").render(seed_data)[2].decode()
    table = html[html.index('<table class="score-table">') :]
    table = table[: table.index("</table>")]
    heads = re.findall(r'<th scope="col(?:group)?"[^>]*>([^<]*)</th>', table)

    assert [h.split(" (")[0] for h in heads[:8]] == [h.split(" (")[0] for h in SCORE_HEAD]
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", table)
    assert cells == SEED_SCORE_ROW
