"""Saving a round's scores: 0..maximum, one decimal at most, all five checked before any write."""

from decimal import Decimal

import pytest

from scoring import services
from scoring.models import DimensionScore, ScoreSheet
from scoring.selectors import score_sheet_data
from strategies import number_format
from strategies.errors import DomainError
from strategies.models import Year
from strategies.services.years import set_year_status

SEED = {1: "184", 2: "284", 3: "182", 4: "186", 5: "84"}


def scores_of(year, round_):
    return {
        s.dimension.number: s.score
        for s in DimensionScore.objects.filter(dimension__year=year, round=round_).select_related(
            "dimension"
        )
    }


def test_the_seed_scores_total_920_and_grade_excellent(year, admin_user):
    services.save_scores(year=year, round="self", scores=SEED, user=admin_user)

    data = score_sheet_data(year, include_unsigned_review=True)
    assert data.self_round.total == 920
    assert data.self_round.grade == "優"
    assert data.total == 920 and data.grade == "優" and data.round == "self"
    assert scores_of(year, "self") == {n: Decimal(v) for n, v in SEED.items()}


def test_the_review_round_decides_the_sheet_once_complete(year, admin_user, auditor):
    services.save_scores(year=year, round="self", scores=SEED, user=admin_user)
    services.save_scores(
        year=year,
        round="review",
        scores={**SEED, 1: "115.5"},
        comments={1: "佐證不足"},
        user=auditor,
    )

    data = score_sheet_data(year, include_unsigned_review=True)
    assert (data.review_round.total, data.review_round.grade) == (Decimal("851.5"), "甲")
    assert (data.total, data.grade, data.round) == (Decimal("851.5"), "甲", "review")
    assert data.dimensions[0].difference == Decimal("-68.5")
    assert data.dimensions[0].review_comment == "佐證不足"
    assert data.rounds_differ
    assert data.total_difference == Decimal("-68.5")
    # the self-assessment is kept as entered
    assert data.self_round.total == 920


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("201", "構面一（基礎服務）的分數必須介於 0 與 200 分之間"),
        ("-1", "構面一（基礎服務）的分數必須介於 0 與 200 分之間"),
        ("abc", "構面一（基礎服務）的分數必須介於 0 與 200 分之間"),
        ("NaN", "構面一（基礎服務）的分數必須介於 0 與 200 分之間"),
        ("Infinity", "構面一（基礎服務）的分數必須介於 0 與 200 分之間"),
        ("100.25", "構面一（基礎服務）的分數必須介於 0 與 200 分之間，最多一位小數"),
        ("", "請填寫構面一（基礎服務）的分數（0 至 200 分）"),
        ("1e2", "構面一（基礎服務）的分數必須介於 0 與 200 分之間"),
        ("1_0", "構面一（基礎服務）的分數必須介於 0 與 200 分之間"),
        ("+5", "構面一（基礎服務）的分數必須介於 0 與 200 分之間"),
        ("１８４分", "構面一（基礎服務）的分數必須介於 0 與 200 分之間"),
    ],
)
def test_a_bad_score_is_refused_and_nothing_is_saved(year, admin_user, typed, message):
    services.save_scores(year=year, round="self", scores=SEED, user=admin_user)
    before = scores_of(year, "self")

    with pytest.raises(services.ScoreError) as caught:
        # Dimension 2 is a valid change: it must not be saved either.
        services.save_scores(
            year=year, round="self", scores={**SEED, 1: typed, 2: "250"}, user=admin_user
        )

    assert caught.value.errors == {1: message}
    assert scores_of(year, "self") == before


def test_every_refused_dimension_is_named_with_its_maximum(year, auditor):
    with pytest.raises(services.ScoreError) as caught:
        services.save_scores(
            year=year,
            round="review",
            scores={1: "201", 2: "300.5", 3: "182", 4: "x", 5: "100.1"},
            user=auditor,
        )

    assert caught.value.errors == {
        1: "構面一（基礎服務）的分數必須介於 0 與 200 分之間",
        2: "構面二（服務遞送）的分數必須介於 0 與 300 分之間",
        4: "構面四（服務評價）的分數必須介於 0 與 200 分之間",
        5: "構面五（開放創新）的分數必須介於 0 與 100 分之間",
    }
    assert "構面一（基礎服務）" in caught.value.message
    assert not DimensionScore.objects.filter(dimension__year=year).exists()


def test_the_bounds_themselves_are_accepted(year, auditor):
    services.save_scores(
        year=year,
        round="review",
        scores={1: "0", 2: "300", 3: "0.1", 4: "199.9", 5: "100.0"},
        user=auditor,
    )
    assert scores_of(year, "review") == {
        1: Decimal("0"),
        2: Decimal("300"),
        3: Decimal("0.1"),
        4: Decimal("199.9"),
        5: Decimal("100"),
    }


def test_each_change_is_in_the_history_with_who_old_new_and_comment(year, auditor):
    services.save_scores(year=year, round="review", scores=SEED, user=auditor)
    services.save_scores(
        year=year,
        round="review",
        scores={**SEED, 1: "180"},
        comments={1: "抽查一件逾期"},
        user=auditor,
    )

    score = DimensionScore.objects.get(dimension__year=year, dimension__number=1, round="review")
    latest, first = list(score.history.all()[:2])
    assert latest.history_user == auditor
    assert latest.history_change_reason == "複評 184 → 180：抽查一件逾期"
    assert latest.comment == "抽查一件逾期"
    assert first.history_change_reason == "複評 — → 184"
    # Unchanged dimensions were not rewritten.
    other = DimensionScore.objects.get(dimension__year=year, dimension__number=2, round="review")
    assert other.history.count() == 1


def test_the_sheet_details_are_saved_with_the_scores(year, admin_user):
    services.save_scores(
        year=year,
        round="self",
        scores=SEED,
        assessed_by="高雄分局",
        assessed_month="113.1",
        user=admin_user,
    )
    sheet = ScoreSheet.objects.get(year=year)
    assert (sheet.assessed_by, sheet.assessed_month_label) == ("高雄分局", "113.1")


def test_a_bad_assessment_month_saves_no_score(year, admin_user):
    with pytest.raises(services.ScoreError) as caught:
        services.save_scores(
            year=year, round="self", scores=SEED, assessed_month="113.13", user=admin_user
        )
    assert "assessed_month" in caught.value.errors
    assert not DimensionScore.objects.filter(dimension__year=year).exists()
    sheet = ScoreSheet.objects.get(year=year)
    assert sheet.assessed_month is None


def test_no_score_changes_while_the_year_is_locked(year, admin_user, auditor):
    services.save_scores(year=year, round="self", scores=SEED, user=admin_user)
    set_year_status(year=year, status=Year.Status.LOCKED, user=admin_user)

    with pytest.raises(DomainError, match="鎖定"):
        services.save_scores(year=year, round="self", scores={**SEED, 1: "190"}, user=admin_user)
    with pytest.raises(DomainError, match="鎖定"):
        services.save_scores(year=year, round="review", scores=SEED, user=auditor)
    with pytest.raises(DomainError, match="鎖定"):
        services.save_scores(
            year=year,
            round="self",
            scores=SEED,
            assessed_by="x",
            assessed_month="",
            user=admin_user,
        )

    assert scores_of(year, "self")[1] == 184
    assert scores_of(year, "review") == {}
    assert ScoreSheet.objects.get(year=year).assessed_by != "x"


def test_a_year_without_a_sheet_gets_one_on_first_save(org, admin_user):
    from strategies.models import Dimension

    bare = Year.objects.create(organization=org, roc_year=120, status=Year.Status.OPEN)
    for number, name, maximum in [(1, "基礎服務", 200), (2, "服務遞送", 300)]:
        Dimension.objects.create(year=bare, number=number, name=name, max_score=maximum)

    data = score_sheet_data(bare, include_unsigned_review=True)  # reading creates nothing
    assert data.total is None and data.legend.startswith("優=900")
    assert not ScoreSheet.objects.filter(year=bare).exists()

    services.save_scores(year=bare, round="self", scores={1: "150", 2: "250"}, user=admin_user)
    assert ScoreSheet.objects.filter(year=bare).exists()
    assert score_sheet_data(bare, include_unsigned_review=True).self_round.total == 400


@pytest.mark.parametrize(
    ("value", "text"),
    [(Decimal("184.0"), "184"), (Decimal("115.5"), "115.5"), (Decimal("0"), "0"), (None, "")],
)
def test_numbers_print_as_integers_when_whole(value, text):
    assert number_format.one_decimal(value) == text


def test_full_width_digits_read_as_numbers(year, admin_user):
    services.save_scores(
        year=year,
        round="self",
        scores={1: "１８４", 2: " 284 ", 3: "１８２.０", 4: "186", 5: "84"},
        user=admin_user,
    )
    assert scores_of(year, "self") == {
        1: Decimal(184),
        2: Decimal(284),
        3: Decimal(182),
        4: Decimal(186),
        5: Decimal(84),
    }


def test_an_overlong_comment_is_refused_and_nothing_is_saved(year, auditor):
    with pytest.raises(services.ScoreError) as caught:
        services.save_scores(
            year=year, round="review", scores=SEED, comments={3: "字" * 2001}, user=auditor
        )
    assert caught.value.errors == {3: "構面三（服務量能）的評語最多 2000 字，目前 2001 字"}
    assert not DimensionScore.objects.filter(dimension__year=year).exists()
