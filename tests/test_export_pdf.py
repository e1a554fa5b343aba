"""The PDF of the 112 report: every item's results, 920 and 優, an embedded Traditional Chinese
font, A4 landscape, page footers, the draft mark on every page, PDF/A-3a (tagged) with its XMP
metadata. Rendered once for the module (a render takes seconds)."""

import re
import subprocess

import pytest
from django.core.management import call_command
from django.db import transaction
from pypdf import PdfReader

from perfreport.reports.exporters import get_exporter
from perfreport.reports.selectors import build_report
from strategies.models import Item, Year

# Marks the database as needed, so that it is set up before the module's fixture runs.
pytestmark = pytest.mark.django_db


def normalize(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def seed_pdf(django_db_setup, django_db_blocker, tmp_path_factory):
    """(path, the items' results) of the seed's PDF; the seed is rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("loaddata", "khh_112", verbosity=0)
        year = Year.objects.get(organization__code="khh", roc_year=112)
        filename, content_type, content = get_exporter("pdf").render(build_report(year))
        results = list(
            Item.objects.filter(method__strategy__dimension__year=year).values_list(
                "results", flat=True
            )
        )
        transaction.set_rollback(True)
    assert filename == "高雄分局112年度提升服務效能執行績效與成果-draft.pdf"
    assert content_type == "application/pdf"
    path = tmp_path_factory.mktemp("pdf") / filename
    path.write_bytes(content)
    return path, results


def pdftotext(path) -> str:
    # -raw keeps each table cell's lines together (the default mode reads across columns).
    return subprocess.run(
        ["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_text_holds_every_items_results_the_total_and_the_grade(seed_pdf):
    path, results = seed_pdf
    text = normalize(pdftotext(path))

    assert len(results) == 47
    missing = [r[:30] for r in results if normalize(r) not in text]
    assert missing == []
    assert "經濟部標準檢驗局高雄分局112年度提升服務效能執行績效與成果" in text
    assert "構面一：基礎服務(200分)" in text
    assert "總分920" in text  # the cover
    assert "920優113.1" in text  # the score sheet's line
    assert "優=900分以上" in text


def test_a_traditional_chinese_font_is_embedded(seed_pdf):
    """Every glyph, the page footers included, comes from the configured Kai font: no fallback
    font (a fallback is where a missing glyph would show)."""
    path, _results = seed_pdf
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    rows = fonts.splitlines()[2:]

    assert rows, fonts
    for row in rows:
        name = row.split()[0].split("+", 1)[1]
        assert name.startswith("AR-PL-UKai-TW"), fonts
        # columns from the right: object id, generation, uni, sub, emb
        assert row.split()[-5] == "yes", fonts


def test_a4_landscape_with_page_numbers_and_the_header_on_every_page(seed_pdf):
    path, _results = seed_pdf
    reader = PdfReader(path)
    pages = len(reader.pages)
    box = reader.pages[0].mediabox

    assert round(float(box.width)) == 842 and round(float(box.height)) == 595
    assert pages > 10
    last = normalize(reader.pages[-1].extract_text())
    assert f"第{pages}頁，共{pages}頁" in last
    for number in range(2, pages - 1):  # the table pages, between the cover and the score sheet
        page = normalize(reader.pages[number - 1].extract_text())
        assert f"第{number}頁，共{pages}頁" in page
        assert "執行策略執行方法主辦單位具體作法執行績效與成果(1-12月)" in page, number


def test_page_one_renders(seed_pdf, tmp_path):
    """The cover as an image (looked at by hand while building it: organization, title, grade)."""
    path, _results = seed_pdf
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(path), str(tmp_path / "page")],
        check=True,
    )
    image = next(tmp_path.glob("page*.png"))
    assert image.stat().st_size > 5_000


def pdfinfo(path, *args: str) -> str:
    return subprocess.run(
        ["pdfinfo", *args, str(path)], capture_output=True, text=True, check=True
    ).stdout


def test_a_draft_says_so_on_every_page(seed_pdf):
    """The year is not signed off: each page's header carries 草稿／未發布."""
    path, _results = seed_pdf
    reader = PdfReader(path)
    for number, page in enumerate(reader.pages, start=1):
        assert "草稿／未發布" in page.extract_text(), number


def test_pdf_a_tagged_with_metadata(seed_pdf):
    """pdfinfo: tagged (a structure tree for screen readers), title, author (the organization),
    subject; the XMP declares PDF/A-3a and carries the language and the creation date."""
    path, _results = seed_pdf
    info = pdfinfo(path)
    assert re.search(r"^Tagged:\s+yes$", info, re.M), info
    assert re.search(
        r"^Title:\s+經濟部標準檢驗局高雄分局 112 年度提升服務效能執行績效與成果$", info, re.M
    )
    assert re.search(r"^Author:\s+經濟部標準檢驗局高雄分局$", info, re.M)
    assert re.search(r"^Subject:\s+.*112 年度提升服務效能自行考核報告（草稿／未發布）$", info, re.M)
    assert re.search(r"^CreationDate:\s+\S", info, re.M)
    xmp = pdfinfo(path, "-meta")
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="A"' in xmp
    assert "<rdf:li>zh-Hant-TW</rdf:li>" in xmp
    assert "<xmp:CreateDate>" in xmp
    catalog = PdfReader(path).trailer["/Root"]
    assert catalog["/Lang"] == "zh-Hant-TW"
    assert catalog["/OutputIntents"][0].get_object()["/S"] == "/GTS_PDFA1"
    assert "/StructTreeRoot" in catalog
