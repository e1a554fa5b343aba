"""Headquarters opens the comparison, sorts by total and sees the grade chart."""

import pytest
from playwright.sync_api import expect

from scoring.models import DimensionScore
from strategies.models import Membership
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_hq_comparison(page, live_server, login_as, shots):
    hq = factories.make_org("bsmi", "經濟部標準檢驗局", short_name="總局", is_headquarters=True)
    for code, name, scores in [
        ("khh", "高雄分局", [184, 284, 182, 186, 84]),
        ("tpe", "臺北分局", [160, 240, 150, 150, 70]),
        ("hsz", "新竹分局", [170, 260, 170, 170, 80]),
    ]:
        org = factories.make_org(code, f"經濟部標準檢驗局{name}", short_name=name, parent=hq)
        for roc_year, bonus in ((112, 0), (113, 5)):
            year = factories.make_year(org, roc_year)
            for dim, score in zip(year.dimensions.order_by("number"), scores, strict=True):
                DimensionScore.objects.create(
                    dimension=dim, round="self", score=min(score + bonus, dim.max_score)
                )
    factories.make_user("hq-auditor", hq, Membership.Role.AUDITOR, first_name="總局考核人員")
    login_as(page, "hq-auditor", factories.PASSWORD)
    page.click("text=各機關考核比較")
    expect(page.locator("h1")).to_have_text("各機關考核比較")
    expect(page.locator("#hq-table tbody tr")).to_have_count(6)
    page.click("#hq-table th >> text=總分")
    expect(page.locator("#hq-table tbody tr").first).to_contain_text("臺北分局")
    expect(page.locator("svg[role=img] title").first).to_have_text("各年度等第分布")
    shots(page, "hq-comparison")
