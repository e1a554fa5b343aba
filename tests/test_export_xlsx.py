"""The workbook, read back, equals the database cell for cell; the score sheet's formulas give
920 and 優; text that looks like a formula stays text."""

import io
import re
from decimal import Decimal

import openpyxl
import pytest

from perfreport.reports.exporters import get_exporter
from perfreport.reports.selectors import build_report
from scoring.models import DimensionScore
from strategies.models import Item, Year
from strategies.numbering import chinese_numeral
from tests import factories

HEADER = {
    (2, 1): "執行策略",
    (2, 2): "執行方法",
    (2, 4): "主辦單位",
    (2, 5): "具體作法",
    (2, 6): "執行績效與成果 (1-12 月)",
}


def _n(value: Decimal) -> str:
    return f"{value.normalize():f}"


def expected_dimension_sheets(year: Year) -> dict[str, dict]:
    """Straight from the database: per dimension sheet, {(row, column): text} and the merges."""
    sheets = {}
    for dimension in year.dimensions.order_by("number"):
        cells = {
            (1, 1): f"構面{dimension.label}：{dimension.name} ({_n(dimension.max_score)} 分)",
            (1, 6): "草稿／未發布",  # not issued
        }
        cells.update(HEADER)
        merges = {(1, 1, 1, 5), (2, 2, 2, 3)}
        row = 3
        strategies = list(dimension.strategies.filter(is_retired=False).order_by("order"))
        for s_pos, strategy in enumerate(strategies, start=1):
            methods = list(strategy.methods.filter(is_retired=False).order_by("order"))
            strategy_row = row
            for m_pos, method in enumerate(methods, start=1):
                items = list(method.items.filter(is_retired=False).order_by("order"))
                if not items:
                    continue
                label = f"{m_pos}." if len(methods) > 1 else ""
                text = f"{label}{method.title}"
                cells[(row, 2)] = f"{text}\n{method.description}" if method.description else text
                item_texts = [
                    (f"({i})" if len(items) > 1 else "") + item.title
                    for i, item in enumerate(items, start=1)
                ]
                has_item_column = any(t.strip() for t in item_texts)
                merges.add((row, 2, row + len(items) - 1, 2 if has_item_column else 3))
                for item, item_text in zip(items, item_texts, strict=True):
                    values = {
                        3: item_text.strip() if has_item_column else "",
                        4: item.host_label,
                        5: item.planned_actions,
                        6: item.results,
                    }
                    cells.update({(row, c): v for c, v in values.items() if v})
                    row += 1
            if row > strategy_row:
                cells[(strategy_row, 1)] = f"({chinese_numeral(s_pos)}){strategy.title}"
                merges.add((strategy_row, 1, row - 1, 1))
        merges = {m for m in merges if m[:2] != m[2:]}
        sheets[f"構面{dimension.label}"] = {"cells": cells, "merges": merges}
    return sheets


def read_xlsx(content: bytes, *, data_only: bool = False):
    return openpyxl.load_workbook(io.BytesIO(content), data_only=data_only)


def sheet_cells(ws) -> dict:
    return {
        (c.row, c.column): c.value
        for row in ws.iter_rows()
        for c in row
        if c.value is not None and c.value != ""
    }


def evaluate(formula: str, ws) -> object:
    """Evaluate the two formula shapes the score sheet uses: SUM(range) and nested IFs."""
    body = formula.removeprefix("=")
    if match := re.fullmatch(r"SUM\(([A-Z]+\d+):([A-Z]+\d+)\)", body):
        return sum(Decimal(str(c.value)) for row in ws[match[1] : match[2]] for c in row)
    if body.startswith("IF("):
        for ref, bound, grade in re.findall(r'IF\(([A-Z]+\d+)>=\$([A-Z]+\$\d+),"(.)"', body):
            total = evaluate(ws[ref].value, ws)
            if total >= Decimal(str(ws[bound.replace("$", "")].value)):
                return grade
        return re.search(r',"(.)"\)+$', body)[1]
    raise AssertionError(f"unexpected formula {formula}")


@pytest.fixture
def seed_year(seed):
    return Year.objects.get(organization__code="khh", roc_year=112)


@pytest.fixture
def workbook_bytes(seed_year):
    filename, content_type, content = get_exporter("xlsx").render(build_report(seed_year))
    assert filename == "高雄分局112年度提升服務效能執行績效與成果-draft.xlsx"
    assert content_type.endswith("spreadsheetml.sheet")
    return content


def test_every_dimension_sheet_equals_the_database(seed_year, workbook_bytes):
    workbook = read_xlsx(workbook_bytes)
    expected = expected_dimension_sheets(seed_year)

    assert workbook.sheetnames == ["封面", *expected, "考核結果統計表"]
    for name, sheet in expected.items():
        ws = workbook[name]
        assert sheet_cells(ws) == sheet["cells"], name
        merges = {(m.min_row, m.min_col, m.max_row, m.max_col) for m in ws.merged_cells.ranges}
        assert merges == sheet["merges"], name
    # 47 items of the seed, one row each.
    rows = sum(max(r for r, _c in s["cells"]) - 2 for s in expected.values())
    assert rows == Item.objects.filter(method__strategy__dimension__year=seed_year).count() == 47


def test_sheets_are_set_up_for_reading_and_printing(workbook_bytes):
    ws = read_xlsx(workbook_bytes)["構面一"]

    assert ws.freeze_panes == "A3"
    assert ws.print_title_rows == "$1:$2"
    assert ws.page_setup.orientation == "landscape"
    assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4
    assert ws["F3"].alignment.wrap_text
    assert round(ws.column_dimensions["F"].width) == 49  # 48 characters, in Excel's units
    assert ws["A2"].font.b


def test_score_sheet_in_the_seeds_layout_with_formulas_giving_920_and_excellent(workbook_bytes):
    """The seed's table: 實施考核機關 | 編號 | 受考核單位名稱 | 考核項目成績 (1000 分) over the five
    dimensions | 總分 | 等第 | 考核年月 (then the round), the band legend above it."""
    ws = read_xlsx(workbook_bytes)["考核結果統計表"]
    cached = read_xlsx(workbook_bytes, data_only=True)["考核結果統計表"]

    assert ws["A1"].value == "經濟部標準檢驗局 112 年度提升服務效能自行考核結果統計表"
    assert ws["A2"].value == "受考核單位：經濟部標準檢驗局高雄分局"
    assert ws["A3"].value.startswith("優=900 分以上；甲=899-800 分")
    heads = [ws.cell(4, c).value for c in range(1, 13)]
    assert heads == [
        "實施考核機關",
        "編號",
        "受考核單位名稱",
        "考核項目成績 (1000 分)",
        None,
        None,
        None,
        None,
        "總分",
        "等第",
        "考核年月",
        "評分階段",
    ]
    assert [ws.cell(5, c).value for c in range(4, 9)] == [
        "一、基礎服務(200 分)",
        "二、服務遞送(300 分)",
        "三、服務量能(200 分)",
        "四、服務評價(200 分)",
        "五、開放創新(100 分)",
    ]
    merges = {str(m) for m in ws.merged_cells.ranges}
    assert {"A4:A5", "B4:B5", "C4:C5", "D4:H4", "I4:I5", "J4:J5", "K4:K5"} <= merges
    assert ws.print_title_rows == "$1:$5"

    assert [ws.cell(6, c).value for c in (1, 3, 11, 12)] == [
        "高雄分局",
        "高雄分局",
        "113.1",
        "自評",
    ]
    assert [ws.cell(6, c).value for c in range(4, 9)] == [184, 284, 182, 186, 84]
    assert ws["I6"].value == "=SUM(D6:H6)"
    assert ws["J6"].value.startswith("=IF(I6>=$B$")
    assert evaluate(ws["I6"].value, ws) == 920
    assert evaluate(ws["J6"].value, ws) == "優"
    # Cached values for readers that do not recalculate.
    assert cached["I6"].value == 920
    assert cached["J6"].value == "優"
    # No cell holds a copy of the computed total that an edited score would leave stale.
    values = [c.value for row in ws.iter_rows() for c in row]
    assert 920 not in values
    assert values.count("優") == 1  # the band table's label; the grade is a formula
    assert "總分（計算值）" not in values


def test_workbook_opens_on_a_title_sheet_whose_total_reads_the_score_sheet(workbook_bytes):
    workbook = read_xlsx(workbook_bytes)
    cached = read_xlsx(workbook_bytes, data_only=True)["封面"]
    ws = workbook["封面"]

    assert workbook.sheetnames[0] == "封面" and workbook.active.title == "封面"
    facts = {ws.cell(r, 1).value: r for r in range(3, ws.max_row + 1)}
    assert ws["A2"].value == "經濟部標準檢驗局高雄分局 112 年度提升服務效能執行績效與成果"
    assert ws.cell(facts["總分"], 2).value == "='考核結果統計表'!I6"
    assert ws.cell(facts["等第"], 2).value == "='考核結果統計表'!J6"
    assert cached.cell(facts["總分"], 2).value == 920
    assert cached.cell(facts["等第"], 2).value == "優"
    assert ws.cell(facts["考核年月"], 2).value == "113.1"


def test_grade_formula_reads_the_years_bands(org, unit_a):
    """A year with stricter bands: 920 is 甲 when 優 starts at 950, by formula and by value."""
    year = factories.make_year(org, 114, status=Year.Status.CLOSED)
    year.grade_bands.excellent_min = Decimal(950)
    year.grade_bands.save()
    for dimension, score in zip(
        year.dimensions.order_by("number"), [184, 284, 182, 186, 84], strict=True
    ):
        DimensionScore.objects.create(dimension=dimension, round="self", score=score)
    factories.make_item(year, hosts=[unit_a], results="計 11 場次")

    content = get_exporter("xlsx").render(build_report(year))[2]
    ws = read_xlsx(content)["考核結果統計表"]
    assert evaluate(ws["J6"].value, ws) == "甲"
    assert read_xlsx(content, data_only=True)["考核結果統計表"]["J6"].value == "甲"


@pytest.mark.parametrize(
    "text", ["=1+2", "+886-7-1234567", "-5 件", "@SUM(A1:A2)", '=HYPERLINK("http://x","y")']
)
def test_text_that_looks_like_a_formula_stays_text(year, unit_a, text):
    factories.make_item(year, hosts=[unit_a], planned_actions=text, results=text)

    ws = read_xlsx(get_exporter("xlsx").render(build_report(year))[2])["構面一"]

    for cell in (ws["E3"], ws["F3"]):
        assert cell.value == text
        assert cell.data_type == "s"


def test_control_characters_pasted_into_a_text_do_not_break_the_files(year, unit_a):
    """A vertical tab or a form feed pasted from another program cannot be stored in XML: the
    spreadsheets drop it (the JSON file keeps the text exactly). (NUL never reaches the
    database: PostgreSQL refuses it and the forms reject it.)"""
    factories.make_item(year, hosts=[unit_a], results="計 11\x0b 場次\x0c")
    data = build_report(year)

    ws = read_xlsx(get_exporter("xlsx").render(data)[2])["構面一"]
    assert ws["F3"].value == "計 11 場次"
    assert get_exporter("ods").render(data)[2].startswith(b"PK")
