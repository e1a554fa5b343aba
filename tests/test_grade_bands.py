"""Editing a year's grade bands: checked to cover 0-1000, recorded, and the year re-graded."""

from decimal import Decimal

import pytest

from scoring import services
from scoring.models import GradeBands
from scoring.selectors import score_sheet_data
from strategies.errors import DomainError
from strategies.models import Year
from strategies.services.years import set_year_status
from tests.conftest import login

SEED = {1: "184", 2: "284", 3: "182", 4: "186", 5: "84"}  # 920
BANDS_URL = "/scoring/khh/113/bands/"


def bands_post(excellent="900", a="800", b="700", c="600", reason=""):
    return {"excellent_min": excellent, "a_min": a, "b_min": b, "c_min": c, "reason": reason}


def bounds(year):
    record = GradeBands.objects.get(year=year)
    return (record.excellent_min, record.a_min, record.b_min, record.c_min)


def test_raising_the_excellent_bound_regrades_the_year_and_is_recorded(year, admin_user):
    services.save_scores(year=year, round="self", scores=SEED, user=admin_user)
    assert score_sheet_data(year, include_unsigned_review=True).grade == "優"

    services.update_grade_bands(
        year=year, values=bands_post(excellent="925.5"), user=admin_user, reason="總局新規定"
    )

    data = score_sheet_data(year, include_unsigned_review=True)
    assert data.grade == "甲"
    assert data.legend.startswith("優=925.5 分以上；甲=924.5-800 分")
    latest = GradeBands.objects.get(year=year).history.first()
    assert latest.history_user == admin_user
    assert "總局新規定" in latest.history_change_reason
    assert "自評 優 → 甲" in latest.history_change_reason


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (bands_post(a="900"), "由高到低遞減"),
        (bands_post(excellent="1000.5"), "介於 0 與 1000 分之間"),
        (bands_post(c="0"), "介於 0 與 1000 分之間"),
        (bands_post(b="abc"), "「乙」的下限必須是介於 0 與 1000 分之間的數字"),
        (bands_post(b="700.25"), "「乙」的下限最多一位小數"),
        (bands_post(excellent="700", a="800"), "沒有空隙或重疊"),
    ],
)
def test_invalid_bands_are_refused_and_nothing_changes(year, admin_user, values, message):
    before = bounds(year)
    with pytest.raises(services.BandsError, match=message):
        services.update_grade_bands(year=year, values=values, user=admin_user)
    assert bounds(year) == before
    assert GradeBands.objects.get(year=year).history.count() == 1


def test_bands_cannot_change_in_a_locked_year(year, admin_user):
    set_year_status(year=year, status=Year.Status.LOCKED, user=admin_user)
    with pytest.raises(DomainError, match="鎖定"):
        services.update_grade_bands(year=year, values=bands_post(excellent="950"), user=admin_user)
    assert bounds(year)[0] == 900


def test_a_year_without_bands_gets_them_on_first_edit(year, admin_user):
    GradeBands.objects.filter(year=year).delete()
    assert (
        score_sheet_data(year, include_unsigned_review=True).bands.excellent_min == 900
    )  # the seed's default
    services.update_grade_bands(year=year, values=bands_post(excellent="950"), user=admin_user)
    assert bounds(year)[0] == Decimal("950")


def test_the_admin_edits_bands_on_the_page(client, year, admin_user):
    services.save_scores(year=year, round="self", scores=SEED, user=admin_user)
    login(client, admin_user)
    page = client.get(BANDS_URL).content.decode()
    assert 'value="900"' in page

    response = client.post(BANDS_URL, bands_post(excellent="930"), follow=True)

    page = response.content.decode()
    assert "已更新等第區間，本年度等第已重新計算。" in page
    assert "優=930 分以上" in page
    assert 'id="sheet-grade">甲<' in page
    # the bands page lists the change: who and the new legend
    page = client.get(BANDS_URL).content.decode()
    assert "優=930 分以上；甲=929-800 分" in page and "管理者" in page


def test_bad_bands_on_the_page_show_the_reason(client, year, admin_user):
    login(client, admin_user)
    response = client.post(BANDS_URL, bands_post(a="950"))
    assert response.status_code == 400
    assert "等第區間必須由高到低遞減" in response.content.decode()
    assert bounds(year)[1] == 800
