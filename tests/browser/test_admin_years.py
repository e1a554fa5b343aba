"""The admin copies 112 to 115, retires one item, adds one, then previews a plan import with one
bad row and sees that row's error (sheet, row, column, reason)."""

import pytest
from playwright.sync_api import expect

from strategies.models import Item, Year
from strategies.plan_export import export_plan
from tests.plan_files import edited

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "perfreport-demo"


def test_admin_copies_edits_and_previews_an_import(
    page, live_server, login_as, shots, seed, tmp_path
):
    login_as(page, "admin", DEMO_PASSWORD)
    page.click("text=機關管理")
    expect(page.locator("h1")).to_contain_text("年度管理")
    expect(page.locator("#year-112")).to_contain_text("已結束填報")  # the seed's 112
    shots(page, "years")

    page.select_option("#id_from_year", label="112 年度")
    page.fill("#id_to_roc_year", "115")
    page.click(".copy-year-form button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("已由 112 年度複製出 115 年度")
    expect(page.locator("h1")).to_contain_text("115 年度架構")
    year = Year.objects.get(organization__code="khh", roc_year=115)
    items = Item.objects.filter(method__strategy__dimension__year=year)
    assert items.count() == 47
    shots(page, "copied-115")

    first = page.locator(".plan-item").first
    retired_title = first.locator(".item-title").inner_text()
    first.locator("button", has_text="停用").click()
    expect(page.locator(".messages")).to_contain_text("已停用")
    expect(page.locator(".plan-item.retired")).to_have_count(1)
    assert items.filter(is_retired=True).count() == 1
    shots(page, "item-retired")

    page.locator(".plan-method").first.locator("a", has_text="新增填報項目").click()
    expect(page.locator("h1")).to_contain_text("新增填報項目")
    page.fill("#id_title", "推動線上預約檢定服務")
    page.check("label:has-text('度量衡科') >> input")
    page.fill("#id_planned_actions", "年度目標值 2 家")
    shots(page, "item-form")
    page.click("button[type=submit].primary")
    expect(page.locator(".messages")).to_contain_text("已新增填報項目")
    expect(page.locator(".plan-item", has_text="推動線上預約檢定服務")).to_have_count(1)
    assert items.filter(is_retired=False).count() == 47
    shots(page, "item-added")

    _, _, data = export_plan(year)
    bad = tmp_path / "plan-115.xlsx"
    bad.write_bytes(edited(data, lambda wb: wb["構面一"]["D3"].__setattr__("value", "資訊室")))
    page.click("text=匯入計畫檔")
    page.set_input_files("#id_file", str(bad))
    page.click("button:has-text('預覽')")
    problem = page.locator(".import-problems tr.problem")
    expect(problem).to_have_count(1)
    expect(problem).to_contain_text("構面一")
    expect(problem).to_contain_text("D（主辦單位）")
    expect(problem).to_contain_text("主辦單位「資訊室」不是本機關的單位")
    expect(page.locator("button", has_text="確認匯入")).to_have_count(0)
    shots(page, "import-preview-bad-row")
    assert retired_title
