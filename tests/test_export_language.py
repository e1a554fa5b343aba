"""The report page follows the reader's language; the files keep the seed's Chinese layout
whoever downloads them (the legend, the dimension headings, the chart, the round labels)."""

import io
import re

import openpyxl
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation

from perfreport.reports.exporters import get_exporter
from perfreport.reports.selectors import build_report
from strategies.models import Year
from tests.conftest import login

CHINESE_LEGEND = "優=900 分以上；甲=899-800 分；乙=799-700 分；丙=699-600 分；丁=599 分以下"
ENGLISH_LEGEND = (
    "Excellent = 900 points or more; A = 899-800; B = 799-700; C = 699-600; D = 599 points or less"
)


@pytest.fixture
def seed_year(seed):
    return Year.objects.get(organization__code="khh", roc_year=112)


@pytest.fixture
def english_admin(client, seed_year):
    user = get_user_model().objects.get(username="admin")
    user.membership.language = "en"
    user.membership.save()
    login(client, user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_the_report_page_reads_in_english(english_admin):
    html = english_admin.get(reverse("reports:report", args=["khh", 112])).content.decode()
    assert ENGLISH_LEGEND in html
    assert "Dimension 一: 基礎服務 (200 points)" in html
    assert "service performance self-assessment scores" in html
    assert "score and maximum by dimension</title>" in html
    assert re.search(r'class="cover-grade">\s*Excellent\s*<', html)
    assert CHINESE_LEGEND not in html and "構面一：基礎服務" not in html


def test_the_html_file_stays_chinese_for_an_english_reader(english_admin):
    url = reverse("reports:download", args=["khh", 112, "html"])
    response = english_admin.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert CHINESE_LEGEND in html
    assert "構面一：基礎服務 (200 分)" in html
    assert "年度各構面分數與配分</title>" in html
    assert re.search(r'class="cover-grade">\s*優\s*<', html)
    assert "Excellent" not in html and "Dimension" not in html


def test_a_report_read_in_english_is_written_in_chinese(seed_year):
    """The report data may be built while an English reader is active (a download): every
    label it hands to a file is read when the file is written, in Chinese."""
    with translation.override("en"):
        data = build_report(seed_year)
        content = get_exporter("xlsx").render(data)[2]
    book = openpyxl.load_workbook(io.BytesIO(content))
    cells = {
        str(cell.value)
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    }
    assert CHINESE_LEGEND in cells
    assert "自評" in cells
    assert not [text for text in cells if "Excellent" in text or "Self-assessment" in text]
