"""The scoring side of a new year: the grade bands and an empty score sheet.

Called next to `strategies.services.copy_year.copy_year`, in the same transaction, by whoever
orchestrates a copy (the copy_year command, the copy-year page): strategies never imports scoring.
"""

from django.db import transaction

from scoring.models import GradeBands, ScoreSheet
from scoring.plan_tree import GRADE_BANDS
from strategies.auth import User
from strategies.models import Organization, Year
from strategies.plan_tree import COPIED
from strategies.services.copy_year import copy_year


def copy_scoring_setup(*, source: Year, target: Year, user: User | None = None) -> None:
    """Give `target` the grade bands of `source` (the default bands when it has none) and an
    empty score sheet: no assessing body, no month, no scores, no sign-off."""
    with transaction.atomic():
        source_bands = GradeBands.objects.filter(year=source).first()
        bands = GradeBands(year=target)
        if source_bands is not None:
            for name in GRADE_BANDS.carried(COPIED):
                setattr(bands, name, getattr(source_bands, name))
        bands.full_clean()
        bands._history_user = user
        bands._change_reason = f"複製自 {source.roc_year} 年度"
        bands.save()
        if not ScoreSheet.objects.filter(year=target).exists():
            sheet = ScoreSheet(year=target)
            sheet._history_user = user
            sheet._change_reason = "新年度"
            sheet.save()


def ensure_scoring_setup(*, year: Year, user: User | None = None) -> None:
    """A year made without a source (e.g. by a plan import) gets the default bands and an
    empty score sheet; a year that has them is left alone."""
    with transaction.atomic():
        if not GradeBands.objects.filter(year=year).exists():
            bands = GradeBands(year=year)
            bands.full_clean()
            bands._history_user = user
            bands._change_reason = "新年度：預設等第區間"
            bands.save()
        if not ScoreSheet.objects.filter(year=year).exists():
            sheet = ScoreSheet(year=year)
            sheet._history_user = user
            sheet._change_reason = "新年度"
            sheet.save()


def copy_year_with_scoring(
    *,
    organization: Organization,
    from_roc_year: int,
    to_roc_year: int,
    user: User | None,
    open_year: bool = False,
) -> Year:
    """The whole copy in one transaction: the plan (strategies) and the bands and sheet (scoring)."""
    with transaction.atomic():
        target = copy_year(
            organization=organization,
            from_roc_year=from_roc_year,
            to_roc_year=to_roc_year,
            user=user,
            open_year=open_year,
        )
        assert target.copied_from is not None
        copy_scoring_setup(source=target.copied_from, target=target, user=user)
    return target
