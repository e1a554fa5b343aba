"""A member switches the interface to English from the footer; the choice survives logging out
and in again; ROC years show the Gregorian year beside them."""

import pytest
from playwright.sync_api import expect

from strategies.models import Membership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_english_is_chosen_once_and_remembered(page, live_server, login_as, shots, demo):
    login_as(page, "metrology-staff", "perfreport-demo")
    expect(page.locator("h1")).to_contain_text("113 年度")
    page.select_option("#language-select", "en")
    page.click(".site-footer button[type=submit]")
    page.wait_for_load_state()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_contain_text("113 (2024)")
    expect(page.locator("#glance-heading")).to_have_text("The year at a glance")
    shots(page, "dashboard-english")
    assert Membership.objects.get(user__username="metrology-staff").language == "en"

    page.click("form[action$='/logout/'] button")
    page.context.clear_cookies()  # another browser: only the membership remembers
    login_as(page, "metrology-staff", "perfreport-demo")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#overdue-heading")).to_contain_text("Overdue")
    shots(page, "dashboard-english-after-login")
