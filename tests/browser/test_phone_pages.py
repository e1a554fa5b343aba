"""My work and the report read on a phone (375 px) as on a desk (1440 px): no text column squeezed
to two characters a line, and a header bar that leaves the page most of the screen."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Narrowest a text column may get: three Chinese characters at the body's font size.
MIN_TEXT_COLUMN_PX = 44


def narrow_text_cells(page) -> list[str]:
    """Cells of the main tables holding more than three characters, narrower than the minimum
    (a header clipped to a pixel for screen readers, on a phone's stacked list, is not shown)."""
    return page.evaluate(
        """(min) => [...document.querySelectorAll('main table td, main table th')]
            .filter(c => c.offsetParent !== null && c.innerText.trim().length > 3
                    && !c.classList.contains('num') && !(c.closest('thead') && c.closest('thead').getBoundingClientRect().height <= 2)
                    && c.getBoundingClientRect().width > 12 && c.getBoundingClientRect().width < min)
            .map(c => c.innerText.trim().slice(0, 20) + ' @' + Math.round(c.getBoundingClientRect().width))
            .slice(0, 10)""",
        MIN_TEXT_COLUMN_PX,
    )


@pytest.mark.parametrize("width", [375, 1440])
def test_my_work_and_the_report_on_a_phone_and_a_desk(
    page, live_server, login_as, shots, demo, width
):
    year, metrology, item = demo
    page.set_viewport_size({"width": width, "height": 812})
    login_as(page, "metrology-staff", "perfreport-demo")
    header = page.locator(".site-header").bounding_box()
    assert header is not None and header["height"] <= 812 / 6, header
    for name, path in {
        "home": "/",
        "my-work": "/my-work/",
        "report": "/reports/khh/112/",
        "inbox": "/notifications/",
    }.items():
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state()
        shots(page, f"{name}-{width}")
        assert page.title(), f"{name} has no title"
        assert narrow_text_cells(page) == [], name


def test_the_narrative_counter_speaks_the_pages_language(page, live_server, login_as, demo):
    year, metrology, item = demo
    login_as(page, "metrology-staff", "perfreport-demo")
    page.goto(f"{live_server.url}/items/{item.pk}/units/{metrology.pk}/months/1/")
    page.fill("#id_narrative", "辦理 1 場次")
    assert page.locator(".counter").inner_text() == "（7 / 4000 字）"
    page.select_option("#language-select", "en")
    page.click("form[action$='/i18n/setlang/'] button")
    page.wait_for_load_state()
    page.fill("#id_narrative", "辦理 1 場次")
    assert page.locator(".counter").inner_text().strip() == "(7 / 4000 characters)"
