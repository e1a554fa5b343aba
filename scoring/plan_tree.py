"""Scoring's part of the plan tree (strategies/plan_tree.py): grade bands and the score sheet
under the year, each dimension's scores under the dimension.

`TREE` is the whole tree: strategies' levels, then these. Whoever walks both (the backup and
restore commands, the JSON report) reads it from here; strategies never imports it.
"""

from scoring.models import DimensionScore, GradeBands, ScoreSheet
from strategies import plan_tree
from strategies.plan_tree import ARCHIVE, KEY, PLAN, REPORT, USER, Level

GRADE_BANDS = Level(
    "grade_bands",
    GradeBands,
    parent="year",
    parent_field="year",
    scope="year",
    order=(),
    fields={"excellent_min": PLAN, "a_min": PLAN, "b_min": PLAN, "c_min": PLAN},
)

SCORE_SHEET = Level(
    "score_sheet",
    ScoreSheet,
    parent="year",
    parent_field="year",
    scope="year",
    order=(),
    fields={
        "assessed_by": REPORT,
        "assessed_roc_year": REPORT,
        "assessed_month": REPORT,
        "signed_off_at": ARCHIVE,
    },
    refs={"signed_off_by": USER},
)

DIMENSION_SCORE = Level(
    "dimension_score",
    DimensionScore,
    parent="dimension",
    parent_field="dimension",
    scope="dimension__year",
    order=("round",),
    fields={
        "round": KEY,
        "score": REPORT,
        "comment": REPORT,
        "maximum": ARCHIVE,
        "updated_at": ARCHIVE,
    },
    refs={"updated_by": USER},
    times=("updated_at",),
    document="scores",
    document_keyed_by="round",
)

TREE: tuple[Level, ...] = (*plan_tree.TREE, GRADE_BANDS, SCORE_SHEET, DIMENSION_SCORE)
