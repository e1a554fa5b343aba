"""The auditor signs the year off in the browser: the confirmation page says what will happen,
the confirm button locks the year, the progress page follows the issuing, and every issued
file downloads under its Chinese name; the downloaded PDF carries a valid signature (pdfsig)."""

import subprocess

import pytest
from playwright.sync_api import expect

from perfreport.reports.exporters import EXPORTERS
from perfreport.reports.models import IssuedReport
from scoring import services
from strategies.models import Year
from tests.conftest import stored_bytes
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
REVIEW = {1: "184", 2: "284", 3: "182", 4: "186", 5: "84"}


def test_confirm_sign_off_and_download_the_issued_files(
    page, live_server, login_as, shots, year, item, auditor, unit_a, tmp_path
):
    services.save_scores(year=year, round="review", scores=REVIEW, user=auditor)
    login_as(page, "auditor", PASSWORD)
    page.goto(f"{live_server.url}/scoring/khh/113/")
    page.click("#sign-off")

    # The confirmation page: what will happen, and a button that looks dangerous.
    expect(page.locator("#confirm-title")).to_contain_text("完成 高雄分局 113 年度複評並發布報告")
    consequences = page.locator("#confirm-consequences")
    expect(consequences).to_contain_text("鎖定 113 年度：所有單位（1 個）")
    expect(consequences).to_contain_text(f"發布第 1 版報告，共 {len(EXPORTERS)} 種格式")
    button = page.locator("#confirm-button")
    expect(button).to_have_class("danger")
    background = button.evaluate("b => getComputedStyle(b).backgroundColor")
    assert background == "rgb(164, 22, 26)"  # --bad
    shots(page, "confirm")
    year.refresh_from_db()
    assert year.status == Year.Status.OPEN

    button.click()
    expect(page.locator(".messages")).to_contain_text("已完成複評：本年度已鎖定")
    expect(page.locator("#issue-status")).to_have_text("已發布", timeout=120_000)
    expect(page.locator("#issue-percent")).to_have_text("100%")
    links = page.locator("#issued-files a")
    expect(links).to_have_count(len(EXPORTERS))
    shots(page, "issued")
    year.refresh_from_db()
    assert year.status == Year.Status.LOCKED

    for index in range(len(EXPORTERS)):
        link = links.nth(index)
        fmt = link.get_attribute("data-format")
        with page.expect_download() as download:
            link.click()
        name = download.value.suggested_filename
        assert name == f"高雄分局113年度提升服務效能執行績效與成果-v1.{fmt}"
        target = tmp_path / f"download.{fmt}"
        download.value.save_as(target)
        issued = IssuedReport.objects.get(year=year, version=1, format=fmt)
        assert target.read_bytes() == stored_bytes(issued)
        if fmt == "pdf":
            out = subprocess.run(
                ["pdfsig", str(target)], capture_output=True, text=True, check=False
            ).stdout
            assert "Signature Validation: Signature is Valid." in out, out
