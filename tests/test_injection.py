"""Injection: what people type is shown as text, everywhere.

- HTML/JS payloads in every text field a person can write (organization and unit names, the plan's
  titles, narratives, return reasons, comments, user names, file names, score comments) are
  escaped in every page, in the HTML and PDF exports, and kept exactly in the JSON file;
- text that begins like a spreadsheet formula (=, +, -, @) is written as text in the workbook and
  the ODF sheet, never as a formula;
- SQL metacharacters in filters, sorting and search are harmless: a normal page, nothing changed.
"""

import io
import json
import re
import subprocess
from decimal import Decimal
from email.message import Message

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from odf import teletype
from odf.opendocument import load
from odf.table import TableCell
from openpyxl import load_workbook

from perfreport.reports.exporters import get_exporter
from perfreport.reports.selectors import build_report
from scoring.models import DimensionScore, ScoreSheet
from strategies.models import EntryComment, Evidence, MonthlyEntry
from strategies.services import entries as services
from tests import factories


def drain(response) -> None:  # type: ignore[no-untyped-def]
    """Read a streamed response to its end, so the test client closes its file.

    Never call response.close() in a test: it sends request_finished with Django's
    close_old_connections attached, which closes the PostgreSQL connection mid-test.
    """
    if response.streaming:
        b"".join(response.streaming_content)


pytestmark = pytest.mark.django_db


def script(n: int) -> str:
    return f"<script>alert({n})</script>"


def escaped(n: int) -> str:
    return f"&lt;script&gt;alert({n})&lt;/script&gt;"


IMG = '"><img src=x onerror=alert(99)>'
RAW_MARKERS = ["<script>alert(", "<img src=x", "onerror=alert(99)>"]
FORMULA = '=HYPERLINK("http://evil.example/","按此領獎")'
FORMULA_TEXTS = [FORMULA, "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)"]

# Which payload number sits in which field.
FIELDS = {
    1: "organization short name",
    2: "unit name",
    3: "strategy title",
    4: "method title",
    5: "method description",
    6: "item title",
    7: "planned actions",
    8: "item results",
    9: "indicator name",
    10: "entry narrative",
    11: "return reason",
    12: "comment",
    13: "user name",
    14: "dimension name",
    15: "evidence file name",
    16: "score sheet's assessing body",
    17: "review comment",
}


@pytest.fixture
def poisoned(org, year, unit_a, staff_a, head_a, admin_user):
    org.short_name = script(1)
    org.save()
    unit = factories.make_unit(org, script(2))
    dimension = year.dimensions.get(number=1)
    dimension.name = script(14)
    dimension.save()
    item = factories.make_item(
        year,
        hosts=[unit_a, unit],
        title=script(6) + IMG,
        planned_actions=script(7),
        results=FORMULA + script(8),
    )
    method = item.method
    method.title = script(4)
    method.description = script(5)
    method.save()
    method.strategy.title = script(3) + IMG
    method.strategy.save()
    indicator = item.indicators.get()
    indicator.name = script(9)
    indicator.save()
    staff_a.first_name = script(13)
    staff_a.save()
    entry = MonthlyEntry.objects.create(
        item=item,
        unit=unit_a,
        month=1,
        narrative=FORMULA_TEXTS[1] + "\n" + script(10) + IMG,
        status=MonthlyEntry.Status.RETURNED,
        return_reason=script(11),
        created_by=staff_a,
        updated_by=staff_a,
    )
    EntryComment.objects.create(entry=entry, author=staff_a, body=script(12) + IMG)
    evidence = Evidence(
        entry=entry,
        original_name=f'{script(15)}".pdf',
        content_type="application/pdf",
        size=9,
        sha256="0" * 64,
        uploaded_by=staff_a,
    )
    evidence.file.save("x.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    evidence.save()
    sheet = ScoreSheet.objects.get(year=year)
    sheet.assessed_by = script(16)
    sheet.save()
    DimensionScore.objects.create(
        dimension=dimension,
        round=DimensionScore.Round.REVIEW,
        score=Decimal("180"),
        maximum=dimension.max_score,
        comment=script(17),
    )
    return {"year": year, "item": item, "entry": entry, "evidence": evidence, "unit": unit}


def _pages(world) -> list[tuple[str, str]]:
    """(actor, url) of every page that shows poisoned text."""
    year, item, entry = world["year"], world["item"], world["entry"]
    sheet = {"org": "khh", "roc_year": year.roc_year}
    return [
        ("staff_a", reverse("home")),
        ("head_a", reverse("home")),
        ("auditor", reverse("home")),
        ("admin", reverse("home")),
        ("staff_a", reverse("strategies:my-work")),
        ("auditor", reverse("strategies:my-work")),
        ("staff_a", reverse("strategies:entry-edit", args=[item.pk, entry.unit_id, 1])),
        ("head_a", reverse("strategies:entry-edit", args=[item.pk, entry.unit_id, 1])),
        ("auditor", reverse("strategies:item-history", args=[item.pk])),
        ("staff_a", reverse("strategies:item-results", args=[item.pk])),
        ("auditor", reverse("scoring:score-sheet", kwargs=sheet)),
        ("auditor", reverse("scoring:score-edit", kwargs={**sheet, "round": "review"})),
        ("auditor", reverse("scoring:review", kwargs=sheet)),
        ("auditor", reverse("reports:report", kwargs=sheet)),
        ("auditor", reverse("reports:index")),
        ("admin", reverse("manage:plan", args=[year.pk])),
        ("admin", reverse("manage:item-edit", args=[item.pk])),
        ("admin", reverse("manage:units")),
        ("admin", reverse("manage:users")),
        ("admin", reverse("manage:years")),
        ("hq", reverse("scoring:hq-comparison")),
    ]


def test_payloads_are_escaped_in_every_page(
    poisoned, staff_a, head_a, auditor, admin_user, hq_auditor
):
    users = {
        "staff_a": staff_a,
        "head_a": head_a,
        "auditor": auditor,
        "admin": admin_user,
        "hq": hq_auditor,
    }
    shown: set[int] = set()
    for actor, url in _pages(poisoned):
        client = Client()
        client.force_login(users[actor])
        response = client.get(url)
        assert response.status_code == 200, (actor, url)
        html = response.content.decode()
        for marker in RAW_MARKERS:
            assert marker not in html, f"{actor} {url}: unescaped {marker!r}"
        shown |= {n for n in FIELDS if escaped(n) in html}
    # Every field was really displayed somewhere (escaped), so the checks above were not empty.
    missing = {FIELDS[n] for n in set(FIELDS) - shown - {15}}
    assert missing == set()


def test_a_file_name_payload_is_escaped_in_the_page_and_quoted_in_the_download(poisoned, staff_a):
    client = Client()
    client.force_login(staff_a)
    item, entry = poisoned["item"], poisoned["entry"]
    page = client.get(reverse("strategies:entry-edit", args=[item.pk, entry.unit_id, 1]))
    assert escaped(15) in page.content.decode()
    response = client.get(reverse("strategies:evidence-download", args=[poisoned["evidence"].pk]))
    disposition = response["Content-Disposition"]
    drain(response)
    assert disposition.startswith("attachment;")
    assert "<script>" not in disposition
    assert "\r" not in disposition and "\n" not in disposition
    # A mail-header parser reads back one whole name, with no quote, bracket or slash left in
    # it (strategies.downloads replaces them).
    header = Message()
    header["Content-Disposition"] = disposition
    name = header.get_filename()
    assert name.endswith(".pdf") and not set(name) & set('<>"\\/')


def test_narrative_posted_through_the_form_is_stored_exactly_and_shown_escaped(
    year, item, unit_a, staff_a
):
    text = FORMULA + "\n" + script(21) + IMG + "\n' OR 1=1; DROP TABLE strategies_item; --"
    client = Client()
    client.force_login(staff_a)
    url = reverse("strategies:entry-edit", args=[item.pk, unit_a.pk, 1])
    response = client.post(url, {"version": 0, "narrative": text, "action": "save"})
    assert response.status_code == 302
    entry = MonthlyEntry.objects.get(item=item, unit=unit_a, month=1)
    assert entry.narrative == text
    html = client.get(url).content.decode()
    assert escaped(21) in html
    assert all(marker not in html for marker in RAW_MARKERS)


# --- exports --------------------------------------------------------------------------------


def _render(year, fmt: str) -> bytes:
    exporter = get_exporter(fmt)
    return exporter.render(build_report(year, include_entries=exporter.needs_entries))[2]


def test_html_export_escapes_every_payload(poisoned):
    html = _render(poisoned["year"], "html").decode()
    assert all(marker not in html for marker in RAW_MARKERS)
    for n in (1, 3, 4, 6, 7, 8, 14, 16):
        assert escaped(n) in html, FIELDS[n]


def test_pdf_shows_the_payloads_as_text(poisoned, tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(_render(poisoned["year"], "pdf"))
    text = subprocess.run(
        ["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = re.sub(r"\s+", "", text)
    # Had WeasyPrint read them as markup, the tags would not be in the text at all.
    for n in (6, 7, 8):
        assert re.sub(r"\s+", "", script(n)) in flat, FIELDS[n]
    assert "<imgsrc=xonerror=alert(99)>" in flat
    assert 'HYPERLINK("http://evil.example/","按此領獎")' in flat


def test_xlsx_writes_formula_like_text_as_text(poisoned):
    workbook = load_workbook(io.BytesIO(_render(poisoned["year"], "xlsx")))
    found = []
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and (
                    "evil.example" in cell.value or "alert(" in cell.value
                ):
                    assert cell.data_type == "s", (ws.title, cell.coordinate, cell.value)
                    found.append(cell.value)
    assert FORMULA + script(8) in found
    assert script(7) in found


def test_ods_writes_formula_like_text_as_text(poisoned):
    doc = load(io.BytesIO(_render(poisoned["year"], "ods")))
    found = []
    for cell in doc.spreadsheet.getElementsByType(TableCell):
        text = "\n".join(teletype.extractText(p) for p in cell.childNodes)
        if "evil.example" in text or "alert(" in text:
            assert not cell.getAttribute("formula"), text
            assert cell.getAttribute("valuetype") == "string", text
            found.append(text)
    assert FORMULA + script(8) in found


def test_json_keeps_every_payload_exactly(poisoned):
    document = json.loads(_render(poisoned["year"], "json"))
    dump = json.dumps(document, ensure_ascii=False)
    assert document["organization"]["short_name"] == script(1)
    for text in (script(3) + IMG, script(6) + IMG, FORMULA + script(8), script(11)):
        assert json.dumps(text, ensure_ascii=False) in dump


@pytest.mark.parametrize("text", FORMULA_TEXTS)
def test_each_formula_prefix_stays_text_in_both_spreadsheets(year, unit_a, text):
    factories.make_item(year, hosts=[unit_a], planned_actions=text, results=text)
    workbook = load_workbook(io.BytesIO(_render(year, "xlsx")))
    cells = [
        c for ws in workbook.worksheets for row in ws.iter_rows() for c in row if c.value == text
    ]
    assert len(cells) == 2 and all(c.data_type == "s" for c in cells)
    doc = load(io.BytesIO(_render(year, "ods")))
    ods_cells = [
        c
        for c in doc.spreadsheet.getElementsByType(TableCell)
        if "\n".join(teletype.extractText(p) for p in c.childNodes) == text
    ]
    assert len(ods_cells) == 2
    assert all(not c.getAttribute("formula") for c in ods_cells)


# --- SQL metacharacters ---------------------------------------------------------------------

SQL = [
    "1' OR '1'='1",
    "1; DROP TABLE strategies_item; --",
    "%",
    "_",
    "\\",
    "1) OR (1=1",
    "' UNION SELECT password FROM auth_user --",
]


def snapshot() -> dict[str, int]:
    """Row counts of every table but the login bookkeeping (sessions, axes' access log)."""
    return {
        m._meta.label: m._base_manager.count()
        for m in apps.get_models()
        if m._meta.app_label not in {"sessions", "axes"}
    }


@pytest.mark.parametrize("value", SQL)
def test_sql_metacharacters_in_filters_and_sorting_are_harmless(
    value, year, item, staff_a, auditor, admin_user
):
    before = snapshot()
    sheet = {"org": "khh", "roc_year": year.roc_year}
    requests = [
        (staff_a, reverse("strategies:my-work"), {"dimension": value, "strategy": value}),
        (staff_a, reverse("strategies:my-work"), {"status": value, "sort": value}),
        (staff_a, reverse("strategies:my-work"), {"year": value}),
        (auditor, reverse("scoring:review", kwargs=sheet), {"dimension": value, "unit": value}),
        (auditor, reverse("scoring:review", kwargs=sheet), {"status": value, "sort": value}),
        (auditor, reverse("home"), {"year": value}),
        (admin_user, reverse("admin:strategies_item_changelist"), {"q": value}),
        (admin_user, reverse("admin:strategies_monthlyentry_changelist"), {"q": value}),
    ]
    for user, url, params in requests:
        client = Client()
        client.force_login(user)
        response = client.get(url, params)
        assert response.status_code in {200, 404}, (url, params, response.status_code)
        html = response.content.decode()
        assert "Traceback" not in html
    assert snapshot() == before


def test_like_wildcards_in_admin_search_match_only_themselves(year, unit_a, admin_user):
    factories.make_item(year, hosts=[unit_a], title="達成率 100%")
    factories.make_item(year, hosts=[unit_a], title="一般項目")
    client = Client()
    client.force_login(admin_user)
    url = reverse("admin:strategies_item_changelist")
    assert client.get(url, {"q": "%"}).context["cl"].result_count == 1
    assert client.get(url, {"q": "_"}).context["cl"].result_count == 0
    assert client.get(url, {"q": "' OR '1'='1"}).context["cl"].result_count == 0


def test_a_stale_conflict_message_shows_the_other_persons_text_escaped(
    year, item, unit_a, staff_a, head_a
):
    services.save_entry(
        user=head_a,
        item=item,
        unit=unit_a,
        month=1,
        version=0,
        narrative=script(31),
        values={},
    )
    client = Client()
    client.force_login(staff_a)
    response = client.post(
        reverse("strategies:entry-edit", args=[item.pk, unit_a.pk, 1]),
        {"version": 0, "narrative": "我的版本", "action": "save"},
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert escaped(31) in html
    assert "<script>alert(31)" not in html
