"""The grade rule: pure, no database. Bands are half-open: 899.5 is 甲, 900 is 優."""

from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from scoring.grades import SEED_BANDS, Bands, Grade, grade_for

# Every total a sheet can hold: 0 to 1000 in steps of 0.1.
totals = st.integers(min_value=0, max_value=10_000).map(lambda tenths: Decimal(tenths) / 10)


@pytest.mark.parametrize(
    ("total", "grade"),
    [
        ("1000", Grade.EXCELLENT),
        ("920", Grade.EXCELLENT),
        ("900", Grade.EXCELLENT),
        ("899.9", Grade.A),
        ("899.5", Grade.A),
        ("851.5", Grade.A),
        ("800", Grade.A),
        ("799.9", Grade.B),
        ("700", Grade.B),
        ("699.9", Grade.C),
        ("600", Grade.C),
        ("599.9", Grade.D),
        ("0", Grade.D),
    ],
)
def test_seed_bands_at_every_boundary(total, grade):
    assert grade_for(Decimal(total)) == grade


@given(totals)
def test_every_total_has_exactly_one_band(total):
    matching = [
        grade
        for grade, low, high in SEED_BANDS.ranges()
        if low <= total < high or (grade == Grade.EXCELLENT and total == high)
    ]
    assert matching == [grade_for(total)]


@given(totals, totals)
def test_a_higher_total_never_gets_a_lower_grade(a, b):
    order = [Grade.D, Grade.C, Grade.B, Grade.A, Grade.EXCELLENT]
    low, high = sorted([a, b])
    assert order.index(grade_for(low)) <= order.index(grade_for(high))


@given(totals)
def test_matches_the_seed_legend(total):
    # 優=900 分以上；甲=899-800 分；乙=799-700 分；丙=699-600 分；丁=599 分以下
    expected = (
        Grade.EXCELLENT
        if total >= 900
        else Grade.A
        if total >= 800
        else Grade.B
        if total >= 700
        else Grade.C
        if total >= 600
        else Grade.D
    )
    assert grade_for(total) == expected


bounds = st.lists(
    st.integers(min_value=1, max_value=10_000).map(lambda t: Decimal(t) / 10),
    min_size=4,
    max_size=4,
    unique=True,
).map(lambda xs: sorted(xs, reverse=True))


@given(bounds, totals)
@example([Decimal(1000), Decimal("0.3"), Decimal("0.2"), Decimal("0.1")], Decimal(1000))
def test_any_valid_bands_cover_0_to_1000_without_gap_or_overlap(limits, total):
    bands = Bands(*limits)
    ranges = bands.ranges()
    # Contiguous: each band starts where the next one up ends.
    for (_, low, _), (_, _, high_below) in zip(ranges, ranges[1:], strict=False):
        assert high_below == low
    assert ranges[-1][1] == 0 and ranges[0][2] == 1000
    hits = [
        g
        for g, low, high in ranges
        if low <= total < high or (g == Grade.EXCELLENT and total == high)
    ]
    assert len(hits) == 1
    assert hits[0] == grade_for(total, bands)


@pytest.mark.parametrize(
    "limits",
    [
        (800, 900, 700, 600),  # not descending
        (900, 800, 800, 600),  # two bands share a bound: 乙 would be empty
        (1000.1, 800, 700, 600),  # above 1000
        (900, 800, 700, 0),  # 丁 would be empty
        (900, 800, 700, -5),
    ],
)
def test_invalid_bands_are_refused(limits):
    with pytest.raises(ValueError, match="等第區間"):
        Bands(*(Decimal(str(x)) for x in limits))


@pytest.mark.parametrize("total", ["-0.1", "1000.1", "-5"])
def test_totals_outside_0_1000_are_refused(total):
    with pytest.raises(ValueError, match="總分"):
        grade_for(total)


def test_the_legend_reads_like_the_seed():
    assert (
        SEED_BANDS.legend()
        == "優=900 分以上；甲=899-800 分；乙=799-700 分；丙=699-600 分；丁=599 分以下"
    )
