"""The scoring side of an organization-year backup: grade bands, score sheet, dimension scores.

Added to strategies.backup.STRATEGIES_SPECS by the backup and restore commands.
"""

from scoring.models import DimensionScore, GradeBands, ScoreSheet
from strategies.backup import STRATEGIES_SPECS, Spec

SCORING_SPECS: list[Spec] = [
    Spec(
        "grade_bands",
        GradeBands,
        ("excellent_min", "a_min", "b_min", "c_min"),
        lambda org, year: GradeBands.objects.filter(year=year),
    ),
    Spec(
        "score_sheet",
        ScoreSheet,
        ("assessed_by", "assessed_roc_year", "assessed_month", "signed_off_at"),
        lambda org, year: ScoreSheet.objects.filter(year=year),
        refs={"signed_off_by": "user"},
    ),
    Spec(
        "dimension_score",
        DimensionScore,
        ("round", "score", "maximum", "comment", "updated_at"),
        lambda org, year: DimensionScore.objects.filter(dimension__year=year).order_by(
            "dimension__number", "round"
        ),
        refs={"dimension": "dimension", "updated_by": "user"},
        times=("updated_at",),
    ),
]

ALL_SPECS: list[Spec] = STRATEGIES_SPECS + SCORING_SPECS
