"""axe-core (WCAG 2.1 A and AA rules) finds no violation on any main page; the keyboard alone
completes an entry; focus is visible.

The demo data as `make run` loads it: the 112 report, the demo users, and 113 copied from 112
and open for entry (so every month of it is open and overdue on the live server's clock).
"""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from strategies.models import MonthlyEntry, Year

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "perfreport-demo"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE = Axe()


def violations(page) -> list[str]:
    """axe-core's WCAG 2.1 A/AA violations on the page, one readable line per rule."""
    results = AXE.run(page, options={"runOnly": {"type": "tag", "values": WCAG}})
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -> "
        + "; ".join(" ".join(n["target"]) for n in v["nodes"][:5])
        for v in results.response["violations"]
    ]


def check(page, live_server, shots, path: str, name: str, found: dict[str, list[str]]) -> None:
    response = page.goto(f"{live_server.url}{path}")
    assert response is not None and response.status == 200, (
        f"{name}: {path} -> {response and response.status}"
    )
    page.wait_for_load_state()
    shots(page, name)
    problems = violations(page)
    if problems:
        found[f"{name} {path}"] = problems


def login(page, live_server, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def report(found: dict[str, list[str]]) -> str:
    return "\n".join(f"{page}:\n  " + "\n  ".join(lines) for page, lines in found.items())


def test_login_page(page, live_server, shots, demo):
    found: dict[str, list[str]] = {}
    check(page, live_server, shots, "/login/", "login", found)
    page.fill("#id_username", "metrology-staff")
    page.fill("#id_password", "wrong-password")
    page.click("button[type=submit]")
    expect(page.locator("#login-errors")).to_be_visible()
    shots(page, "login-error")
    if problems := violations(page):
        found["login with an error"] = problems
    check(page, live_server, shots, "/password-reset/", "password-reset", found)
    assert not found, report(found)


def test_staff_pages(page, live_server, shots, demo):
    year, metrology, item = demo
    entry = f"/items/{item.pk}/units/{metrology.pk}/months/1/"
    found: dict[str, list[str]] = {}
    login(page, live_server, "metrology-staff")
    check(page, live_server, shots, "/", "staff-dashboard", found)
    check(page, live_server, shots, "/my-work/", "my-work", found)
    check(page, live_server, shots, entry, "entry-form", found)
    # Submitting without a narrative: the error is announced and tied to its field.
    page.click("#submit-entry")
    page.wait_for_load_state()
    narrative = page.locator("#id_narrative")
    described = (narrative.get_attribute("aria-describedby") or "").split()
    texts = [page.locator(f"#{i}").inner_text() for i in described if page.locator(f"#{i}").count()]
    shots(page, "entry-form-error")
    assert narrative.get_attribute("aria-invalid") == "true"
    assert any("送出前請填寫執行情形" in t for t in texts), (
        f"the narrative's error is not tied to it: aria-describedby={described!r} -> {texts!r}"
    )
    if problems := violations(page):
        found["entry form with an error"] = problems
    check(page, live_server, shots, f"/items/{item.pk}/history/", "item-history", found)
    check(page, live_server, shots, f"/items/{item.pk}/results/", "item-results", found)
    check(page, live_server, shots, "/password/", "password-change", found)
    check(page, live_server, shots, "/settings/notifications/", "notification-settings", found)
    assert not found, report(found)


def test_head_pages(page, live_server, shots, demo):
    year, metrology, item = demo
    MonthlyEntry.objects.create(
        item=item,
        unit=metrology,
        month=1,
        status=MonthlyEntry.Status.SUBMITTED,
        narrative="辦理 1 場次。",
    )
    found: dict[str, list[str]] = {}
    login(page, live_server, "metrology-head")
    check(page, live_server, shots, "/", "head-dashboard", found)
    check(
        page,
        live_server,
        shots,
        f"/items/{item.pk}/units/{metrology.pk}/months/1/",
        "review-entry",
        found,
    )
    assert not found, report(found)


def test_auditor_pages(page, live_server, shots, demo):
    found: dict[str, list[str]] = {}
    login(page, live_server, "auditor")
    check(page, live_server, shots, "/", "auditor-dashboard", found)
    check(
        page,
        live_server,
        shots,
        "/?year=" + str(Year.objects.get(roc_year=112).pk),
        "auditor-dashboard-112",
        found,
    )
    check(page, live_server, shots, "/scoring/khh/112/", "score-sheet", found)
    check(page, live_server, shots, "/scoring/khh/113/", "score-sheet-113", found)
    check(page, live_server, shots, "/scoring/khh/113/scores/review/", "score-edit", found)
    check(page, live_server, shots, "/scoring/khh/112/review/", "review", found)
    check(page, live_server, shots, "/scoring/", "scoring-index", found)
    check(page, live_server, shots, "/reports/", "reports", found)
    check(page, live_server, shots, "/reports/khh/112/", "report", found)
    assert not found, report(found)


def test_admin_pages(page, live_server, shots, demo):
    year, metrology, item = demo
    found: dict[str, list[str]] = {}
    login(page, live_server, "admin")
    check(page, live_server, shots, "/", "admin-dashboard", found)
    check(page, live_server, shots, "/manage/", "manage-years", found)
    check(page, live_server, shots, f"/manage/years/{year.pk}/plan/", "manage-plan", found)
    check(page, live_server, shots, "/manage/units/", "manage-units", found)
    check(page, live_server, shots, "/manage/users/", "manage-users", found)
    check(page, live_server, shots, f"/years/{year.pk}/month-locks/", "month-locks", found)
    check(page, live_server, shots, "/scoring/khh/113/scores/self/", "score-edit-self", found)
    check(page, live_server, shots, "/scoring/khh/113/bands/", "bands-edit", found)
    check(page, live_server, shots, f"/manage/years/{year.pk}/import/", "plan-import", found)
    assert not found, report(found)


def test_directory_admin_pages(page, live_server, shots, demo, settings):
    from django.contrib.auth import get_user_model

    settings.LDAP_ORGANIZATION = "khh"
    waiting = get_user_model().objects.create_user("dir-user", first_name="目錄使用者")
    found: dict[str, list[str]] = {}
    login(page, live_server, "admin")
    check(page, live_server, shots, "/manage/users/", "manage-users-waiting", found)
    check(page, live_server, shots, "/manage/directory-groups/", "directory-groups", found)
    check(
        page, live_server, shots, f"/manage/users/waiting/{waiting.pk}/role/", "assign-role", found
    )
    assert not found, report(found)


def test_an_entry_completed_with_the_keyboard_alone(page, live_server, shots, demo):
    year, metrology, item = demo
    login(page, live_server, "metrology-staff")
    page.goto(f"{live_server.url}/")
    # From the dashboard's overdue list to January's entry, by Tab and Enter only.
    link = page.locator("#overdue-heading ~ .table-wrap a").first
    href = link.get_attribute("href")
    for _ in range(200):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('href')") == href:
            break
    else:
        pytest.fail("Tab never reached the first overdue entry")
    focused = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert focused != "none", "the focused link shows no outline"
    shots(page, "keyboard-focus-on-entry-link")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.locator("#id_narrative")).to_be_visible()

    def tab_to(selector: str) -> None:
        for _ in range(100):
            page.keyboard.press("Tab")
            if page.evaluate(f"document.activeElement === document.querySelector({selector!r})"):
                return
        pytest.fail(f"Tab never reached {selector}")

    tab_to("#id_narrative")
    page.keyboard.type("以鍵盤完成本月填報：辦理教育訓練 1 場次。")
    for indicator in item.indicators.all():
        tab_to(f"#id_value_{indicator.pk}")
        page.keyboard.type("1")
    tab_to("#submit-entry")
    shots(page, "keyboard-before-submit")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.locator("#entry-status")).to_have_text("已送出")
    shots(page, "keyboard-submitted")
    entry = MonthlyEntry.objects.get(item=item, unit=metrology, month=1)
    assert entry.status == MonthlyEntry.Status.SUBMITTED
    assert entry.narrative.startswith("以鍵盤完成")


def test_the_checker_itself_finds_a_missing_label(page):
    """Zero violations mean something only if axe runs: a bare input and an image without alt."""
    page.set_content(
        '<html lang="en"><head><title>t</title></head><body><main>'
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><input type="text"></main></body></html>'
    )
    found = " ".join(violations(page))
    assert "image-alt" in found
    assert "label" in found


def described_texts(page, selector: str) -> list[str]:
    ids = (page.locator(selector).get_attribute("aria-describedby") or "").split()
    return [page.locator(f"#{i}").inner_text() for i in ids if page.locator(f"#{i}").count()]


def test_score_errors_are_tied_to_their_fields(page, live_server, shots, demo):
    """A refused score: the page stays accessible and the message is tied to its input."""
    login(page, live_server, "admin")
    page.goto(f"{live_server.url}/scoring/khh/113/scores/self/")
    page.fill("#id_score_1", "201")
    page.click("#save-scores")
    page.wait_for_load_state()
    shots(page, "score-edit-error")
    assert page.locator("#id_score_1").get_attribute("aria-invalid") == "true"
    texts = described_texts(page, "#id_score_1")
    assert any("200" in t for t in texts), texts
    assert violations(page) == []


def test_user_form_errors_are_tied_to_their_fields(page, live_server, shots, demo):
    login(page, live_server, "admin")
    page.goto(f"{live_server.url}/manage/users/add/")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()
    shots(page, "user-add-error")
    assert page.locator("#id_username").get_attribute("aria-invalid") == "true"
    assert described_texts(page, "#id_username"), "the username's error is not tied to it"
    found = violations(page)
    assert not found, "\n".join(found)


def test_english_pages_pass_too(page, live_server, shots, demo):
    """The English interface (lang="en") of the dashboard and My work."""
    found: dict[str, list[str]] = {}
    login(page, live_server, "metrology-staff")
    page.select_option("#language-select", "en")
    page.click(".site-footer button[type=submit]")
    page.wait_for_load_state()
    check(page, live_server, shots, "/", "dashboard-en", found)
    check(page, live_server, shots, "/my-work/", "my-work-en", found)
    assert not found, report(found)
