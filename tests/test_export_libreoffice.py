"""LibreOffice as a real client of every spreadsheet and document export: an edited score
changes the recalculated total and grade; the ODT and DOCX convert to PDF with every text of
the seed; the workbooks print A4 landscape, every page the full width of the table under the
draft header. Each conversion runs `soffice --headless` (a few seconds)."""

import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from odf.opendocument import load
from odf.table import Table, TableRow
from odf.text import P

from perfreport.reports.exporters import get_exporter
from perfreport.reports.selectors import build_report
from strategies.models import Item, Method, Strategy, Year

SOFFICE = shutil.which("soffice")
pytestmark = [
    pytest.mark.libreoffice,
    pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed"),
]


@pytest.fixture(scope="module")
def profile(tmp_path_factory) -> str:
    """A LibreOffice profile of our own, so runs in parallel do not share one."""
    return tmp_path_factory.mktemp("lo-profile").as_uri()


def convert(source: Path, target: str, profile: str) -> Path:
    out = source.parent / f"out-{target.split(':')[0]}"
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            target,
            "--outdir",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return out / f"{source.stem}.{target.split(':')[0]}"


def pdf_pages(pdf: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-raw", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    return text.split("\f")[:-1]


def pdf_page_size(pdf: Path) -> str:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True)
    return re.search(r"Page size:\s+(.*)", info.stdout)[1]


def normalized(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture
def seed_year(seed):
    return Year.objects.get(organization__code="khh", roc_year=112)


def _write(tmp_path: Path, year: Year, identifier: str) -> Path:
    filename, _type, content = get_exporter(identifier).render(build_report(year))
    path = tmp_path / filename
    path.write_bytes(content)
    return path


def test_an_edited_score_changes_the_recalculated_total_in_the_workbook(
    seed_year, tmp_path, profile
):
    source = _write(tmp_path, seed_year, "xlsx")
    workbook = openpyxl.load_workbook(source)
    workbook["考核結果統計表"]["D6"] = 100  # 一、基礎服務: 184 -> 100
    edited = tmp_path / "edited.xlsx"
    workbook.save(edited)

    recalculated = openpyxl.load_workbook(convert(edited, "xlsx", profile), data_only=True)

    scores = recalculated["考核結果統計表"]
    assert (scores["I6"].value, scores["J6"].value) == (836, "甲")
    cover = {row[0].value: row[1].value for row in recalculated["封面"].iter_rows(min_row=3)}
    assert (cover["總分"], cover["等第"]) == (836, "甲")


def test_an_edited_score_changes_the_recalculated_total_in_the_ods(seed_year, tmp_path, profile):
    doc = load(str(_write(tmp_path, seed_year, "ods")))
    sheet = next(
        t
        for t in doc.spreadsheet.getElementsByType(Table)
        if t.getAttribute("name") == "考核結果統計表"
    )
    for row in sheet.getElementsByType(TableRow):
        for cell in row.childNodes:
            if cell.qname[1] == "table-cell" and cell.getAttribute("formula"):
                # Drop the computed values the file carries: LibreOffice computes them anew.
                for name in ("value", "valuetype", "stringvalue"):
                    if cell.getAttribute(name) is not None:
                        cell.removeAttribute(name)
    score = list(sheet.getElementsByType(TableRow)[5].childNodes)[3]
    score.setAttribute("value", "100")
    for child in list(score.childNodes):
        score.removeChild(child)
    score.addElement(P(text="100"))
    edited = tmp_path / "edited.ods"
    doc.save(str(edited))

    recalculated = openpyxl.load_workbook(convert(edited, "xlsx", profile), data_only=True)

    scores = recalculated["考核結果統計表"]
    assert (scores["D6"].value, scores["I6"].value, scores["J6"].value) == (100, 836, "甲")


@pytest.mark.parametrize("identifier", ["odt", "docx"])
def test_documents_convert_to_pdf_with_every_text_of_the_seed(
    seed_year, tmp_path, profile, identifier
):
    pdf = convert(_write(tmp_path, seed_year, identifier), "pdf", profile)
    pages = pdf_pages(pdf)
    text = normalized("".join(pages))

    assert pdf_page_size(pdf).startswith("841.89 x 595.")  # A4 landscape
    assert all("草稿／未發布" in page for page in pages)
    assert re.search(r"第\s*1\s*頁，共\s*\d+\s*頁", pages[0])
    items = Item.objects.filter(method__strategy__dimension__year=seed_year)
    for item in items:
        for value in (item.title, item.host_label, item.planned_actions, item.results):
            assert normalized(value) in text, value[:40]
    for method in Method.objects.filter(strategy__dimension__year=seed_year):
        assert normalized(method.title) in text
        assert normalized(method.description) in text
    for strategy in Strategy.objects.filter(dimension__year=seed_year):
        assert normalized(strategy.title) in text
    assert normalized("考核項目成績 (1000 分)") in text
    assert normalized("184 284 182 186 84 920 優 113.1") in text


@pytest.mark.parametrize("identifier", ["xlsx", "ods"])
def test_workbooks_print_a4_landscape_the_full_width_on_every_page(
    seed_year, tmp_path, profile, identifier
):
    pdf = convert(_write(tmp_path, seed_year, identifier), "pdf", profile)
    pages = pdf_pages(pdf)

    assert pdf_page_size(pdf).startswith("841.89 x 595.")
    assert all("草稿／未發布" in page for page in pages)  # the print header
    table_pages = [page for page in pages if "執行策略" in page]
    assert len(table_pages) >= 5
    for page in table_pages:
        # The header row is repeated and no column went to a page of its own.
        assert "執行方法" in page and "執行績效與成果" in page
    text = normalized("".join(pages))
    for item in Item.objects.filter(method__strategy__dimension__year=seed_year):
        assert normalized(item.title) in text
