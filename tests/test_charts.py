"""The score charts: plain SVG (no script, no style sheet) that browsers and WeasyPrint render."""

import xml.etree.ElementTree as ET

import pytest

from scoring import services
from scoring.charts import score_chart_svg, trend_chart_svg
from scoring.selectors import score_sheet_data
from tests import factories

SVG = "{http://www.w3.org/2000/svg}"
SEED = {1: "184", 2: "284", 3: "182", 4: "186", 5: "84"}


@pytest.fixture
def sheet(org, year, admin_user, auditor):
    services.save_scores(year=year, round="self", scores=SEED, user=admin_user)
    services.save_scores(year=year, round="review", scores={**SEED, 1: "115.5"}, user=auditor)
    return score_sheet_data(year, include_unsigned_review=True)


def assert_plain_svg(markup: str) -> ET.Element:
    root = ET.fromstring(markup)  # well-formed XML  # noqa: S314
    assert root.tag == f"{SVG}svg"
    for element in root.iter():
        assert element.tag not in {f"{SVG}script", f"{SVG}style", f"{SVG}foreignObject"}
        for name in element.attrib:
            assert name != "style" and not name.startswith("on"), (element.tag, name)
            assert "href" not in name
    return root


def test_the_score_chart_draws_each_dimension_against_its_maximum(sheet):
    markup = score_chart_svg(sheet)
    root = assert_plain_svg(markup)

    texts = [t.text for t in root.iter(f"{SVG}text")]
    for label in [
        "構面一",
        "基礎服務",
        "構面五",
        "開放創新",
        "115.5 / 200",
        "284 / 300",
        "84 / 100",
    ]:
        assert label in texts
    assert root.find(f"{SVG}title").text == "高雄分局 113 年度各構面分數與配分"
    desc = root.find(f"{SVG}desc").text
    assert "構面一基礎服務：配分 200，自評 184，複評 115.5" in desc
    # Bars scale with the largest maximum (300): 二's track is 1.5 times 一's.
    tracks = [
        float(r.get("width"))
        for r in root.iter(f"{SVG}rect")
        if r.get("stroke") == "#8a94a6" and r.get("height") == "34.0"
    ]
    assert tracks[1] == pytest.approx(tracks[0] * 1.5, abs=0.1)
    assert tracks[1] == pytest.approx(400, abs=0.1)


def test_no_trend_without_an_earlier_year(sheet):
    assert trend_chart_svg(sheet) == ""


def test_the_trend_shows_total_and_grade_by_year(org, year, sheet, admin_user):
    earlier = factories.make_year(org, 112, status="closed")
    services.save_scores(year=earlier, round="self", scores=SEED, user=admin_user)
    root = assert_plain_svg(trend_chart_svg(score_sheet_data(year, include_unsigned_review=True)))
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "920 優" in texts and "851.5 甲" in texts
    assert "112 年度" in texts and "113 年度" in texts
    assert "優 900" in texts


def test_text_is_escaped(org, year, admin_user):
    org.short_name = "<高雄&分局>"
    org.save()
    markup = score_chart_svg(score_sheet_data(year, include_unsigned_review=True))
    assert_plain_svg(markup)
    assert "&lt;高雄&amp;分局&gt;" in markup


def test_weasyprint_renders_the_chart_into_a_pdf(sheet, tmp_path):
    weasyprint = pytest.importorskip("weasyprint")
    html = (
        '<html lang="zh-Hant-TW"><body><h1>考核結果</h1>'
        + score_chart_svg(sheet)
        + "</body></html>"
    )
    pdf = weasyprint.HTML(string=html).write_pdf()
    assert pdf.startswith(b"%PDF")
    # The chart's text reaches the PDF as text (not as an image).
    pypdf = pytest.importorskip("pypdf")
    path = tmp_path / "chart.pdf"
    path.write_bytes(pdf)
    text = pypdf.PdfReader(str(path)).pages[0].extract_text()
    assert "基礎服務" in text and "115.5 / 200" in text
