"""The HTML file: a standalone document in the seed's layout, the same for every reader."""

import re

import pytest
from django.utils import translation

from perfreport.reports.exporters import get_exporter
from perfreport.reports.selectors import build_report
from strategies.models import Item, Year


@pytest.fixture
def seed_year(seed):
    return Year.objects.get(organization__code="khh", roc_year=112)


def test_standalone_document_in_traditional_chinese(seed_year, settings):
    filename, content_type, content = get_exporter("html").render(build_report(seed_year))
    html = content.decode("utf-8")

    assert filename == "高雄分局112年度提升服務效能執行績效與成果-draft.html"
    assert content_type == "text/html; charset=utf-8"
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="zh-Hant-TW">' in html
    assert "<title>經濟部標準檢驗局高雄分局 112 年度提升服務效能執行績效與成果</title>" in html
    # Self-contained: the stylesheet is inside, nothing is fetched.
    assert "@page" in html and "<link" not in html and "<script" not in html
    assert f'font-family: "{settings.PDF_FONT_FAMILY}"' in html
    text = re.sub(r"\s+", " ", html)
    for item in Item.objects.filter(method__strategy__dimension__year=seed_year):
        assert re.sub(r"\s+", " ", item.results) in text


def test_the_file_does_not_depend_on_the_readers_language(seed_year):
    data = build_report(seed_year)
    chinese = get_exporter("html").render(data)[2]
    with translation.override("en"):
        english_reader = get_exporter("html").render(data)[2]
    assert english_reader == chinese
