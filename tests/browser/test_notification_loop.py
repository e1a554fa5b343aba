"""Everyone is told what needs them, in a browser: staff submit -> the head sees the badge and the
notice, returns with a reason -> staff see the return first on the home page and in the inbox ->
fix and resubmit -> the head approves -> staff are told. Screenshots at 1440 and 375 px."""

import pytest
from playwright.sync_api import expect

from strategies.models import Membership, MonthlyEntry, Notification, Unit
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Role = Membership.Role


@pytest.fixture
def plan(db):
    hq = factories.make_org("bsmi", "經濟部標準檢驗局", short_name="總局", is_headquarters=True)
    org = factories.make_org("khh", "經濟部標準檢驗局高雄分局", short_name="高雄分局", parent=hq)
    metrology = factories.make_unit(org, "度量衡科", order=2)
    factories.make_unit(org, "秘書室", Unit.Kind.SECRETARIAT, order=1)
    year = factories.make_year(org, 113)
    item = factories.make_item(year, hosts=[metrology], title="辦理度量衡法規教育訓練")
    factories.make_user("metrology-staff", org, Role.STAFF, metrology, first_name="度量衡科承辦人")
    factories.make_user("metrology-head", org, Role.HEAD, metrology, first_name="度量衡科科長")
    return item, metrology


def logout(page):
    page.click("form[action$='/logout/'] button")
    page.wait_for_load_state()


def both_widths(page, shots, name):
    for width in (1440, 375):
        page.set_viewport_size({"width": width, "height": 900})
        shots(page, f"{name}-{width}")
    page.set_viewport_size({"width": 1440, "height": 900})


def test_the_notification_loop(django_db_setup, page, live_server, login_as, shots, plan):
    item, metrology = plan
    entry_path = f"/items/{item.pk}/units/{metrology.pk}/months/1/"
    indicator = item.indicators.get()
    page.set_viewport_size({"width": 1440, "height": 900})

    login_as(page, "metrology-staff", factories.PASSWORD)
    page.goto(live_server.url + entry_path)
    page.fill("#id_narrative", "辦理度量衡法規教育訓練 1 場次。")
    page.fill(f"#id_value_{indicator.pk}", "1")
    page.click("#submit-entry")
    expect(page.locator("#entry-status")).to_have_text("已送出")
    expect(page.locator("#unread-badge")).to_have_count(0)
    logout(page)

    # The head: a badge, the notice (flagged late: 113's January was due long ago), one click in.
    login_as(page, "metrology-head", factories.PASSWORD)
    expect(page.locator("#unread-badge")).to_contain_text("1")
    expect(page.locator("#approval-heading")).to_contain_text("1")
    expect(page.locator("table.slot-list .late-flag")).to_contain_text("逾期送出")
    both_widths(page, shots, "head-home")
    page.click("#nav-notifications")
    expect(page.locator("#inbox")).to_contain_text(
        "度量衡科承辦人 送出了「辦理度量衡法規教育訓練」1 月"
    )
    expect(page.locator("#inbox")).to_contain_text("逾期送出")
    both_widths(page, shots, "head-inbox")
    page.click("#inbox button[name=open]")
    expect(page).to_have_url(live_server.url + entry_path)
    expect(page.locator("#unread-badge")).to_have_count(0)
    page.fill("#id_reason", "請補上訓練日期與參加人數。")
    page.click("#return-entry")
    expect(page.locator("#entry-status")).to_have_text("退回")
    logout(page)

    # Staff: the return leads the home page, with the reason, and waits in the inbox.
    login_as(page, "metrology-staff", factories.PASSWORD)
    expect(page.locator("#unread-badge")).to_contain_text("1")
    returned = page.locator("#returned")
    expect(returned).to_contain_text("請補上訓練日期與參加人數。")
    first_section = page.locator("main section").first
    expect(first_section).to_have_id("returned")
    both_widths(page, shots, "staff-home-returned")
    page.click("#nav-notifications")
    expect(page.locator("#inbox .inbox-row.unread")).to_contain_text(
        "度量衡科科長 退回了「辦理度量衡法規教育訓練」1 月的填報，原因：請補上訓練日期與參加人數。"
    )
    both_widths(page, shots, "staff-inbox")
    page.goto(live_server.url + "/")
    page.click("#returned a.returned-link")
    expect(page).to_have_url(live_server.url + entry_path)
    page.fill("#id_narrative", "1 月 18 日辦理度量衡法規教育訓練 1 場次，計 32 人參加。")
    page.click("#submit-entry")
    expect(page.locator("#entry-status")).to_have_text("已送出")
    logout(page)

    login_as(page, "metrology-head", factories.PASSWORD)
    expect(page.locator("#unread-badge")).to_contain_text("1")
    page.goto(live_server.url + entry_path)
    page.click("#approve-entry")
    expect(page.locator("#entry-status")).to_have_text("已核定")
    logout(page)

    login_as(page, "metrology-staff", factories.PASSWORD)
    page.click("#nav-notifications")
    expect(page.locator("#inbox .inbox-row").first).to_contain_text("度量衡科科長 核定了")
    expect(page.locator("#returned")).to_have_count(0)
    page.click("#read-all")
    expect(page.locator("#unread-badge")).to_have_count(0)
    shots(page, "staff-inbox-all-read")

    assert MonthlyEntry.objects.get().status == MonthlyEntry.Status.APPROVED
    assert Notification.objects.filter(read_at__isnull=True).count() == 1  # the head's last
