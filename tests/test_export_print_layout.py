"""The spreadsheets print like the PDF: rows tall enough for their wrapped text (merged cells
included, CJK counted double), A4 landscape fitted to the page width with the header rows
repeated, a Traditional Chinese font, document properties, and a draft or version mark."""

import datetime as dt
import io
import zipfile
from collections import Counter
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from perfreport.reports.exporters import get_exporter
from perfreport.reports.exporters.sheets import build_sheets
from perfreport.reports.issuing import issue_report
from perfreport.reports.models import IssuedReport
from perfreport.reports.selectors import build_report
from scoring.hq import Comparison, ComparisonRow, comparison_xlsx
from scoring.models import ScoreSheet
from strategies.models import Year
from strategies.plan_export import export_plan
from strategies.workbook import (
    LINE_HEIGHT,
    MAX_ROW_HEIGHT,
    Properties,
    Sheet,
    lines_needed,
    text_width,
    write_xlsx,
)
from tests import factories
from tests.conftest import stored_bytes

SIGNED_OFF = dt.datetime(2024, 1, 15, 10, tzinfo=ZoneInfo("Asia/Taipei"))


@pytest.fixture
def seed_year(seed):
    return Year.objects.get(organization__code="khh", roc_year=112)


def test_cjk_characters_count_double_width():
    assert text_width("abc") == 3
    assert text_width("高雄") == 4
    assert text_width("（1）") == 5  # full-width parentheses are wide too
    # Twenty characters in a column 21 units wide: one line of Latin, two of Chinese.
    assert lines_needed("a" * 20, 21) == 1
    assert lines_needed("高" * 20, 21) == 2
    assert lines_needed("一行\n兩行\n三行", 40) == 3


def test_a_merged_cell_spreads_its_height_over_its_rows():
    sheet = Sheet(name="s", widths=[10.0, 10.0], header_rows=0)
    sheet.put(1, 1, "高" * 80)  # 80 wide characters in 9 usable units: 18 lines
    sheet.merge(1, 1, 3, 1)
    sheet.put(1, 2, "短")
    sheet.put(2, 2, "短")
    sheet.put(3, 2, "短")

    heights = sheet.row_heights()

    assert sum(heights[r] for r in (1, 2, 3)) >= 18 * LINE_HEIGHT
    assert heights[1] == heights[2] == heights[3]


def test_written_row_heights_are_the_fitted_ones():
    sheet = Sheet(name="構面一", widths=[10.0, 30.0], header_rows=1)
    sheet.put(1, 1, "標題", "header")
    sheet.put(2, 2, "很長的文字" * 30)
    sheet.put(3, 2, "x")

    ws = openpyxl.load_workbook(io.BytesIO(write_xlsx([sheet], Properties("t", "o"))))["構面一"]

    expected = sheet.row_heights()
    assert ws.row_dimensions[2].height == pytest.approx(expected[2])
    assert ws.row_dimensions[2].height > 10 * LINE_HEIGHT > ws.row_dimensions[3].height


def test_every_report_row_is_tall_enough_for_its_longest_cell(seed_year):
    data = build_report(seed_year)
    content = get_exporter("xlsx").render(data)[2]
    workbook = openpyxl.load_workbook(io.BytesIO(content))

    for sheet in build_sheets(data)[1:-1]:
        ws = workbook[sheet.name]
        spans = {(r1, c1): (r2, c2) for r1, c1, r2, c2 in sheet.merges}
        for (row, column), cell in sheet.cells.items():
            if row <= sheet.header_rows or not cell.value:
                continue
            last_row, last_column = spans.get((row, column), (row, column))
            width = sum(sheet.widths[c - 1] for c in range(column, last_column + 1))
            needed = lines_needed(str(cell.value), width) * LINE_HEIGHT
            have = sum(ws.row_dimensions[r].height for r in range(row, last_row + 1))
            assert have >= min(needed, MAX_ROW_HEIGHT), (sheet.name, row, column)


def test_every_sheet_prints_a4_landscape_fitted_to_the_width_with_its_header(seed_year):
    content = get_exporter("xlsx").render(build_report(seed_year))[2]
    workbook = openpyxl.load_workbook(io.BytesIO(content))

    for ws in workbook.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        # One page wide (1 is the default, which the file leaves out), any number of pages tall.
        assert (ws.page_setup.fitToWidth or 1, ws.page_setup.fitToHeight) == (1, 0)
        assert "草稿／未發布" in ws.oddHeader.center.text
    assert workbook["構面三"].print_title_rows == "$1:$2"
    assert workbook["考核結果統計表"].print_title_rows == "$1:$5"
    assert workbook["構面一"]["E3"].font.name == "AR PL UMing TW"


def test_document_properties_name_the_report_organization_and_year(seed_year):
    content = get_exporter("xlsx").render(build_report(seed_year))[2]
    workbook = openpyxl.load_workbook(io.BytesIO(content))

    assert workbook.properties.title == (
        "經濟部標準檢驗局高雄分局 112 年度提升服務效能執行績效與成果"
    )
    assert workbook.properties.creator == "經濟部標準檢驗局高雄分局"
    assert workbook.properties.category == "112"
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert (
            "<Company>經濟部標準檢驗局高雄分局</Company>"
            in archive.read("docProps/app.xml").decode()
        )


def test_text_that_looks_like_a_formula_keeps_a_quote_prefix(year, unit_a):
    """Text stays text in the file, and also when someone edits the cell and presses Enter."""
    factories.make_item(year, hosts=[unit_a], results="=1+2", planned_actions="普通文字")

    ws = openpyxl.load_workbook(io.BytesIO(get_exporter("xlsx").render(build_report(year))[2]))[
        "構面一"
    ]

    assert ws["F3"].value == "=1+2" and ws["F3"].data_type == "s"
    assert ws["F3"].quotePrefix
    assert not ws["E3"].quotePrefix


def test_a_draft_is_marked_on_its_first_row_and_every_printed_page(seed_year):
    data = build_report(seed_year)
    workbook = openpyxl.load_workbook(io.BytesIO(get_exporter("xlsx").render(data)[2]))

    assert workbook["封面"]["A1"].value == "草稿／未發布"
    assert workbook["構面一"]["F1"].value == "草稿／未發布"
    assert workbook["考核結果統計表"]["L1"].value == "草稿／未發布"
    with zipfile.ZipFile(io.BytesIO(get_exporter("ods").render(data)[2])) as archive:
        content = archive.read("content.xml").decode()
        styles = archive.read("styles.xml").decode()
    assert content.count("草稿／未發布") >= 7  # the title sheet (twice), five dimensions, scores
    assert "<style:header><text:p>高雄分局 112 年度　草稿／未發布" in styles


def test_issued_files_carry_their_version_and_sign_off_date(org, unit_a, auditor):
    year = factories.make_year(org, 112, status=Year.Status.CLOSED)
    factories.make_item(year, hosts=[unit_a], results="計 11 場次")
    # Signed off at 23:30 UTC on 14 January: the 15th in the organization's time zone (Taipei).
    ScoreSheet.objects.filter(year=year).update(
        signed_off_at=dt.datetime(2024, 1, 14, 23, 30, tzinfo=dt.UTC)
    )

    issue_report(year=year, user=auditor)

    issued = IssuedReport.objects.get(year=year, format="xlsx")
    mark = "第 1 版．2024-01-15 完成複評發布"
    workbook = openpyxl.load_workbook(io.BytesIO(stored_bytes(issued)))
    assert workbook["構面一"]["F1"].value == mark
    assert mark in workbook["構面一"].oddHeader.center.text
    assert "草稿" not in str(workbook["封面"]["B9"].value)
    ods = IssuedReport.objects.get(year=year, format="ods")
    with zipfile.ZipFile(io.BytesIO(stored_bytes(ods))) as archive:
        assert mark in archive.read("styles.xml").decode()
        assert "草稿" not in archive.read("content.xml").decode()


def test_a_release_given_to_the_report_data_is_what_the_files_say(seed_year):
    data = build_report(seed_year)
    data.version = 3
    data.signed_off_at = SIGNED_OFF

    ws = openpyxl.load_workbook(io.BytesIO(get_exporter("xlsx").render(data)[2]))["封面"]

    assert ws["A1"].value == "第 3 版．2024-01-15 完成複評發布"


def test_plan_and_hq_workbooks_come_from_the_same_writer(seed_year):
    ws = openpyxl.load_workbook(io.BytesIO(export_plan(seed_year)[2]))["構面一"]

    assert ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert (ws.page_setup.fitToWidth or 1, ws.page_setup.fitToHeight) == (1, 0)
    assert ws.print_title_rows == "$1:$2"
    assert ws["E3"].font.name == "AR PL UMing TW"
    assert ws.row_dimensions[3].height > LINE_HEIGHT


def test_hq_comparison_workbook_keeps_names_as_text_and_scores_as_numbers():
    row = ComparisonRow(
        organization="=1+2",
        code="x",
        roc_year=112,
        status="已鎖定",
        scores=(Decimal("184.5"), Decimal(284), Decimal(182), Decimal(186), Decimal(84)),
        total=Decimal("920.5"),
        grade="優",
        round="自評",
    )
    data = Comparison(
        rows=[row],
        dimension_names=["一", "二", "三", "四", "五"],
        distribution={112: Counter({"優": 1})},
    )

    ws = openpyxl.load_workbook(io.BytesIO(comparison_xlsx(data)[2]))["各機關比較"]

    assert ws["A2"].value == "=1+2" and ws["A2"].data_type == "s" and ws["A2"].quotePrefix
    assert [ws.cell(2, c).value for c in range(3, 9)] == [184.5, 284, 182, 186, 84, 920.5]
    assert ws.page_setup.orientation == "landscape"
    assert ws.print_title_rows == "$1:$1"
