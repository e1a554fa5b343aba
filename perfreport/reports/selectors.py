"""The year-end report's data: one selector, a fixed number of queries, every format renders it.

`build_report(year)` reads the organization, year, score sheet and bands (one query), then the
dimensions, strategies, methods, items, their host units, indicators and scores (one query each),
and the organization's units (one query); with `include_entries=True` also the monthly entries and
their indicator values (two more). The number does not depend on the size of the plan.

All display strings (numbering labels, cell texts, rowspans) are computed here once, so the HTML
page, the PDF, the workbook, the ODF sheet and the JSON file cannot disagree.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import Model, Prefetch
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from scoring import rounds
from scoring.charts import score_chart_svg
from scoring.grades import Bands, Grade, grade_for
from scoring.models import DimensionScore, GradeBands, ScoreSheet
from scoring.selectors import SheetData, score_sheet_data
from strategies import number_format, numbering
from strategies.models import (
    Dimension,
    Indicator,
    IndicatorValue,
    Item,
    Method,
    MonthlyEntry,
    Strategy,
    Unit,
    Year,
)

Round = DimensionScore.Round
DRAFT_LABEL = gettext_noop("草稿／未發布")


@dataclass
class UnitData:
    name: str
    kind: str
    order: int
    is_active: bool


@dataclass(slots=True)
class EntryData:
    unit: str
    month: int
    status: str
    narrative: str
    return_reason: str
    submitted_at: str | None
    approved_at: str | None
    values: list[tuple[int, Decimal]]  # (indicator order, value)


@dataclass
class IndicatorData:
    order: int
    name: str
    measure: str
    target: Decimal | None
    aggregation: str
    allows_decimals: bool
    reported_actual: Decimal | None
    instance: Indicator | None = None  # the row itself: the JSON report reads its fields


@dataclass
class ItemData:
    order: int
    label: str  # "(1)" when the method has more than one item, else ""
    title: str
    host_label: str
    host_units: list[str]
    planned_actions: str
    results: str
    shortfall_note: str
    is_retired: bool
    indicators: list[IndicatorData]
    entries: list[EntryData]
    # The year-end text's state (strategies.year_end) and the item it belongs to, for pages
    # that show the state beside the text; documents built from JSON have neither.
    results_state: str = ""
    item_id: int | None = None
    instance: Item | None = None  # the row itself: the JSON report reads its fields

    @property
    def results_state_label(self) -> str:
        return str(Item.ResultsState(self.results_state).label) if self.results_state else ""

    @property
    def text(self) -> str:
        """The item's cell next to its method: "(1)網站應以使用者為導向設計…"."""
        return f"{self.label}{self.title}".strip()


@dataclass
class MethodData:
    order: int
    label: str  # "1." when the strategy has more than one method, else ""
    title: str
    description: str
    is_retired: bool
    items: list[ItemData]
    instance: Method | None = None  # the row itself: the JSON report reads its fields

    @property
    def heading(self) -> str:
        return f"{self.label}{self.title}"

    @property
    def text(self) -> str:
        """The method's cell: numbered title, then its description on the next line."""
        return f"{self.heading}\n{self.description}" if self.description else self.heading

    @property
    def has_item_column(self) -> bool:
        """Does any reported item show its own "(1)…" cell? If not the method spans both columns."""
        return any(item.text for item in self.reported_items)

    @property
    def reported_items(self) -> list[ItemData]:
        return [item for item in self.items if not item.is_retired]


@dataclass
class StrategyData:
    order: int
    label: str  # "(一)"
    title: str
    is_retired: bool
    methods: list[MethodData]
    instance: Strategy | None = None  # the row itself: the JSON report reads its fields

    @property
    def text(self) -> str:
        return f"{self.label}{self.title}"


@dataclass
class Row:
    """One table row = one reported item, with the spanning cells that start on it."""

    strategy: StrategyData | None  # set on the strategy's first row
    strategy_rowspan: int
    method: MethodData | None  # set on the method's first row
    method_rowspan: int
    method_has_item_column: bool
    item: ItemData


@dataclass
class ScoreData:
    score: Decimal
    comment: str
    instance: DimensionScore | None = None  # the row itself: the JSON report reads its fields


@dataclass
class DimensionData:
    number: int
    label: str  # "一"
    name: str
    max_score: Decimal
    strategies: list[StrategyData]
    scores: dict[str, ScoreData]  # by round: "self", "review"
    rows: list[Row] = field(default_factory=list)
    instance: Dimension | None = None  # the row itself: the JSON report reads its fields

    @property
    def heading(self) -> str:
        """構面一：基礎服務 (200 分)"""
        return gettext("構面%(label)s：%(name)s (%(max)s 分)") % {
            "label": self.label,
            "name": self.name,
            "max": number_format.plain(self.max_score),
        }

    @property
    def short_heading(self) -> str:
        """一、基礎服務(200 分), the score sheet's column head."""
        return gettext("%(label)s、%(name)s(%(max)s 分)") % {
            "label": self.label,
            "name": self.name,
            "max": number_format.plain(self.max_score),
        }


@dataclass
class ScoreRound:
    """One line of the score sheet: a round's scores, total and grade."""

    round: str
    scores: list[Decimal | None]
    total: Decimal | None
    grade: str

    @property
    def label(self) -> str:
        """自評 or 複評, in the language active when it is read (an export reads it in Chinese)."""
        return str(Round(self.round).label)

    @property
    def complete(self) -> bool:
        return all(score is not None for score in self.scores)

    @property
    def score_texts(self) -> list[str]:
        return [number_format.plain(score) for score in self.scores]

    @property
    def total_text(self) -> str:
        return number_format.plain(self.total)


@dataclass
class ReportData:
    organization_code: str
    organization_name: str
    organization_short_name: str
    parent_code: str
    parent_name: str
    parent_short_name: str
    roc_year: int
    year_status: str
    deadline_day: int
    units: list[UnitData]
    dimensions: list[DimensionData]
    bands: Bands
    assessed_by: str
    assessed_roc_year: int | None
    assessed_month: int | None
    rounds: list[ScoreRound]
    includes_entries: bool
    score_sheet: SheetData  # drawn by scoring.charts as the score sheet's chart
    # Draft or issued: every format reads these three. `version` is set only when the render is
    # an issued version (by the issuing job, after sign-off); any other render is a draft.
    version: int | None = None
    signed_off_at: datetime | None = None
    # The auditor's review round is in the data (signed off, or a reader who may see it).
    includes_review: bool = True

    @property
    def chart_svg(self) -> str:
        """The score sheet's chart, inline SVG, in the language active when it is drawn."""
        return score_chart_svg(self.score_sheet)

    @property
    def is_draft(self) -> bool:
        return self.version is None

    def forget_entries(self) -> None:
        """Drop the monthly entries (a quarter of a million at 100x the seed) once the formats
        that carry them are written: the documents do not need them, and the memory they free
        is what the next format's renderer reuses."""
        for dimension in self.dimensions:
            for strategy in dimension.strategies:
                for method in strategy.methods:
                    for item in method.items:
                        item.entries = []
        self.includes_entries = False

    @property
    def signed_off_date(self) -> str:
        """The sign-off's date in the organization's time zone, "2024-01-15", or ""."""
        if self.signed_off_at is None:
            return ""
        return timezone.localtime(self.signed_off_at).date().isoformat()

    @property
    def issue_label(self) -> str:
        """The mark on every page or sheet: "草稿／未發布" or "第 2 版．2024-01-15 完成複評發布"."""
        if self.is_draft:
            return gettext(DRAFT_LABEL)
        date = self.signed_off_date
        if date:
            return gettext("第 %(version)s 版．%(date)s 完成複評發布") % {
                "version": self.version,
                "date": date,
            }
        return gettext("第 %(version)s 版") % {"version": self.version}

    @property
    def file_suffix(self) -> str:
        """ "-draft" for a draft, "-v2" for issued version 2."""
        return "-draft" if self.is_draft else f"-v{self.version}"

    @property
    def file_stem(self) -> str:
        """The name offered to the browser: 高雄分局112年度提升服務效能執行績效與成果-v1."""
        name = self.organization_short_name or self.organization_name
        return f"{name}{self.roc_year}年度提升服務效能執行績效與成果{self.file_suffix}"

    @property
    def ascii_file_stem(self) -> str:
        """Its ASCII fallback (and the name on disk): khh-112-service-performance-v1."""
        return f"{self.slug}{self.file_suffix}"

    @property
    def title(self) -> str:
        """經濟部標準檢驗局高雄分局 112 年度提升服務效能執行績效與成果"""
        return gettext("%(org)s %(year)s 年度提升服務效能執行績效與成果") % {
            "org": self.organization_name,
            "year": self.roc_year,
        }

    @property
    def score_sheet_title(self) -> str:
        """The seed names the assessing agency (the parent) in the score sheet's title."""
        agency = self.parent_name or self.organization_name
        return gettext("%(org)s %(year)s 年度提升服務效能自行考核結果統計表") % {
            "org": agency,
            "year": self.roc_year,
        }

    @property
    def assessed_month_label(self) -> str:
        if self.assessed_roc_year is None or self.assessed_month is None:
            return ""
        return numbering.roc_month(self.assessed_roc_year, self.assessed_month)

    @property
    def final(self) -> ScoreRound | None:
        """The round the report's total and grade come from: the review once it is complete,
        otherwise the self-assessment (the 112 report was self-assessed)."""
        by_round = {r.round: r for r in self.rounds}
        review = by_round.get(Round.REVIEW)
        return by_round.get(rounds.counted_round(review.scores if review else []))

    @property
    def total(self) -> Decimal | None:
        final = self.final
        return final.total if final else None

    @property
    def grade(self) -> str:
        final = self.final
        return final.grade if final else ""

    @property
    def total_text(self) -> str:
        return number_format.plain(self.total)

    @property
    def max_total_text(self) -> str:
        return number_format.plain(self.max_total)

    @property
    def legend(self) -> str:
        return self.bands.legend()

    @property
    def max_total(self) -> Decimal:
        return sum((d.max_score for d in self.dimensions), Decimal(0))

    @property
    def slug(self) -> str:
        return f"{self.organization_code}-{self.roc_year}-service-performance"

    def rows(self) -> list[tuple[DimensionData, Row]]:
        return [(dimension, row) for dimension in self.dimensions for row in dimension.rows]


def _layout(dimension: DimensionData) -> None:
    """Fill the dimension's rows: one per reported item, with strategy and method rowspans."""
    rows: list[Row] = []
    for strategy in dimension.strategies:
        if strategy.is_retired:
            continue
        strategy_rows: list[Row] = []
        for method in strategy.methods:
            if method.is_retired:
                continue
            items = method.reported_items
            has_item_column = method.has_item_column
            for position, item in enumerate(items):
                strategy_rows.append(
                    Row(
                        strategy=None,
                        strategy_rowspan=0,
                        method=method if position == 0 else None,
                        method_rowspan=len(items) if position == 0 else 0,
                        method_has_item_column=has_item_column,
                        item=item,
                    )
                )
        if strategy_rows:
            strategy_rows[0].strategy = strategy
            strategy_rows[0].strategy_rowspan = len(strategy_rows)
        rows.extend(strategy_rows)
    dimension.rows = rows


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def build_report(
    year: Year,
    *,
    include_entries: bool = False,
    include_unsigned_review: bool = False,
    version: int | None = None,
) -> ReportData:
    """The whole report of one organization-year.

    The auditor's review (scores, comments, and the total and grade it gives) is in the report
    once the year is signed off, before that only with `include_unsigned_review` (the reader
    may see a review in progress: `strategies.access.can_see_unsigned_review`). `version` marks
    the render as that issued version; without it the report is a draft.

    Queries: year with organization and parent (1), score sheet (1), bands (1), units (1),
    dimensions (1), strategies (1), methods (1), items (1), host units (1), indicators (1),
    scores (1) = 11; the score chart through scoring.selectors.score_sheet_data (6) = 17;
    with entries, + monthly entries (1) + indicator values (1) = 19. Fixed for any plan size.
    """
    year = (
        Year.objects.select_related("organization", "organization__parent")
        .only(
            "roc_year",
            "status",
            "deadline_day",
            "organization__code",
            "organization__name",
            "organization__short_name",
            "organization__parent__code",
            "organization__parent__name",
            "organization__parent__short_name",
        )
        .get(pk=year.pk)
    )
    organization = year.organization
    parent = organization.parent
    sheet = ScoreSheet.objects.filter(year=year).first()
    bands_row = GradeBands.objects.filter(year=year).first()
    units = list(Unit.objects.filter(organization=organization).order_by("order", "name"))

    dimensions = list(Dimension.objects.filter(year=year).order_by("number"))
    strategies = list(Strategy.objects.filter(dimension__year=year).order_by("dimension", "order"))
    methods = list(
        Method.objects.filter(strategy__dimension__year=year).order_by("strategy", "order")
    )
    items = list(
        Item.objects.filter(method__strategy__dimension__year=year)
        .order_by("method", "order")
        .prefetch_related(Prefetch("host_units", queryset=Unit.objects.order_by("order", "name")))
    )
    indicators = list(
        Indicator.objects.filter(item__method__strategy__dimension__year=year).order_by(
            "item", "order"
        )
    )
    signed_off_at = sheet.signed_off_at if sheet is not None else None
    if not rounds.is_signed_off(status=year.status, signed_off_at=signed_off_at):
        signed_off_at = None
    includes_review = signed_off_at is not None or include_unsigned_review
    score_query = DimensionScore.objects.filter(dimension__year=year)
    if not includes_review:
        score_query = score_query.exclude(round=Round.REVIEW)
    scores = list(score_query)

    entries_by_item: dict[int, list[EntryData]] = defaultdict(list)
    if include_entries:
        indicator_order = {indicator.pk: indicator.order for indicator in indicators}
        # Plain rows through a cursor, not model instances: a year at 100x the seed has a
        # quarter of a million entries.
        values_by_entry: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
        for entry_id, indicator_id, value in (
            IndicatorValue.objects.filter(entry__item__method__strategy__dimension__year=year)
            .order_by("entry", "indicator__order")
            .values_list("entry_id", "indicator_id", "value")
            .iterator(chunk_size=10_000)
        ):
            values_by_entry[entry_id].append((indicator_order[indicator_id], value))
        unit_names = {unit.pk: unit.name for unit in units}
        for pk, item_id, unit_id, month, status, narrative, reason, submitted, approved in (
            MonthlyEntry.objects.filter(item__method__strategy__dimension__year=year)
            .order_by("item", "unit__order", "unit__name", "month")
            .values_list(
                "pk",
                "item_id",
                "unit_id",
                "month",
                "status",
                "narrative",
                "return_reason",
                "submitted_at",
                "approved_at",
            )
            .iterator(chunk_size=10_000)
        ):
            entries_by_item[item_id].append(
                EntryData(
                    unit=unit_names[unit_id],
                    month=month,
                    status=status,
                    narrative=narrative,
                    return_reason=reason,
                    submitted_at=_iso(submitted),
                    approved_at=_iso(approved),
                    values=values_by_entry.pop(pk, []),
                )
            )

    indicators_by_item: dict[int, list[IndicatorData]] = defaultdict(list)
    for indicator in indicators:
        indicators_by_item[indicator.item_id].append(
            IndicatorData(
                order=indicator.order,
                name=indicator.name,
                measure=indicator.measure,
                target=indicator.target,
                aggregation=indicator.aggregation,
                allows_decimals=indicator.allows_decimals,
                reported_actual=indicator.reported_actual,
                instance=indicator,
            )
        )

    items_by_method: dict[int, list[Item]] = defaultdict(list)
    for item in items:
        items_by_method[item.method_id].append(item)
    methods_by_strategy: dict[int, list[Method]] = defaultdict(list)
    for method in methods:
        methods_by_strategy[method.strategy_id].append(method)
    strategies_by_dimension: dict[int, list[Strategy]] = defaultdict(list)
    for strategy in strategies:
        strategies_by_dimension[strategy.dimension_id].append(strategy)
    scores_by_dimension: dict[int, dict[str, ScoreData]] = defaultdict(dict)
    for score in scores:
        scores_by_dimension[score.dimension_id][score.round] = ScoreData(
            score.score, score.comment, score
        )

    def numbered[T: Model](
        objects: Sequence[T], is_retired: Callable[[T], bool]
    ) -> list[tuple[T, int, int]]:
        """(object, position, siblings): retired objects keep no number, so the rest renumber."""
        position = numbering.positions((o.pk, is_retired(o)) for o in objects)
        live = len(position)
        return [(o, *position.get(o.pk, (0, live))) for o in objects]

    dimension_data: list[DimensionData] = []
    for dimension in dimensions:
        strategy_data = []
        for strategy, s_pos, _s_count in numbered(
            strategies_by_dimension[dimension.pk], lambda s: s.is_retired
        ):
            method_data = []
            for method, m_pos, m_count in numbered(
                methods_by_strategy[strategy.pk], lambda m: m.is_retired
            ):
                item_data = []
                for item, i_pos, i_count in numbered(
                    items_by_method[method.pk], lambda i: i.is_retired
                ):
                    item_data.append(
                        ItemData(
                            order=item.order,
                            label=numbering.item_label(i_pos, i_count) if i_pos else "",
                            title=item.title,
                            host_label=item.host_label,
                            host_units=[unit.name for unit in item.host_units.all()],
                            planned_actions=item.planned_actions,
                            results=item.results,
                            shortfall_note=item.shortfall_note,
                            is_retired=item.is_retired,
                            indicators=indicators_by_item[item.pk],
                            entries=entries_by_item[item.pk],
                            results_state=item.results_state,
                            item_id=item.pk,
                            instance=item,
                        )
                    )
                method_data.append(
                    MethodData(
                        order=method.order,
                        label=numbering.method_label(m_pos, m_count) if m_pos else "",
                        title=method.title,
                        description=method.description,
                        is_retired=method.is_retired,
                        items=item_data,
                        instance=method,
                    )
                )
            strategy_data.append(
                StrategyData(
                    order=strategy.order,
                    label=numbering.strategy_label(s_pos) if s_pos else "",
                    title=strategy.title,
                    is_retired=strategy.is_retired,
                    methods=method_data,
                    instance=strategy,
                )
            )
        data = DimensionData(
            number=dimension.number,
            label=dimension.label,
            name=dimension.name,
            max_score=dimension.max_score,
            strategies=strategy_data,
            scores=scores_by_dimension[dimension.pk],
            instance=dimension,
        )
        _layout(data)
        dimension_data.append(data)

    bands = bands_row.as_bands() if bands_row else Bands()
    score_rounds: list[ScoreRound] = []
    for round_value in Round.values:
        line = [
            d.scores[round_value].score if round_value in d.scores else None for d in dimension_data
        ]
        if all(score is None for score in line):
            continue
        complete = all(score is not None for score in line)
        total = sum((s for s in line if s is not None), Decimal(0)) if complete else None
        grade: Grade | str = grade_for(total, bands) if total is not None else ""
        score_rounds.append(
            ScoreRound(
                round=round_value,
                scores=line,
                total=total,
                grade=str(grade),
            )
        )

    return ReportData(
        organization_code=organization.code,
        organization_name=organization.name,
        organization_short_name=organization.short_name,
        parent_code=parent.code if parent else "",
        parent_name=parent.name if parent else "",
        parent_short_name=parent.short_name if parent else "",
        roc_year=year.roc_year,
        year_status=year.status,
        deadline_day=year.deadline_day,
        units=[UnitData(u.name, u.kind, u.order, u.is_active) for u in units],
        dimensions=dimension_data,
        bands=bands,
        assessed_by=sheet.assessed_by if sheet else "",
        assessed_roc_year=sheet.assessed_roc_year if sheet else None,
        assessed_month=sheet.assessed_month if sheet else None,
        rounds=score_rounds,
        includes_entries=include_entries,
        score_sheet=score_sheet_data(year, include_unsigned_review=include_unsigned_review),
        version=version,
        signed_off_at=signed_off_at,
        includes_review=includes_review,
    )
