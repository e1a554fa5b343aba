"""The year-end text through the whole loop, in the browser: staff submit January, the head
approves; the results page and the report show the draft with no button pressed; staff edit
it; February approved marks it stale with the difference shown; staff confirm and submit;
the head approves the final text. Screenshots of the results page at 1440 and 375 px."""

import pytest
from playwright.sync_api import expect

from strategies.models import Item, Membership
from tests import factories
from tests.browser.test_accessibility import violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Role = Membership.Role


@pytest.fixture
def plan(db):
    hq = factories.make_org("bsmi", "經濟部標準檢驗局", short_name="總局", is_headquarters=True)
    org = factories.make_org("khh", "經濟部標準檢驗局高雄分局", short_name="高雄分局", parent=hq)
    metrology = factories.make_unit(org, "度量衡科", order=2)
    year = factories.make_year(org, 113)
    item = factories.make_item(
        year, hosts=[metrology], planned_actions="辦理各類專業教育訓練，預計舉辦 9 場次教育訓練。"
    )
    factories.make_user("metrology-staff", org, Role.STAFF, metrology, first_name="度量衡科承辦人")
    factories.make_user("metrology-head", org, Role.HEAD, metrology, first_name="度量衡科科長")
    return item, metrology


def logout(page):
    page.click("form[action$='/logout/'] button")
    page.wait_for_load_state()


def submit_month(page, live_server, item, unit, month, narrative, count):
    page.goto(f"{live_server.url}/items/{item.pk}/units/{unit.pk}/months/{month}/")
    page.fill("#id_narrative", narrative)
    page.fill(f"#id_value_{item.indicators.get().pk}", str(count))
    page.click("#submit-entry")
    expect(page.locator("#entry-status")).to_have_text("已送出")


def approve_month(page, live_server, item, unit, month):
    page.goto(f"{live_server.url}/items/{item.pk}/units/{unit.pk}/months/{month}/")
    page.click("#approve-entry")
    expect(page.locator("#entry-status")).to_have_text("已核定")


def both_widths(page, shots, name):
    for width in (1440, 375):
        page.set_viewport_size({"width": width, "height": 900})
        shots(page, f"{name}-{width}")
    page.set_viewport_size({"width": 1440, "height": 900})


def test_year_end_text_flow(django_db_setup, page, live_server, login_as, shots, plan):
    item, unit = plan
    results_url = f"{live_server.url}/items/{item.pk}/results/"
    report_url = f"{live_server.url}/reports/khh/113/"

    login_as(page, "metrology-staff", factories.PASSWORD)
    submit_month(page, live_server, item, unit, 1, "1 月：辦理度量衡法規教育訓練 4 場次。", 4)
    logout(page)
    login_as(page, "metrology-head", factories.PASSWORD)
    approve_month(page, live_server, item, unit, 1)
    logout(page)

    # No button pressed: the draft is on the results page and in the report.
    login_as(page, "metrology-staff", factories.PASSWORD)
    page.goto(results_url)
    expect(page.locator("#results-state")).to_contain_text("草稿")
    expect(page.locator("#id_results")).to_have_value(
        "辦理度量衡法規教育訓練 4 場次。\n教育訓練計 4 場次（目標 9 場次，達成率 44%）。"
    )
    both_widths(page, shots, "results-draft")
    page.goto(report_url)
    cell = page.locator("td.c-text", has_text="教育訓練計 4 場次")
    expect(cell).to_contain_text("草稿")
    shots(page, "report-draft")

    # Staff edit the text: kept from now on.
    page.goto(results_url)
    page.fill("#id_results", "1 月辦理度量衡法規教育訓練 4 場次，計 120 人參加。")
    page.fill("#id_reason", "補上參加人數")
    page.click("button[value=edit]")
    expect(page.locator("#results-state")).to_contain_text("已修改")
    submit_month(page, live_server, item, unit, 2, "辦理計程車計費表檢定講習 5 場次。", 5)
    logout(page)

    login_as(page, "metrology-head", factories.PASSWORD)
    approve_month(page, live_server, item, unit, 2)
    logout(page)

    # February's approval kept the edit and marked it stale, with what changed.
    login_as(page, "metrology-staff", factories.PASSWORD)
    page.goto(results_url)
    expect(page.locator("#results-state")).to_contain_text("待更新")
    expect(page.locator("#id_results")).to_have_value(
        "1 月辦理度量衡法規教育訓練 4 場次，計 120 人參加。"
    )
    expect(page.locator("#stale-diff .diff-add")).to_contain_text(
        ["辦理計程車計費表檢定講習 5 場次。", "教育訓練計 9 場次（目標 9 場次，達成率 100%）。"]
    )
    expect(page.locator("#stale-diff .diff-remove")).to_contain_text(
        ["教育訓練計 4 場次（目標 9 場次，達成率 44%）。"]
    )
    both_widths(page, shots, "results-stale")
    assert violations(page) == []  # the state badge and the diff pass axe's WCAG 2.1 AA rules

    # Staff confirm their text with February in it, then submit it for approval.
    page.fill(
        "#id_results",
        "1 月辦理度量衡法規教育訓練 4 場次，計 120 人參加。"
        "2 月辦理計程車計費表檢定講習 5 場次。\n教育訓練計 9 場次（目標 9 場次，達成率 100%）。",
    )
    page.click("button[value=edit]")
    expect(page.locator("#results-state")).to_contain_text("已修改")
    page.click("button[value=submit]")
    expect(page.locator("#results-state")).to_contain_text("待核定")
    logout(page)

    login_as(page, "metrology-head", factories.PASSWORD)
    page.goto(results_url)
    page.click("button[value=approve]")
    expect(page.locator("#results-state")).to_contain_text("已核定")
    expect(page.locator("#results-state")).to_contain_text("度量衡科科長")
    both_widths(page, shots, "results-approved")
    assert violations(page) == []
    page.goto(report_url)
    cell = page.locator("td.c-text", has_text="計 120 人參加")
    expect(cell).to_contain_text("已核定")
    shots(page, "report-approved")

    item.refresh_from_db()
    assert item.results_state == Item.ResultsState.APPROVED
