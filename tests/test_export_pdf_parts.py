"""A large year's PDF is rendered in parts of at most PDF_PART_ROWS table rows and joined
(perfreport/reports/exporters/pdf_parts.py). With a bound of 10 rows the 112 report renders in
5 parts, and the joined file is the single render's document: the same pages with the same text
(page numbers 第 X 頁，共 Y 頁 and the draft mark stamped on), the same bookmarks, one tagged
structure, and a signature that validates."""

import re
import subprocess

import pytest
import weasyprint
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from pypdf import PdfReader

from perfreport.reports import signing
from perfreport.reports.exporters import get_exporter, pdf_parts
from perfreport.reports.selectors import build_report
from strategies.models import Year

pytestmark = pytest.mark.django_db

PART_ROWS = 10
FURNITURE_PAGES = 7  # the 18 pages' header and footer in three renders: 1-7, 8-14, 15-18


@pytest.fixture(scope="module")
def seed_pdfs(django_db_setup, django_db_blocker, tmp_path_factory):
    """(single render, joined render, the parts, WeasyPrint documents laid out for the joined)."""
    calls = []
    original = weasyprint.HTML

    def counted(*args, **kwargs):
        calls.append(kwargs.get("string", ""))
        return original(*args, **kwargs)

    folder = tmp_path_factory.mktemp("pdf-parts")
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("loaddata", "khh_112", verbosity=0)
        year = Year.objects.get(organization__code="khh", roc_year=112)
        data = build_report(year)
        single = get_exporter("pdf").render(data)[2]
        furniture_pages = pdf_parts.FURNITURE_PAGES
        with override_settings(PDF_PART_ROWS=PART_ROWS):
            weasyprint.HTML = counted
            pdf_parts.FURNITURE_PAGES = FURNITURE_PAGES
            try:
                joined = get_exporter("pdf").render(data)[2]
            finally:
                weasyprint.HTML = original
                pdf_parts.FURNITURE_PAGES = furniture_pages
        parts = pdf_parts.split(data, PART_ROWS)
        transaction.set_rollback(True)
    (folder / "single.pdf").write_bytes(single)
    (folder / "joined.pdf").write_bytes(joined)
    return folder / "single.pdf", folder / "joined.pdf", parts, calls


def page_texts(path) -> list[str]:
    pages = len(PdfReader(path).pages)
    return [
        subprocess.run(
            ["pdftotext", "-raw", "-f", str(n), "-l", str(n), str(path), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for n in range(1, pages + 1)
    ]


def test_the_seed_is_one_part_by_default_and_five_of_ten_rows(seed_pdfs, settings):
    _single, _joined, parts, _calls = seed_pdfs
    layout = [[(s.kind, len(s.rows), s.continued) for s in part.sections] for part in parts]

    assert layout == [
        [("cover", 0, False), ("dimension", 3, False)],
        [("dimension", 19, True)],  # a strategy of 19 rows stays whole
        [("dimension", 10, False)],
        [("dimension", 5, True), ("dimension", 2, False)],
        [("dimension", 6, False), ("dimension", 2, False), ("scores", 0, False)],
    ]
    assert settings.PDF_PART_ROWS >= 470  # 10x the seed is still one render
    with transaction.atomic():
        call_command("loaddata", "khh_112", verbosity=0)
        data = build_report(Year.objects.get(organization__code="khh", roc_year=112))
        assert len(pdf_parts.split(data, settings.PDF_PART_ROWS)) == 1


def test_one_weasyprint_render_per_part_and_per_run_of_page_furniture(seed_pdfs):
    _single, _joined, parts, calls = seed_pdfs

    assert len(parts) == 5 and len(calls) == 5 + 3
    assert all('class="report-dimension"' in html or "report-cover" in html for html in calls[:5])
    assert 'class="report-cover"' in calls[0] and 'class="report-cover"' not in calls[1]
    furniture = calls[5:]
    # One empty page per page, the footer's total filled in, the counter moved on.
    breaks = [html.count('<div style="break-before: page"></div>') for html in furniture]
    assert [n + 1 for n in breaks] == [7, 7, 4]
    assert all('" 頁，共 " "18" " 頁"' in html for html in furniture)
    assert "counter-reset: page" not in furniture[0]
    assert "counter-reset: page 8;" in furniture[1] and "counter-reset: page 15;" in furniture[2]


def test_the_joined_file_has_the_single_renders_pages_and_text(seed_pdfs):
    single, joined, _parts, _calls = seed_pdfs
    single_text, joined_text = page_texts(single), page_texts(joined)

    assert len(joined_text) == len(single_text) == 18
    assert joined_text == single_text
    assert "第" not in joined_text[0].split("草稿")[0]  # no page number on the cover
    for number, text in enumerate(joined_text[1:], start=2):
        assert f"第 {number} 頁，共 18 頁" in text, number
    for number, text in enumerate(joined_text, start=1):
        assert "草稿／未發布" in text, number


def outline(path) -> list:
    reader = PdfReader(path)

    def walk(items):
        return [
            walk(item)
            if isinstance(item, list)
            else (item.title, reader.get_destination_page_number(item), round(item.top))
            for item in items
        ]

    return walk(reader.outline)


def test_bookmarks_as_in_the_single_render(seed_pdfs):
    single, joined, _parts, _calls = seed_pdfs

    assert outline(joined) == outline(single)
    title, dimensions = outline(joined)
    assert title[1] == 0 and len(dimensions) == 6


def test_one_tagged_structure_over_every_page(seed_pdfs):
    """One Document element; every page's key into the parent tree unique and present; every
    structure element on a page of the file, under its parent."""
    _single, joined, _parts, _calls = seed_pdfs
    reader = PdfReader(joined)
    tree = reader.trailer["/Root"]["/StructTreeRoot"]
    nums = tree["/ParentTree"]["/Nums"]
    keys = [nums[i] for i in range(0, len(nums), 2)]
    page_keys = [page["/StructParents"] for page in reader.pages]

    assert len(tree["/K"]) == 1
    assert len(set(keys)) == len(keys) and set(page_keys) <= set(keys)
    assert len(set(page_keys)) == len(page_keys) == 18
    assert tree["/ParentTreeNextKey"] == max(keys) + 1
    pages = {page.indirect_reference.idnum for page in reader.pages}
    document = tree["/K"][0].get_object()
    checked = 0
    stack = [(document, child) for child in document["/K"]]
    while stack:
        parent, reference = stack.pop()
        element = reference.get_object()
        if not hasattr(element, "get") or element.get("/Type") != "/StructElem":
            continue
        checked += 1
        assert element.raw_get("/P").idnum == parent.indirect_reference.idnum
        assert element.raw_get("/Pg").idnum in pages
        kids = element.get("/K")
        if isinstance(kids, list):
            stack.extend((element, kid) for kid in kids if hasattr(kid, "idnum"))
    assert checked > 1000
    info = subprocess.run(["pdfinfo", str(joined)], capture_output=True, text=True).stdout
    assert re.search(r"^Tagged:\s+yes$", info, re.M)
    assert re.search(r"^Pages:\s+18$", info, re.M)


def test_the_joined_file_signs_and_verifies(seed_pdfs, settings, signing_pkcs12, tmp_path):
    from tests.conftest import SIGNING_PASSPHRASE

    settings.SIGNING_PKCS12 = str(signing_pkcs12)
    settings.SIGNING_PKCS12_PASSPHRASE = SIGNING_PASSPHRASE
    _single, joined, _parts, _calls = seed_pdfs
    signed = signing.sign_pdf(joined.read_bytes(), reason="test")

    assert signing.verify_pdf(signed).ok
    path = tmp_path / "signed.pdf"
    path.write_bytes(signed)
    pdfsig = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout
    assert "Signature is Valid." in pdfsig
