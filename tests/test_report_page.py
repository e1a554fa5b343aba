"""The report page: the seed's layout, download buttons for admins and auditors only."""

import re
from urllib.parse import quote

import pytest
from django.urls import reverse

from benchmarks import synthetic
from strategies.models import Item, Year
from tests.conftest import login


def url(name: str = "reports:report", **kw) -> str:
    return reverse(name, kwargs={"org": "khh", "roc_year": 112, **kw})


@pytest.fixture
def report_year(org, unit_a, unit_b):
    """A closed year shaped like the seed; its units include the cast's unit A and B."""
    return synthetic.build_year(org, 112)


def test_anonymous_is_sent_to_login(client, report_year):
    response = client.get(url())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert client.get(url("reports:download", format="pdf")).status_code == 302


def test_another_organization_gets_404(client, report_year, outsider):
    login(client, outsider)
    assert client.get(url()).status_code == 404
    assert client.get(url("reports:download", format="json")).status_code == 404


def test_staff_read_the_page_but_cannot_download(client, report_year, staff_a):
    login(client, staff_a)
    response = client.get(url())
    assert response.status_code == 200
    assert "下載 PDF" not in response.text
    assert client.get(url("reports:download", format="pdf")).status_code == 403


@pytest.mark.parametrize("actor", ["auditor", "admin_user", "hq_auditor"])
def test_admins_and_auditors_see_download_buttons(client, report_year, actor, request):
    login(client, request.getfixturevalue(actor))
    response = client.get(url())
    for label in ["HTML", "PDF", "Excel", "ODF", "JSON"]:
        assert f"下載 {label}" in response.text
    download = client.get(url("reports:download", format="xlsx"))
    assert download.status_code == 200
    assert download["Content-Disposition"] == (
        'attachment; filename="khh-112-service-performance-draft.xlsx"; '
        "filename*=UTF-8''" + quote("高雄分局112年度提升服務效能執行績效與成果-draft.xlsx")
    )


@pytest.mark.parametrize("spool_bytes", [8 * 1024 * 1024, 1])
def test_a_fresh_download_is_the_exporters_bytes_from_memory_or_streamed_from_disk(
    client, report_year, admin_user, monkeypatch, spool_bytes
):
    """A small file is sent from memory; past SPOOL_BYTES it was written to disk piece by piece
    and is streamed (a large year's file is not held whole in the web process). Either way the
    bytes are the exporter's own, with their length."""
    from perfreport.reports import issuing
    from perfreport.reports.exporters import get_exporter
    from perfreport.reports.selectors import build_report

    monkeypatch.setattr(issuing, "SPOOL_BYTES", spool_bytes)
    login(client, admin_user)
    response = client.get(url("reports:download", format="json"))
    assert response.status_code == 200
    assert response.streaming == (spool_bytes == 1)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    exporter = get_exporter("json")
    expected = exporter.render(
        build_report(report_year, include_entries=True, include_unsigned_review=True)
    )[2]
    assert body == expected
    assert response["Content-Length"] == str(len(expected))
    assert response["Content-Type"] == exporter.content_type


def test_unknown_format_is_404(client, report_year, admin_user):
    login(client, admin_user)
    assert client.get(url("reports:download", format="rtf")).status_code == 404


def test_page_follows_the_seed(client, seed):
    from django.contrib.auth import get_user_model

    login(client, get_user_model().objects.get(username="auditor"))
    response = client.get(url())
    text = re.sub(r"\s+", " ", response.text)

    assert "經濟部標準檢驗局高雄分局 112 年度提升服務效能執行績效與成果" in text
    for heading in [
        "構面一：基礎服務 (200 分)",
        "構面二：服務遞送 (300 分)",
        "構面五：開放創新 (100 分)",
    ]:
        assert heading in text
    for column in ["執行策略", "執行方法", "主辦單位", "具體作法", "執行績效與成果 (1-12 月)"]:
        assert f">{column}</th>" in text
    assert "(一)服務一致及正確性" in text
    assert "考核結果統計表" in text
    assert "優=900 分以上；甲=899-800 分；乙=799-700 分；丙=699-600 分；丁=599 分以下" in text
    assert '<td class="num">920</td>' in text
    assert '<td class="grade">優</td>' in text
    # Every reported item is one row; a strategy's cell spans all its rows.
    year = Year.objects.get(organization__code="khh", roc_year=112)
    assert (
        text.count('<td class="c-host"')
        == Item.objects.filter(method__strategy__dimension__year=year).count()
    )
    assert 'class="c-strategy" rowspan="' in text
    assert "本年度尚未發布報告" in text
