"""The score sheet page in the seed's layout: both rounds, totals, grades, differences."""

import re

from django.conf import settings
from django.urls import reverse

from scoring import services
from scoring.selectors import score_sheet_data
from tests import factories
from tests.conftest import login
from tests.seed_scores import SEED_DIMENSION_SCORES, SEED_GRADE, SEED_TOTAL

SEED = {1: "184", 2: "284", 3: "182", 4: "186", 5: "84"}


def sheet_url(org, roc_year):
    return reverse("scoring:score-sheet", kwargs={"org": org, "roc_year": roc_year})


def text_of(html, ident):
    match = re.search(rf'id="{ident}"[^>]*>([^<]*)<', html)
    assert match, ident
    return match.group(1).strip()


def test_the_112_sheet_reads_like_the_seed(client, seed, django_user_model):
    auditor = django_user_model.objects.get(username="auditor")
    page = login(client, auditor).get(sheet_url("khh", 112)).content.decode()

    assert "經濟部標準檢驗局 112 年度提升服務效能自行考核結果統計表" in page
    assert "受考核單位：經濟部標準檢驗局高雄分局" in page
    assert "優=900 分以上；甲=899-800 分；乙=799-700 分；丙=699-600 分；丁=599 分以下" in page
    assert [text_of(page, f"sheet-score-{n}") for n in range(1, 6)] == SEED_DIMENSION_SCORES
    assert text_of(page, "sheet-total") == SEED_TOTAL
    assert text_of(page, "sheet-grade") == SEED_GRADE
    assert "113.1" in page and "一、基礎服務(200 分)" in page
    assert text_of(page, "review-total") == "—"


def test_the_sheet_reads_in_english_for_an_english_reader(client, seed, django_user_model):
    auditor = django_user_model.objects.get(username="auditor")
    auditor.membership.language = "en"
    auditor.membership.save()
    login(client, auditor)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(sheet_url("khh", 112)).content.decode()

    assert "Excellent = 900 points or more; A = 899-800; B = 799-700; C = 699-600; D = 599" in page
    assert text_of(page, "sheet-grade") == "Excellent"
    assert "一. 基礎服務 (200 points)" in page
    assert '<title id="score-112-title">高雄分局, year 112: score and maximum by dimension' in page
    assert "優=900" not in page and "年度各構面分數與配分" not in page


def test_differences_between_the_rounds_are_plain(client, year, admin_user, auditor):
    services.save_scores(year=year, round="self", scores=SEED, user=admin_user)
    services.save_scores(
        year=year,
        round="review",
        scores={**SEED, 1: "115.5"},
        comments={1: "佐證不足"},
        user=auditor,
    )
    page = login(client, auditor).get(sheet_url("khh", 113)).content.decode()

    assert text_of(page, "sheet-total") == "851.5"
    assert text_of(page, "sheet-grade") == "甲"
    assert (text_of(page, "self-total"), text_of(page, "self-grade")) == ("920", "優")
    assert (text_of(page, "review-total"), text_of(page, "review-grade")) == ("851.5", "甲")
    assert "複評與自評的分數不同" in page
    assert "−68.5" in page
    assert "佐證不足" in page
    # the history names who changed what, old -> new
    assert "— → 115.5" in page and "考核人員" in page


def test_the_sheet_has_a_chart_and_a_trend_once_there_is_an_earlier_year(
    client, org, year, admin_user
):
    earlier = factories.make_year(org, 112, status="closed")
    services.save_scores(year=earlier, round="self", scores=SEED, user=admin_user)
    services.save_scores(year=year, round="self", scores={**SEED, 2: "250"}, user=admin_user)

    page = login(client, admin_user).get(sheet_url("khh", 113)).content.decode()
    assert page.count("<svg") == 2
    assert "112 年度" in page and "920 優" in page and "886 甲" in page


def test_the_sheet_reads_in_a_fixed_number_of_queries(
    client, org, year, admin_user, django_assert_max_num_queries
):
    services.save_scores(year=year, round="self", scores=SEED, user=admin_user)
    login(client, admin_user)
    # session, user, year, membership; the sheet (year with bands and sheet, dimensions,
    # scores, earlier years); the score history; the year's status history; the layout's
    # organization; unread notices (the nav badge); the session save (savepoint, update,
    # release).
    with django_assert_max_num_queries(15):
        client.get(sheet_url("khh", 113))
    for roc in range(100, 110):
        earlier = factories.make_year(org, roc, status="closed")
        services.save_scores(year=earlier, round="self", scores=SEED, user=admin_user)
    # + the earlier years' dimensions and scores, whatever their number
    with django_assert_max_num_queries(17):
        response = client.get(sheet_url("khh", 113))
    assert response.content.decode().count("920 優") >= 10


def test_the_selector_query_count_does_not_grow_with_earlier_years(
    org, year, admin_user, django_assert_num_queries
):
    # year (with organization, bands and sheet), dimensions, scores, earlier years
    with django_assert_num_queries(4):
        score_sheet_data(year, include_unsigned_review=True)
    for roc in range(100, 110):
        factories.make_year(org, roc, status="closed")
    # + the earlier years' dimensions and scores, whatever their number
    with django_assert_num_queries(6):
        data = score_sheet_data(year, include_unsigned_review=True)
    assert data.trend == []


def test_the_index_links_each_visible_year_to_its_sheet(client, org, year, outsider, staff_a):
    page = login(client, staff_a).get(reverse("scoring:index")).content.decode()
    assert sheet_url("khh", 113) in page
    assert 'href="/scoring/"' in page  # the layout's 考核結果 link

    page = login(client, outsider).get(reverse("scoring:index")).content.decode()
    assert sheet_url("khh", 113) not in page
