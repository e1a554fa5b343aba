"""Reads of the score sheet and of the auditor's review page, each in a fixed number of queries.

The same `score_sheet_data` feeds the HTML page, the chart, the management command and the
year-end report, so none of them can disagree.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TypedDict, cast

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext, gettext_noop
from django_stubs_ext import WithAnnotations

from scoring import rounds
from scoring.grades import MAX_TOTAL, SEED_BANDS, Bands, grade_for
from scoring.models import DimensionScore, GradeBands, ScoreSheet
from strategies.auth import User
from strategies.change_reasons import reason_text
from strategies.models import (
    Dimension,
    Indicator,
    IndicatorValue,
    Item,
    MonthlyEntry,
    Unit,
    Year,
)

Round = DimensionScore.Round
HUNDRED = Decimal(100)
MONTHS = 12


# --- The score sheet --------------------------------------------------------------------------


@dataclass(frozen=True)
class DimensionLine:
    number: int
    label: str  # 一, 二 ...
    name: str
    maximum: Decimal
    self_score: Decimal | None
    self_comment: str
    review_score: Decimal | None
    review_comment: str
    score: Decimal | None  # the sheet's round: review when complete, else self

    @property
    def difference(self) -> Decimal | None:
        """Review minus self, when both are in."""
        if self.self_score is None or self.review_score is None:
            return None
        return self.review_score - self.self_score

    @property
    def differs(self) -> bool:
        return bool(self.difference)


@dataclass(frozen=True)
class RoundSummary:
    round: str
    label: str
    total: Decimal | None  # None until every dimension of the round is scored
    grade: str | None
    scored: int  # how many dimensions have a score in this round
    partial_total: Decimal  # the sum so far, for an incomplete round

    @property
    def complete(self) -> bool:
        return self.total is not None


@dataclass(frozen=True)
class TrendPoint:
    roc_year: int
    total: Decimal
    grade: str
    round: str


@dataclass(frozen=True)
class SheetData:
    year: Year
    organization_name: str
    organization_short_name: str
    organization_code: str
    parent_name: str  # the body whose form it is (經濟部標準檢驗局), or the organization itself
    roc_year: int
    status: str
    status_label: str
    dimensions: list[DimensionLine]
    self_round: RoundSummary
    review_round: RoundSummary
    round: str  # which round the top-level total and grade come from
    total: Decimal | None
    grade: str | None
    max_total: Decimal
    bands: Bands
    legend: str
    assessed_by: str
    assessed_month: str
    signed_off_at: datetime | None
    signed_off_by: str
    trend: list[TrendPoint] = field(default_factory=list)  # earlier years, then this year
    # The review is in progress and this reader may not see it yet (left out above).
    review_hidden: bool = False

    @property
    def signed_off(self) -> bool:
        return self.signed_off_at is not None

    @property
    def locked(self) -> bool:
        return self.status == Year.Status.LOCKED

    @property
    def rounds_differ(self) -> bool:
        return any(d.differs for d in self.dimensions) or bool(self.total_difference)

    @property
    def total_difference(self) -> Decimal | None:
        """Review total minus self total, when both rounds are complete."""
        if self.self_round.total is None or self.review_round.total is None:
            return None
        return self.review_round.total - self.self_round.total

    @property
    def has_earlier_years(self) -> bool:
        return len(self.trend) > 1 or any(p.roc_year != self.roc_year for p in self.trend)


def _bands_of(year: Year) -> Bands:
    try:
        record: GradeBands = year.grade_bands
    except GradeBands.DoesNotExist:
        return SEED_BANDS
    return record.as_bands()


def _sheet_of(year: Year) -> ScoreSheet | None:
    try:
        return year.score_sheet
    except ScoreSheet.DoesNotExist:
        return None


def _summary(round_: Round, scores: list[Decimal | None], bands: Bands) -> RoundSummary:
    present = [s for s in scores if s is not None]
    partial = sum(present, Decimal(0))
    complete = bool(scores) and len(present) == len(scores)
    total = partial if complete else None
    return RoundSummary(
        round=round_.value,
        label=str(round_.label),
        total=total,
        grade=str(grade_for(total, bands)) if total is not None else None,
        scored=len(present),
        partial_total=partial,
    )


def _year_queryset() -> QuerySet[Year]:
    scores = DimensionScore.objects.only(
        "id", "dimension_id", "round", "score", "comment", "maximum"
    )
    return Year.objects.select_related(
        "organization__parent", "grade_bands", "score_sheet__signed_off_by"
    ).prefetch_related(
        Prefetch("dimensions__scores", queryset=scores),
    )


def is_signed_off(year: Year) -> bool:
    """A sign-off holds only while the year stays locked: a year reopened by any route (the
    scoring reopen page or the admin's year page) is no longer signed off. Uses the year's
    `score_sheet` (select it with the year to save the query)."""
    sheet = _sheet_of(year)
    return rounds.is_signed_off(
        status=year.status, signed_off_at=sheet.signed_off_at if sheet is not None else None
    )


def _lines_and_rounds(
    year: Year, bands: Bands, *, with_review: bool = True
) -> tuple[list[DimensionLine], RoundSummary, RoundSummary, str]:
    """Both rounds' lines; without the review (a round in progress that the reader may not
    see yet), its scores and comments are left out as if none had been entered."""
    rows = []
    for dimension in sorted(year.dimensions.all(), key=lambda d: d.number):
        by_round = {s.round: s for s in dimension.scores.all()}
        review = by_round.get(Round.REVIEW) if with_review else None
        rows.append((dimension, by_round.get(Round.SELF), review))
    self_round = _summary(Round.SELF, [s.score if s else None for _, s, _ in rows], bands)
    review_round = _summary(Round.REVIEW, [r.score if r else None for _, _, r in rows], bands)
    use = rounds.counted_round([r.score if r else None for _, _, r in rows])
    lines = []
    for d, s, r in rows:
        chosen = r if use == Round.REVIEW else s
        lines.append(
            DimensionLine(
                number=d.number,
                label=d.label,
                name=d.name,
                maximum=d.max_score,
                self_score=s.score if s else None,
                self_comment=s.comment if s else "",
                review_score=r.score if r else None,
                review_comment=r.comment if r else "",
                score=chosen.score if chosen else None,
            )
        )
    return lines, self_round, review_round, use.value


def score_sheet_data(year: Year, *, include_unsigned_review: bool = False) -> SheetData:
    """The year's 考核結果統計表: both rounds, totals, grades, differences, legend, sign-off,
    and the total and grade of every earlier year of the organization for the trend chart.

    The auditor's review is part of it once the year is signed off; before that only when
    `include_unsigned_review` (the reader may see a review in progress:
    `strategies.access.can_see_unsigned_review`). The same holds for each earlier year.

    Queries: 4 (the year with its organization, bands and sheet; dimensions; scores; earlier
    years), and 2 more (their dimensions and scores) when there are earlier years, however many.
    """
    year = _year_queryset().get(pk=year.pk)
    bands = _bands_of(year)
    signed = is_signed_off(year)
    with_review = signed or include_unsigned_review
    lines, self_round, review_round, use = _lines_and_rounds(year, bands, with_review=with_review)
    chosen = review_round if use == Round.REVIEW else self_round
    sheet = _sheet_of(year)
    organization = year.organization
    signed_by = sheet.signed_off_by if signed and sheet is not None else None

    trend = []
    earlier = _year_queryset().filter(organization=organization, roc_year__lt=year.roc_year)
    for other in sorted(earlier, key=lambda y: y.roc_year):
        other_bands = _bands_of(other)
        _, other_self, other_review, other_use = _lines_and_rounds(
            other, other_bands, with_review=include_unsigned_review or is_signed_off(other)
        )
        picked = other_review if other_use == Round.REVIEW else other_self
        if picked.total is not None:
            trend.append(TrendPoint(other.roc_year, picked.total, picked.grade or "", other_use))
    if chosen.total is not None:
        trend.append(TrendPoint(year.roc_year, chosen.total, chosen.grade or "", use))

    return SheetData(
        year=year,
        organization_name=organization.name,
        organization_short_name=organization.short_name,
        organization_code=organization.code,
        parent_name=organization.parent.name if organization.parent else organization.name,
        roc_year=year.roc_year,
        status=year.status,
        status_label=str(year.get_status_display()),
        dimensions=lines,
        self_round=self_round,
        review_round=review_round,
        round=use,
        total=chosen.total,
        grade=chosen.grade,
        max_total=sum((d.maximum for d in lines), Decimal(0)) or MAX_TOTAL,
        bands=bands,
        legend=bands.legend(),
        assessed_by=sheet.assessed_by if sheet else "",
        assessed_month=sheet.assessed_month_label if sheet else "",
        signed_off_at=sheet.signed_off_at if signed and sheet is not None else None,
        signed_off_by=(signed_by.get_full_name() or signed_by.get_username()) if signed_by else "",
        trend=trend,
        review_hidden=not with_review,
    )


@dataclass(frozen=True)
class ScoreChange:
    when: datetime
    who: str
    dimension: str
    round_label: str
    old: Decimal | None
    new: Decimal
    comment: str


def score_history(year: Year, *, limit: int = 50, include_review: bool = True) -> list[ScoreChange]:
    """Every score change of the year, newest first: who, when, old -> new, comment (1 query).
    Without `include_review`, the review round's changes are left out."""
    historical = DimensionScore.history.model
    records = historical.objects.filter(dimension__year=year)
    if not include_review:
        records = records.exclude(round=Round.REVIEW)
    records = list(
        records.select_related("history_user", "dimension").order_by("history_date", "history_id")
    )
    previous: dict[tuple[int, str], Decimal] = {}
    changes: list[ScoreChange] = []
    for record in records:
        key = (record.dimension_id, record.round)
        old = previous.get(key)
        previous[key] = record.score
        if record.history_type == "-":
            continue
        user = record.history_user
        changes.append(
            ScoreChange(
                when=record.history_date,
                who=(user.get_full_name() or user.get_username()) if user else "",
                dimension=gettext("構面%(label)s（%(name)s）")
                % {"label": record.dimension.label, "name": record.dimension.name}
                if record.dimension
                else "",
                round_label=str(Round(record.round).label),
                old=old,
                new=record.score,
                comment=record.comment,
            )
        )
    changes.reverse()
    return changes[:limit]


@dataclass(frozen=True)
class RecordedChange:
    """One recorded change: when, who, what it became and why."""

    when: datetime
    who: str
    what: str
    reason: str


def _name(user: User | None) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def year_status_history(year: Year, *, limit: int = 10) -> list[RecordedChange]:
    """The year's status changes, newest first: sign-off, reopening and the reason (1 query)."""
    historical = Year.history.model
    records = historical.objects.filter(id=year.pk).select_related("history_user")
    changes: list[RecordedChange] = []
    previous = None
    for record in records.order_by("history_date", "history_id"):
        if record.status != previous:
            changes.append(
                RecordedChange(
                    when=record.history_date,
                    who=_name(record.history_user),
                    what=str(Year.Status(record.status).label),
                    reason=reason_text(record.history_change_reason or ""),
                )
            )
        previous = record.status
    changes.reverse()
    return changes[:limit]


def bands_history(year: Year, *, limit: int = 10) -> list[RecordedChange]:
    """The year's grade-band changes, newest first, each as its legend line (1 query)."""
    historical = GradeBands.history.model
    records = (
        historical.objects.filter(year_id=year.pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[:limit]
    )
    return [
        RecordedChange(
            when=r.history_date,
            who=_name(r.history_user),
            what=Bands(r.excellent_min, r.a_min, r.b_min, r.c_min).legend(),
            reason=reason_text(r.history_change_reason or ""),
        )
        for r in records
    ]


# --- The auditor's review page ----------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorLine:
    name: str
    measure: str
    target: Decimal | None
    actual: Decimal
    achievement: Decimal | None  # percent, one decimal
    state: str  # "met", "short" or "no-target"
    from_report: bool  # the actual is the report's figure, not compiled from entries

    @property
    def state_label(self) -> str:
        return {
            "met": gettext("達成"),
            "short": gettext("未達成"),
            "no-target": gettext("無目標值"),
        }[self.state]


@dataclass(frozen=True)
class UnitCompleteness:
    unit: str
    months: int
    of: int = MONTHS

    @property
    def complete(self) -> bool:
        return self.months >= self.of


@dataclass(frozen=True)
class EntryLine:
    pk: int
    unit: str
    unit_id: int
    month: int
    status: str
    status_label: str
    evidence: int


@dataclass(frozen=True)
class ItemChange:
    when: datetime
    who: str
    reason: str
    kind: str


@dataclass
class ReviewRow:
    item: Item
    dimension_number: int
    dimension: str
    strategy: str
    method: str
    title: str
    host_label: str
    host_units: list[str]
    planned_actions: str
    results: str
    indicators: list[IndicatorLine]
    completeness: list[UnitCompleteness]
    evidence_count: int
    entries: list[EntryLine]
    history: list[ItemChange] = field(default_factory=list)


def indicator_actual(indicator: Indicator, approved: list[IndicatorValue]) -> Decimal:
    """The report's figure when set; else the approved values summed, or for a running count
    each host unit's latest approved value, summed over units."""
    if indicator.reported_actual is not None:
        return indicator.reported_actual
    if indicator.aggregation == Indicator.Aggregation.LATEST:
        latest: dict[int, tuple[int, Decimal]] = {}
        for value in approved:
            unit_id, month = value.entry.unit_id, value.entry.month
            if unit_id not in latest or month > latest[unit_id][0]:
                latest[unit_id] = (month, value.value)
        return sum((v for _, v in latest.values()), Decimal(0))
    return sum((v.value for v in approved), Decimal(0))


def indicator_line(indicator: Indicator, approved: list[IndicatorValue]) -> IndicatorLine:
    actual = indicator_actual(indicator, approved)
    target = indicator.target
    if target is None:
        state, achievement = "no-target", None
    elif target == 0:
        state, achievement = "met", None
    else:
        achievement = (actual / target * HUNDRED).quantize(Decimal("0.1"))
        state = "met" if actual >= target else "short"
    return IndicatorLine(
        name=indicator.name,
        measure=indicator.measure,
        target=target,
        actual=actual,
        achievement=achievement,
        state=state,
        from_report=indicator.reported_actual is not None,
    )


REVIEW_PAGE_SIZE = 20


def dimension_index(year: Year) -> list[Dimension]:
    """The year's dimensions with how many items in use each has (`item_count`; one query)."""
    return list(
        Dimension.objects.filter(year=year)
        .annotate(
            item_count=Count(
                "strategies__methods__items",
                filter=Q(strategies__methods__items__is_retired=False),
            )
        )
        .order_by("number")
    )


def review_items(year: Year) -> QuerySet[Item]:
    """The year's live items, in the report's order (the base of the review page's filters)."""
    return (
        Item.objects.filter(method__strategy__dimension__year=year, is_retired=False)
        .select_related("method__strategy__dimension")
        .order_by(
            "method__strategy__dimension__number",
            "method__strategy__order",
            "method__order",
            "order",
        )
    )


COUNTED = (MonthlyEntry.Status.APPROVED, MonthlyEntry.Status.SUBMITTED)
HISTORY_KINDS = {"+": gettext_noop("建立"), "~": gettext_noop("修改"), "-": gettext_noop("刪除")}


class _ApprovedValues(TypedDict):
    values_read: list[IndicatorValue]


# Evaluated lazily: WithAnnotations takes its second argument only under the type checker.
type IndicatorWithApprovedValues = WithAnnotations[Indicator, _ApprovedValues]


def _with_approved_values(item: Item) -> QuerySet[IndicatorWithApprovedValues]:
    """The item's indicators as review_rows prefetches them, each with its values and their
    entries (a prefetch inside a prefetch, which the type checker does not follow on its
    own)."""
    return cast(QuerySet[IndicatorWithApprovedValues], item.indicators.all())


def review_rows(items: QuerySet[Item], *, with_history: bool = True) -> list[ReviewRow]:
    """One row per item: plan, results, indicators (target, actual, achievement), months reported
    of 12 per host unit, evidence files, its entries and its history.

    Queries: 1 items, 1 host units, 1 indicators, 1 approved values, 1 entries with their
    evidence counts, 1 item history: 6, whatever the number of items.
    """
    # Every value of the page's indicators with its entry; the approved ones are kept in Python.
    # (Filtered on the entry's status in SQL, SQLite walks every approved entry of the database
    # through the status index: the time grew with the size of the data, not of the page.)
    values = IndicatorValue.objects.select_related("entry")
    entries = (
        MonthlyEntry.objects.select_related("unit")
        .annotate(evidence_n=Count("evidence"))
        .order_by("unit__order", "unit__name", "month")
    )
    items = items.prefetch_related(
        Prefetch("host_units", queryset=Unit.objects.order_by("order", "name")),
        Prefetch(
            "indicators",
            queryset=Indicator.objects.order_by("order").prefetch_related(
                Prefetch("values", queryset=values, to_attr="values_read")
            ),
        ),
        Prefetch("entries", queryset=entries, to_attr="all_entries"),
    )
    item_list = list(items)
    history: dict[int, list[ItemChange]] = defaultdict(list)
    if with_history and item_list:
        historical = Item.history.model
        for record in (
            historical.objects.filter(id__in=[i.pk for i in item_list])
            .select_related("history_user")
            .order_by("-history_date", "-history_id")
        ):
            user = record.history_user
            history[record.id].append(
                ItemChange(
                    when=record.history_date,
                    who=(user.get_full_name() or user.get_username()) if user else "",
                    reason=reason_text(record.history_change_reason or ""),
                    kind=gettext(HISTORY_KINDS.get(record.history_type, record.history_type)),
                )
            )

    # Translated once, not once an entry.
    status_labels = {value: str(label) for value, label in MonthlyEntry.Status.choices}
    rows = []
    for item in item_list:
        method = item.method
        strategy = method.strategy
        dimension = strategy.dimension
        hosts = list(item.host_units.all())
        months: dict[int, set[int]] = defaultdict(set)
        entry_lines = []
        for entry in item.all_entries:
            if entry.status in COUNTED:
                months[entry.unit_id].add(entry.month)
            entry_lines.append(
                EntryLine(
                    pk=entry.pk,
                    unit=entry.unit.name,
                    unit_id=entry.unit_id,
                    month=entry.month,
                    status=entry.status,
                    status_label=status_labels[entry.status],
                    evidence=entry.evidence_n,
                )
            )
        rows.append(
            ReviewRow(
                item=item,
                dimension_number=dimension.number,
                dimension=gettext("構面%(label)s：%(name)s")
                % {"label": dimension.label, "name": dimension.name},
                strategy=strategy.title,
                method=method.title,
                title=item.title,
                host_label=item.host_label,
                host_units=[u.name for u in hosts],
                planned_actions=item.planned_actions,
                results=item.results,
                indicators=[
                    indicator_line(
                        i,
                        [
                            v
                            for v in i.values_read
                            if v.entry.status == MonthlyEntry.Status.APPROVED
                        ],
                    )
                    for i in _with_approved_values(item)
                ],
                completeness=[UnitCompleteness(u.name, len(months[u.pk])) for u in hosts],
                evidence_count=sum(e.evidence for e in entry_lines),
                entries=entry_lines,
                history=history.get(item.pk, [])[:10],
            )
        )
    return rows
