"""Writes of the score sheet: both rounds' scores, grade bands, sign-off and reopening.

Every function is keyword-only, runs in one transaction, checks everything before it writes
(nothing is saved on any error), records who and why in the history, and raises DomainError
with a message a person can act on.
"""

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from scoring.grades import MAX_TOTAL, Bands, grade_for
from scoring.models import DimensionScore, GradeBands, ScoreSheet
from strategies import access, number_format, numbering, year_lifecycle
from strategies.auth import User
from strategies.errors import DomainError
from strategies.models import Dimension, Year
from strategies.services import notifications
from strategies.services.years import lock_year, set_year_status

Round = DimensionScore.Round
ONE_DECIMAL = Decimal("0.1")
PLAIN_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")
# django-simple-history keeps change reasons in a 100-character column.
REASON_MAX = 100
COMMENT_MAX = 2000


class ScoreError(DomainError):
    """Refused scores: `errors` maps each refused dimension's number (or the sheet field
    "assessed_by" / "assessed_month") to its message."""

    def __init__(self, errors: dict[int | str, str]) -> None:
        ordered = sorted(errors.items(), key=lambda kv: (isinstance(kv[0], str), str(kv[0])))
        super().__init__("；".join(message for _, message in ordered))
        self.errors = errors


class BandsError(DomainError):
    """Refused grade bands: `errors` maps a field name (or "" for the whole) to its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("；".join(errors.values()))
        self.errors = errors


def dimension_title(dimension: Dimension) -> str:
    return gettext("構面%(label)s（%(name)s）") % {"label": dimension.label, "name": dimension.name}


def parse_score(raw: object, dimension: Dimension) -> tuple[Decimal | None, str]:
    """(score, "") or (None, message naming the dimension and its maximum)."""
    maximum = dimension.max_score
    names = {"name": dimension_title(dimension), "max": number_format.one_decimal(maximum)}
    bounds = gettext("%(name)s的分數必須介於 0 與 %(max)s 分之間") % names
    # NFKC: full-width digits typed with a Chinese input method ("１８４") read as 184.
    text = "" if raw is None else unicodedata.normalize("NFKC", str(raw)).strip()
    if not text:
        return None, gettext("請填寫%(name)s的分數（0 至 %(max)s 分）") % names
    if not PLAIN_NUMBER.fullmatch(text):  # no sign, exponent, underscore, NaN or Infinity
        return None, bounds
    value = Decimal(text)
    if value > maximum:
        return None, bounds
    if value != value.quantize(ONE_DECIMAL):
        return None, gettext("%(bounds)s，最多一位小數") % {"bounds": bounds}
    return value.quantize(ONE_DECIMAL), ""


def _refuse_if_locked(year: Year) -> None:
    if year.status == Year.Status.LOCKED:
        raise DomainError(
            gettext("%(year)s已完成複評並鎖定，不能再修改分數；請管理者先填寫原因重新開放。")
            % {"year": year}
        )


def _locked_year(year: Year) -> Year:
    """The year re-read under a row lock, so a concurrent sign-off cannot slip in between."""
    return Year.objects.select_for_update().select_related("organization").get(pk=year.pk)


def _reason(text: str) -> str:
    return text if len(text) <= REASON_MAX else text[: REASON_MAX - 1] + "…"


@dataclass
class SavedScores:
    """What a save changed: the dimensions whose score or comment changed."""

    changed: list[int] = field(default_factory=list)


def save_scores(
    *,
    year: Year,
    round: str,
    scores: Mapping[int, object],
    comments: Mapping[int, str] | None = None,
    assessed_by: str | None = None,
    assessed_month: str | None = None,
    user: User,
) -> SavedScores:
    """Save one round's five dimension scores (with comments) of the year.

    `scores` maps a dimension number (1-5) to what the person typed. All five are checked first
    (each 0..its maximum, one decimal at most); on any error nothing is written and ScoreError
    names every refused dimension. Unchanged scores are not rewritten, so the history holds only
    real changes: who, when, old -> new and the comment. When `assessed_by` or
    `assessed_month` is given, the sheet's assessing body and month are saved in the same
    transaction (and checked with the scores).
    """
    round_ = Round(round)
    # Services enforce what the pages only show: the round's own rule (strategies.access).
    access.check_year_right(user, year, lambda m, y: access.can_enter_round(m, y, round_))
    comments = comments or {}
    errors: dict[int | str, str] = {}
    details: tuple[str, int | None, int | None] | None = None
    if assessed_by is not None or assessed_month is not None:
        try:
            details = _parse_details(assessed_by or "", assessed_month or "")
        except ScoreError as exc:
            errors.update(exc.errors)
    with transaction.atomic():
        year = _locked_year(year)
        _refuse_if_locked(year)
        dimensions = list(year.dimensions.order_by("number"))
        if not dimensions:
            raise DomainError(gettext("%(year)s尚未設定構面，不能評分。") % {"year": year})
        existing = {
            s.dimension_id: s
            for s in DimensionScore.objects.filter(dimension__year=year, round=round_)
        }
        parsed: dict[int, Decimal] = {}
        for dimension in dimensions:
            value, error = parse_score(scores.get(dimension.number), dimension)
            comment = (comments.get(dimension.number) or "").strip()
            if not error and len(comment) > COMMENT_MAX:
                error = f"{dimension_title(dimension)}的評語最多 {COMMENT_MAX} 字，目前 {len(comment)} 字"
            if error:
                errors[dimension.number] = error
            else:
                assert value is not None
                parsed[dimension.number] = value
        if errors:
            raise ScoreError(errors)

        result = SavedScores()
        for dimension in dimensions:
            new = parsed[dimension.number]
            comment = (comments.get(dimension.number) or "").strip()
            score = existing.get(dimension.pk)
            if score is None:
                score = DimensionScore(dimension=dimension, round=round_)
                old_text = "—"
            elif score.score == new and score.comment == comment:
                continue
            else:
                old_text = number_format.one_decimal(score.score)
            score.dimension = dimension
            score.score = new
            score.comment = comment
            score.updated_by = user
            score.full_clean()
            score._history_user = user
            score._change_reason = _reason(
                f"{round_.label} {old_text} → {number_format.one_decimal(new)}"
                + (f"：{comment}" if comment else "")
            )
            score.save()
            result.changed.append(dimension.number)
        sheet, _ = ScoreSheet.objects.get_or_create(year=year)
        if details is not None:
            _write_details(sheet, details, user)
    return result


def _parse_details(assessed_by: str, assessed_month: str) -> tuple[str, int | None, int | None]:
    """(assessing body, ROC year, month) or ScoreError naming the field."""
    assessed_by = assessed_by.strip()
    month_text = assessed_month.strip()
    errors: dict[int | str, str] = {}
    roc_year: int | None = None
    month: int | None = None
    if month_text:
        try:
            roc_year, month = numbering.parse_roc_month(month_text)
        except ValueError as exc:
            errors["assessed_month"] = str(exc)
    if len(assessed_by) > 100:
        errors["assessed_by"] = "實施考核機關最多 100 個字。"
    if errors:
        raise ScoreError(errors)
    return assessed_by, roc_year, month


def _write_details(
    sheet: ScoreSheet,
    details: tuple[str, int | None, int | None],
    user: User,
) -> None:
    assessed_by, roc_year, month = details
    if (sheet.assessed_by, sheet.assessed_roc_year, sheet.assessed_month) == details:
        return
    old = f"{sheet.assessed_by or '—'} {sheet.assessed_month_label or '—'}"
    sheet.assessed_by = assessed_by
    sheet.assessed_roc_year = roc_year
    sheet.assessed_month = month
    sheet.full_clean()
    sheet._history_user = user
    sheet._change_reason = _reason(
        f"考核機關與年月 {old} → {assessed_by or '—'} {sheet.assessed_month_label or '—'}"
    )
    sheet.save()


def parse_bands(values: Mapping[str, object]) -> Bands:
    """Four lower bounds (優, 甲, 乙, 丙) checked as numbers with one decimal, then as Bands."""
    labels = {"excellent_min": "優", "a_min": "甲", "b_min": "乙", "c_min": "丙"}
    parsed: dict[str, Decimal] = {}
    errors: dict[str, str] = {}
    for name, label in labels.items():
        raw = values.get(name)
        text = "" if raw is None else unicodedata.normalize("NFKC", str(raw)).strip()
        value = Decimal(text) if PLAIN_NUMBER.fullmatch(text) else None
        if value is None or value <= 0 or value > MAX_TOTAL:
            errors[name] = f"「{label}」的下限必須是介於 0 與 1000 分之間的數字"
        elif value != value.quantize(ONE_DECIMAL):
            errors[name] = f"「{label}」的下限最多一位小數"
        else:
            parsed[name] = value.quantize(ONE_DECIMAL)
    if errors:
        raise BandsError(errors)
    try:
        return Bands(**parsed)
    except ValueError:
        raise BandsError(
            {
                "": "等第區間必須由高到低遞減（優 > 甲 > 乙 > 丙 > 0），且不超過 1000 分，"
                "才能涵蓋 0 至 1000 分而沒有空隙或重疊"
            }
        ) from None


def update_grade_bands(
    *,
    year: Year,
    values: Mapping[str, object],
    user: User,
    reason: str = "",
) -> GradeBands:
    """Replace the year's bands; the year's grades follow at once (they are computed from them).

    The history records the new bounds, the reason and how the grade of each round changed.
    """
    access.check_year_right(user, year, access.is_year_admin)
    bands = parse_bands(values)
    with transaction.atomic():
        year = _locked_year(year)
        _refuse_if_locked(year)
        record, _ = GradeBands.objects.get_or_create(year=year)
        old_bands = record.as_bands()
        if old_bands == bands:
            return record
        totals = _round_totals(year)
        regraded = [
            f"{Round(r).label} {grade_for(total, old_bands)} → {grade_for(total, bands)}"
            for r, total in totals.items()
            if total is not None
        ]
        record.excellent_min = bands.excellent_min
        record.a_min = bands.a_min
        record.b_min = bands.b_min
        record.c_min = bands.c_min
        record.full_clean()
        record._history_user = user
        parts = [reason.strip()] if reason.strip() else []
        parts.append(bands.legend())
        parts.extend(regraded)
        record._change_reason = _reason("；".join(parts))
        record.save()
    return record


def _round_totals(year: Year) -> dict[str, Decimal | None]:
    """Each round's total when all its dimensions are scored, else None."""
    dimension_count = year.dimensions.count()
    totals: dict[str, Decimal | None] = {}
    for round_ in Round:
        scores = list(
            DimensionScore.objects.filter(dimension__year=year, round=round_).values_list(
                "score", flat=True
            )
        )
        complete = dimension_count > 0 and len(scores) == dimension_count
        totals[round_] = sum(scores, Decimal(0)) if complete else None
    return totals


def sign_off_review(*, year: Year, user: User) -> ScoreSheet:
    """Finalise the auditor's review: all five review scores must be in; the year is then locked.

    Callers that also issue the frozen report call this inside their own transaction.
    """
    access.check_year_right(user, year, access.is_year_auditor)
    with transaction.atomic():
        year = _locked_year(year)
        _refuse_if_locked(year)
        dimensions = list(year.dimensions.order_by("number"))
        reviewed = set(
            DimensionScore.objects.filter(dimension__year=year, round=Round.REVIEW).values_list(
                "dimension_id", flat=True
            )
        )
        missing = [dimension_title(d) for d in dimensions if d.pk not in reviewed]
        if not dimensions or missing:
            raise DomainError(
                gettext("複評尚未完成，不能完成複評：%(missing)s還沒有複評分數。")
                % {"missing": gettext("、").join(missing) if missing else gettext("尚未設定構面")}
            )
        sheet, _ = ScoreSheet.objects.get_or_create(year=year)
        sheet.signed_off_at = timezone.now()
        sheet.signed_off_by = user
        sheet.full_clean()
        sheet._history_user = user
        sheet._change_reason = "完成複評"
        sheet.save()
        lock_year(year=year, user=user, reason="完成複評，年度鎖定")
        notifications.year_signed_off(year=year, actor=user)
    return sheet


def reopen_year(
    *,
    year: Year,
    user: User,
    reason: str,
    status: str = Year.Status.OPEN,
) -> Year:
    """Reopen a locked year with a reason: the sign-off is withdrawn and both are recorded."""
    access.check_year_right(user, year, access.is_year_admin)
    reason = reason.strip()
    if not reason:
        raise DomainError(gettext("重新開放%(year)s必須填寫原因。") % {"year": year})
    if len(reason) > REASON_MAX:
        raise DomainError(gettext("原因請寫在 %(max)s 字以內。") % {"max": REASON_MAX})
    if status not in year_lifecycle.reopen_targets():
        raise DomainError(gettext("重新開放後的狀態只能是「填報中」或「已結束填報」。"))
    with transaction.atomic():
        year = _locked_year(year)
        if year.status != Year.Status.LOCKED:
            raise DomainError(gettext("%(year)s沒有鎖定，不需要重新開放。") % {"year": year})
        sheet = ScoreSheet.objects.filter(year=year).first()
        if sheet is not None and sheet.signed_off_at is not None:
            sheet.signed_off_at = None
            sheet.signed_off_by = None
            sheet._history_user = user
            sheet._change_reason = _reason(f"撤銷複評完成：{reason}")
            sheet.save()
        year = set_year_status(year=year, status=status, user=user, reason=reason)
    return year
