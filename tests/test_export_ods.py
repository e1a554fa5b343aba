"""The ODF sheet, read back, equals the database and the workbook cell for cell."""

import io
import zipfile
from decimal import Decimal

import pytest
from odf import teletype
from odf.opendocument import load
from odf.table import Table, TableRow

from perfreport.reports.exporters import get_exporter
from perfreport.reports.selectors import build_report
from strategies.models import Year
from tests import factories
from tests.test_export_xlsx import expected_dimension_sheets, read_xlsx, sheet_cells


def read_ods(content: bytes) -> dict[str, dict]:
    """{sheet name: {"cells": {(row, column): value}, "merges": set, "formulas": {...}}}."""
    doc = load(io.BytesIO(content))
    sheets = {}
    for table in doc.spreadsheet.getElementsByType(Table):
        cells, merges, formulas = {}, set(), {}
        for r, row in enumerate(table.getElementsByType(TableRow), start=1):
            column = 0
            for node in row.childNodes:
                if node.qname[1] not in ("table-cell", "covered-table-cell"):
                    continue
                column += 1
                if node.qname[1] == "covered-table-cell":
                    continue
                rows = int(node.getAttribute("numberrowsspanned") or 1)
                cols = int(node.getAttribute("numbercolumnsspanned") or 1)
                if rows > 1 or cols > 1:
                    merges.add((r, column, r + rows - 1, column + cols - 1))
                if node.getAttribute("formula"):
                    formulas[(r, column)] = node.getAttribute("formula")
                kind = node.getAttribute("valuetype")
                if kind == "float":
                    cells[(r, column)] = Decimal(node.getAttribute("value"))
                elif kind == "string":
                    text = "\n".join(teletype.extractText(p) for p in node.childNodes)
                    assert text == node.getAttribute("stringvalue")
                    cells[(r, column)] = text
        sheets[table.getAttribute("name")] = {
            "cells": cells,
            "merges": merges,
            "formulas": formulas,
            "header_rows": len(table.getElementsByType(TableRow))
            - len([n for n in table.childNodes if n.qname[1] == "table-row"]),
        }
    return sheets


@pytest.fixture
def seed_year(seed):
    return Year.objects.get(organization__code="khh", roc_year=112)


@pytest.fixture
def ods_bytes(seed_year):
    return get_exporter("ods").render(build_report(seed_year))[2]


@pytest.fixture
def ods(seed_year):
    filename, content_type, content = get_exporter("ods").render(build_report(seed_year))
    assert filename == "高雄分局112年度提升服務效能執行績效與成果-draft.ods"
    assert content_type == "application/vnd.oasis.opendocument.spreadsheet"
    return read_ods(content)


def test_every_dimension_sheet_equals_the_database(seed_year, ods):
    expected = expected_dimension_sheets(seed_year)

    assert list(ods) == ["封面", *expected, "考核結果統計表"]
    for name, sheet in expected.items():
        assert ods[name]["cells"] == sheet["cells"], name
        assert ods[name]["merges"] == sheet["merges"], name
        assert ods[name]["header_rows"] == 2  # repeated on every printed page


def test_ods_holds_what_the_workbook_holds(seed_year, ods):
    data = build_report(seed_year)
    workbook = read_xlsx(get_exporter("xlsx").render(data)[2], data_only=True)

    for ws in workbook.worksheets:
        assert ods[ws.title]["cells"] == sheet_cells(ws), ws.title


def test_score_sheet_formulas_in_open_formula(ods):
    sheet = ods["考核結果統計表"]

    assert sheet["formulas"][(6, 9)] == "of:=SUM([.D6:.H6])"
    assert sheet["cells"][(6, 9)] == 920
    assert sheet["formulas"][(6, 10)] == (
        'of:=IF([.I6]>=[.$B$9];"優";IF([.I6]>=[.$B$10];"甲";'
        'IF([.I6]>=[.$B$11];"乙";IF([.I6]>=[.$B$12];"丙";"丁"))))'
    )
    assert sheet["cells"][(6, 10)] == "優"
    assert [sheet["cells"][(r, 2)] for r in range(9, 14)] == [900, 800, 700, 600, 0]
    assert sheet["header_rows"] == 5


def test_title_sheet_reads_the_total_from_the_score_sheet(ods):
    sheet = ods["封面"]
    formulas = {
        sheet["cells"][(r, 1)]: sheet["formulas"].get((r, 2))
        for r, c in sheet["cells"]
        if c == 1 and r > 2
    }

    assert formulas["總分"] == "of:=[$'考核結果統計表'.I6]"
    assert formulas["等第"] == "of:=[$'考核結果統計表'.J6]"


@pytest.mark.parametrize("text", ["=1+2", "+886-7-1234567", "@SUM(A1:A2)"])
def test_text_that_looks_like_a_formula_stays_text(year, unit_a, text):
    factories.make_item(year, hosts=[unit_a], results=text)

    sheet = read_ods(get_exporter("ods").render(build_report(year))[2])["構面一"]

    assert sheet["cells"][(3, 6)] == text
    assert (3, 6) not in sheet["formulas"]


def test_header_frozen_and_pages_landscape(ods_bytes):
    with zipfile.ZipFile(io.BytesIO(ods_bytes)) as archive:
        settings = archive.read("settings.xml").decode()
        styles = archive.read("styles.xml").decode() + archive.read("content.xml").decode()
    assert '<config:config-item-map-entry config:name="構面一">' in settings
    assert 'config:name="VerticalSplitPosition" config:type="int">2<' in settings
    assert 'style:print-orientation="landscape"' in styles
    assert 'fo:page-width="29.7cm"' in styles
    assert 'fo:wrap-option="wrap"' in styles
    # Scaled to the page width, Traditional Chinese in a Taiwanese font, the draft mark on top.
    assert 'loext:scale-to-X="1"' in styles
    assert 'style:language-asian="zh" style:country-asian="TW"' in styles
    assert 'style:font-name-asian="AR PL UMing TW"' in styles
    assert "草稿／未發布" in styles
