"""Staff of 度量衡科 fill January, save a draft and submit; the head returns it with a reason;
staff fix and resubmit; the head approves; the entry is read-only; 秘書室 cannot open it."""

import pytest
from playwright.sync_api import expect

from strategies.models import Membership, MonthlyEntry, Unit
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Role = Membership.Role


@pytest.fixture
def plan(db):
    hq = factories.make_org("bsmi", "經濟部標準檢驗局", short_name="總局", is_headquarters=True)
    org = factories.make_org("khh", "經濟部標準檢驗局高雄分局", short_name="高雄分局", parent=hq)
    secretariat = factories.make_unit(org, "秘書室", Unit.Kind.SECRETARIAT, order=1)
    metrology = factories.make_unit(org, "度量衡科", order=2)
    year = factories.make_year(org, 113)
    item = factories.make_item(
        year,
        hosts=[metrology],
        planned_actions="辦理各類專業教育訓練，強化服務流程及相關法規之專業與熟悉程度，預計舉辦 9 場次教育訓練。",
    )
    factories.make_user("metrology-staff", org, Role.STAFF, metrology, first_name="度量衡科承辦人")
    factories.make_user("metrology-head", org, Role.HEAD, metrology, first_name="度量衡科科長")
    factories.make_user(
        "secretariat-staff", org, Role.STAFF, secretariat, first_name="秘書室承辦人"
    )
    return item, metrology


def logout(page):
    page.click("form[action$='/logout/'] button")
    page.wait_for_load_state()


def test_entry_flow(django_db_setup, page, live_server, login_as, shots, plan):
    # django_db_setup first: the session-wide live server must start after the in-memory test
    # database exists, so that its request threads share that database's connection.
    item, metrology = plan
    entry_path = f"/items/{item.pk}/units/{metrology.pk}/months/1/"

    login_as(page, "metrology-staff", factories.PASSWORD)
    page.goto(f"{live_server.url}/my-work/")
    expect(page.locator("#my-work-table")).to_contain_text("一(一)")
    shots(page, "my-work")

    page.click("#my-work-table .strip a >> nth=0")
    expect(page.locator("h1")).to_contain_text("1 月填報")
    page.fill("#id_narrative", "辦理度量衡法規教育訓練 1 場次。")
    page.fill(f"#id_value_{item.indicators.get().pk}", "1")
    shots(page, "january-filled")
    page.click("#save-draft")
    expect(page.locator(".messages")).to_contain_text("已儲存 1 月草稿")
    expect(page.locator("#entry-status")).to_have_text("草稿")
    shots(page, "draft-saved")

    page.click("#submit-entry")
    expect(page.locator("#entry-status")).to_have_text("已送出")
    shots(page, "submitted")
    logout(page)

    login_as(page, "metrology-head", factories.PASSWORD)
    page.goto(live_server.url + entry_path)
    page.fill("#id_reason", "請補上訓練日期與參加人數。")
    shots(page, "head-review")
    page.click("#return-entry")
    expect(page.locator("#entry-status")).to_have_text("退回")
    logout(page)

    login_as(page, "metrology-staff", factories.PASSWORD)
    page.goto(live_server.url + entry_path)
    expect(page.locator("#return-reason")).to_contain_text("請補上訓練日期與參加人數")
    shots(page, "returned-seen-by-staff")
    page.fill("#id_narrative", "1 月 18 日辦理度量衡法規教育訓練 1 場次，計 32 人參加。")
    page.click("#submit-entry")
    expect(page.locator("#entry-status")).to_have_text("已送出")
    logout(page)

    login_as(page, "metrology-head", factories.PASSWORD)
    page.goto(live_server.url + entry_path)
    expect(page.locator("#changes-since")).to_contain_text("計 32 人參加")
    shots(page, "head-sees-changes")
    page.click("#approve-entry")
    expect(page.locator("#entry-status")).to_have_text("已核定")
    expect(page.locator("#entry-form")).to_have_count(0)
    expect(page.locator("#entry-readonly")).to_contain_text("計 32 人參加")
    shots(page, "approved-read-only")
    page.goto(f"{live_server.url}/items/{item.pk}/history/")
    expect(page.locator("#history")).to_contain_text("請補上訓練日期與參加人數")
    shots(page, "item-history")
    # The year-end draft is already there: approving the month wrote it, no button pressed.
    page.goto(f"{live_server.url}/items/{item.pk}/results/")
    expect(page.locator("#compiled-text")).to_contain_text("1 月 18 日辦理")
    expect(page.locator("#results-state")).to_contain_text("草稿")
    expect(page.locator("#id_results")).to_have_value(
        "1 月 18 日辦理度量衡法規教育訓練 1 場次，計 32 人參加。\n"
        "教育訓練計 1 場次（目標 9 場次，達成率 11%）。"
    )
    shots(page, "results-drafted")
    logout(page)

    login_as(page, "secretariat-staff", factories.PASSWORD)
    response = page.goto(live_server.url + entry_path)
    assert response is not None and response.status == 403
    expect(page.locator("h1")).to_have_text("沒有權限")
    shots(page, "secretariat-forbidden")

    entry = MonthlyEntry.objects.get()
    assert entry.status == MonthlyEntry.Status.APPROVED
    assert "計 32 人參加" in entry.narrative
