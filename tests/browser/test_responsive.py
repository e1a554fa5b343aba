"""Pages usable from a phone to a wide screen: the dashboard, My work and the entry form at
375, 768 and 1440 px; the entry form (and the dashboard) never scroll sideways on a phone."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (375, 768, 1440)


def scroll_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def visit_at_widths(page, live_server, shots, pages: dict[str, str]) -> dict[str, int]:
    """Screenshot each page at each width; the page's scroll width per page@width."""
    wide: dict[str, int] = {}
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for name, path in pages.items():
            page.goto(f"{live_server.url}{path}")
            page.wait_for_load_state()
            shots(page, f"{name}-{width}")
            wide[f"{name}@{width}"] = scroll_width(page)
    return wide


def test_dashboard_and_my_work_at_three_widths(page, live_server, login_as, shots, demo):
    login_as(page, "metrology-staff", "perfreport-demo")
    wide = visit_at_widths(page, live_server, shots, {"dashboard": "/", "my-work": "/my-work/"})
    for key, value in wide.items():
        assert value <= int(key.split("@")[1]), f"{key} scrolls sideways: {value} px"


def test_entry_form_at_three_widths(page, live_server, login_as, shots, demo):
    year, metrology, item = demo
    login_as(page, "metrology-staff", "perfreport-demo")
    path = f"/items/{item.pk}/units/{metrology.pk}/months/1/"
    wide = visit_at_widths(page, live_server, shots, {"entry-form": path})
    assert wide["entry-form@375"] <= 375, f"the entry form scrolls sideways at 375 px: {wide}"
    assert wide["entry-form@768"] <= 768 and wide["entry-form@1440"] <= 1440, wide


def test_the_entry_form_fields_fit_a_phone(page, live_server, login_as, demo):
    year, metrology, item = demo
    page.set_viewport_size({"width": 375, "height": 800})
    login_as(page, "metrology-staff", "perfreport-demo")
    page.goto(f"{live_server.url}/items/{item.pk}/units/{metrology.pk}/months/1/")
    for selector in ("#id_narrative", "#submit-entry", "#save-draft"):
        box = page.locator(selector).bounding_box()
        assert box is not None, selector
        assert box["x"] >= 0 and box["x"] + box["width"] <= 375, f"{selector} overflows: {box}"


def test_score_sheet_and_report_fit_a_phone_and_scroll_by_keyboard(page, live_server, shots, demo):
    """Wide tables scroll inside their own region, which the keyboard can reach (axe's
    scrollable-region-focusable); the page itself never scrolls sideways."""
    from tests.browser.test_accessibility import login, violations

    page.set_viewport_size({"width": 375, "height": 900})
    login(page, live_server, "auditor")
    for name, path in {"score-sheet": "/scoring/khh/112/", "report": "/reports/khh/112/"}.items():
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state()
        shots(page, f"{name}-375")
        assert scroll_width(page) <= 375, f"{path} scrolls sideways at 375 px"
        assert violations(page) == [], path
