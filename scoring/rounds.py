"""Which scoring round counts, and whether the review is signed off: the one rule the score
sheet, the year-end report and the headquarters comparison all ask.

- The auditor's review (複評) counts once every dimension has a review score; until then the
  self-assessment (自評) does (the 112 report was self-assessed).
- A sign-off holds only while the year stays locked: a year reopened by any route is no longer
  signed off.

Pure, no database: counted_round([Decimal(180), None]) is Round.SELF.
"""

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from scoring.models import DimensionScore
from strategies.models.plan import Year

Round = DimensionScore.Round


def counted_round(review_scores: Sequence[Decimal | None]) -> Round:
    """The review once complete (a score for every dimension), else the self-assessment."""
    complete = bool(review_scores) and all(score is not None for score in review_scores)
    return Round.REVIEW if complete else Round.SELF


def is_signed_off(*, status: str, signed_off_at: datetime | None) -> bool:
    return signed_off_at is not None and status == Year.Status.LOCKED
