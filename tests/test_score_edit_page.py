"""Entering a round on the page: the server checks and computes; errors name the dimension and
its maximum, and nothing is saved."""

from decimal import Decimal

from django.urls import reverse

from scoring import services
from scoring.models import DimensionScore, ScoreSheet
from strategies.models import Year
from strategies.services.years import set_year_status
from tests.conftest import login

SEED = {1: "184", 2: "284", 3: "182", 4: "186", 5: "84"}


def edit_url(round_):
    return reverse("scoring:score-edit", kwargs={"org": "khh", "roc_year": 113, "round": round_})


def post_of(scores, **extra):
    return {**{f"score_{n}": v for n, v in scores.items()}, **extra}


def review_scores(year):
    return {
        s.dimension.number: s.score
        for s in DimensionScore.objects.filter(dimension__year=year, round="review").select_related(
            "dimension"
        )
    }


def test_the_auditor_starts_from_the_self_assessment(client, year, admin_user, auditor):
    services.save_scores(year=year, round="self", scores=SEED, user=admin_user)
    page = login(client, auditor).get(edit_url("review")).content.decode()
    assert 'name="score_1" value="184"' in page
    assert 'data-max="200"' in page and 'data-bands="900,800,700,600"' in page
    assert "js/scoring.js" in page
    assert "<script>" not in page  # CSP: no inline script


def test_saving_the_review_shows_the_server_total_and_grade(client, year, auditor):
    login(client, auditor)
    response = client.post(
        edit_url("review"),
        post_of(
            {**SEED, 1: "115.5"},
            comment_1="佐證不足",
            assessed_by="總局",
            assessed_month="113.2",
            # whatever the browser claims, the server computes
            total="1000",
            grade="優",
        ),
        follow=True,
    )
    page = response.content.decode()
    assert "已儲存複評分數：總分 851.5，等第 甲。" in page
    assert review_scores(year)[1] == Decimal("115.5")
    sheet = ScoreSheet.objects.get(year=year)
    assert (sheet.assessed_by, sheet.assessed_month_label) == ("總局", "113.2")


def test_an_over_maximum_score_is_refused_and_nothing_changes(client, year, auditor):
    services.save_scores(year=year, round="review", scores=SEED, user=auditor)
    login(client, auditor)

    response = client.post(edit_url("review"), post_of({**SEED, 1: "201", 2: "280"}))

    assert response.status_code == 400
    page = response.content.decode()
    assert "構面一（基礎服務）的分數必須介於 0 與 200 分之間" in page
    assert "分數沒有儲存" in page
    assert 'value="201"' in page  # what was typed stays in the form
    assert review_scores(year) == {n: Decimal(v) for n, v in SEED.items()}


def test_several_bad_scores_are_all_named(client, year, admin_user):
    login(client, admin_user)
    response = client.post(
        edit_url("self"), post_of({1: "-3", 2: "三百", 3: "", 4: "150.25", 5: "101"})
    )
    page = response.content.decode()
    assert response.status_code == 400
    for message in [
        "構面一（基礎服務）的分數必須介於 0 與 200 分之間",
        "構面二（服務遞送）的分數必須介於 0 與 300 分之間",
        "請填寫構面三（服務量能）的分數（0 至 200 分）",
        "構面四（服務評價）的分數必須介於 0 與 200 分之間，最多一位小數",
        "構面五（開放創新）的分數必須介於 0 與 100 分之間",
    ]:
        assert message in page
    assert not DimensionScore.objects.filter(dimension__year=year).exists()


def test_a_bad_month_is_refused_with_the_scores(client, year, admin_user):
    login(client, admin_user)
    response = client.post(edit_url("self"), post_of(SEED, assessed_month="一月"))
    assert response.status_code == 400
    assert "考核年月應寫成「113.1」的形式" in response.content.decode()
    assert not DimensionScore.objects.filter(dimension__year=year).exists()


def test_a_locked_year_refuses_the_score_form(client, year, auditor, admin_user):
    services.save_scores(year=year, round="review", scores=SEED, user=auditor)
    set_year_status(year=year, status=Year.Status.LOCKED, user=admin_user)
    login(client, auditor)

    response = client.post(edit_url("review"), post_of({**SEED, 1: "100"}), follow=True)

    assert "本年度已完成複評並鎖定，不能再修改分數。" in response.content.decode()
    assert review_scores(year)[1] == 184
    # and the sheet offers no way to edit
    page = client.get(reverse("scoring:score-sheet", args=["khh", 113])).content.decode()
    assert edit_url("review") not in page
