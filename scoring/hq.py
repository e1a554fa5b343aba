"""Headquarters comparison (總局): every branch's dimension scores, total and grade per year,
the grade distribution per year, its chart (plain SVG) and the same data as a workbook.

One selector (`comparison`) feeds the page, the table, the chart and the workbook. The score of
a year follows the score sheet's rule: the review (複評) once every dimension has one, else the
self-assessment (自評); a year without a complete round has no total and no grade.
"""

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache, partial
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import django_tables2 as tables
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from scoring import rounds
from scoring.grades import SEED_BANDS, Bands, Grade, grade_for
from scoring.models import DimensionScore
from strategies import number_format
from strategies.models import Dimension, Organization, Year
from strategies.workbook import Properties, Sheet, write_xlsx

Round = DimensionScore.Round
GRADES = [str(g) for g in Grade]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class ComparisonRow:
    organization: str
    code: str
    roc_year: int
    status: str
    scores: tuple[Decimal | None, ...]  # dimensions 一 … 五
    total: Decimal | None
    grade: str
    round: str  # 自評 / 複評 / ""

    def as_dict(self) -> dict[str, object]:
        row: dict[str, object] = {
            "organization": self.organization,
            "code": self.code,
            "roc_year": self.roc_year,
            "status": self.status,
            "total": self.total,
            "grade": self.grade,
            "grade_rank": GRADES.index(self.grade) if self.grade else len(GRADES),
            "round": self.round,
        }
        for n, score in enumerate(self.scores, start=1):
            row[f"d{n}"] = score
        return row


@dataclass
class Comparison:
    rows: list[ComparisonRow]
    dimension_names: list[str]
    distribution: dict[int, Counter[str]] = field(default_factory=dict)  # roc year -> grades

    @property
    def years(self) -> list[int]:
        return sorted(self.distribution)


def _final(
    dimensions: list[int],
    scores: dict[tuple[int, str], Decimal],
    bands: Bands,
    with_review: Callable[[], bool],
    round_labels: Mapping[str, str],
) -> tuple[list[Decimal | None], Decimal | None, str, str]:
    """The year's counted round (the review once complete, else the self-assessment), its
    scores in dimension order, total, grade and round label (from `round_labels`, translated
    once per page). `scores`: (dimension pk, round). `with_review()` (may the reader count the
    review?) is asked only when a complete review would count: elsewhere its answer changes
    nothing."""
    by_round: dict[str, list[Decimal | None]] = {
        round_: [scores.get((dim, round_)) for dim in dimensions]
        for round_ in (Round.SELF, Round.REVIEW)
    }
    review = by_round[Round.REVIEW]
    if rounds.counted_round(review) == Round.REVIEW and not with_review():
        by_round[Round.REVIEW] = []  # a review the reader may not see yet does not count
    use = rounds.counted_round(by_round[Round.REVIEW])
    chosen = by_round[use]
    if not chosen or any(s is None for s in chosen):
        return chosen, None, "", ""
    total = sum((s for s in chosen if s is not None), Decimal(0))
    return chosen, total, str(grade_for(total, bands)), round_labels[use]


def _year_of_row(row: Mapping[str, Any], orgs: dict[int, Organization]) -> Year:
    """The year of a plain row with its organization, for the reader's access rule (no query)."""
    return Year(
        pk=row["pk"],
        roc_year=row["roc_year"],
        status=row["status"],
        organization=orgs[row["organization_id"]],
    )


def comparison(
    organizations: QuerySet[Organization],
    *,
    sees_unsigned_review: Callable[[Year], bool] = lambda year: False,
) -> Comparison:
    """Every year of the given organizations, newest first, organization by organization.
    A review that is not signed off counts only where `sees_unsigned_review(year)` (the reader
    may see it: strategies.access.can_see_unsigned_review); elsewhere the self-assessment does.

    Four queries of plain rows at most, however many organizations and years: years (with
    organization, bands and sign-off), dimensions, scores, and the years' organizations once
    the access rule is asked (a complete review not signed off). Labels are translated once,
    not once a row.
    """
    years = list(
        Year.objects.filter(organization__in=organizations)
        .order_by("-roc_year", "organization__code")
        .values(
            "pk",
            "roc_year",
            "status",
            "organization__short_name",
            "organization__code",
            "organization_id",
            "score_sheet__signed_off_at",
            "grade_bands__excellent_min",
            "grade_bands__a_min",
            "grade_bands__b_min",
            "grade_bands__c_min",
        )
    )
    year_ids = [y["pk"] for y in years]

    @cache
    def orgs() -> dict[int, Organization]:
        """The years' organizations, read once the access rule is first asked."""
        ids = {y["organization_id"] for y in years}
        return {o.pk: o for o in Organization.objects.filter(pk__in=ids)}

    def reader_counts_review(year: Mapping[str, Any], signed_off: bool) -> bool:
        return signed_off or sees_unsigned_review(_year_of_row(year, orgs()))

    dimensions: dict[int, list[int]] = {}
    names: list[str] = []
    for year_id, pk, number, name in (
        Dimension.objects.filter(year_id__in=year_ids)
        .order_by("year_id", "number")
        .values_list("year_id", "pk", "number", "name")
    ):
        dimensions.setdefault(year_id, []).append(pk)
        if year_ids and year_id == year_ids[0]:
            names.append(f"{Dimension(number=number).label}、{name}")
    scores = {
        (dimension_id, round_): score
        for dimension_id, round_, score in DimensionScore.objects.filter(
            dimension__year_id__in=year_ids
        ).values_list("dimension_id", "round", "score")
    }
    rows = []
    distribution: dict[int, Counter[str]] = {}
    # Labels translated once, not once a row; bands built once for each set of limits.
    status_labels = {value: str(label) for value, label in Year.Status.choices}
    round_labels = {value: str(label) for value, label in Round.choices}
    bands_of: dict[tuple[Decimal, ...], Bands] = {}
    for year in years:
        limits = (
            year["grade_bands__excellent_min"],
            year["grade_bands__a_min"],
            year["grade_bands__b_min"],
            year["grade_bands__c_min"],
        )
        bands = (
            SEED_BANDS
            if limits[0] is None  # a year without bands of its own
            else bands_of.get(limits) or bands_of.setdefault(limits, Bands(*limits))
        )
        signed_off = rounds.is_signed_off(
            status=year["status"], signed_off_at=year["score_sheet__signed_off_at"]
        )
        chosen, total, grade, round_label = _final(
            dimensions.get(year["pk"], []),
            scores,
            bands,
            partial(reader_counts_review, year, signed_off),
            round_labels,
        )
        rows.append(
            ComparisonRow(
                organization=year["organization__short_name"],
                code=year["organization__code"],
                roc_year=year["roc_year"],
                status=status_labels[year["status"]],
                scores=tuple(chosen),
                total=total,
                grade=grade,
                round=round_label,
            )
        )
        counts = distribution.setdefault(year["roc_year"], Counter())
        if grade:
            counts[grade] += 1
    return Comparison(rows, names or [f"構面{n}" for n in "一二三四五"], distribution)


# --- the sortable table ---------------------------------------------------------------------


class ScoreColumn(tables.Column):
    def render(self, value: object) -> object:
        return number_format.plain(value) if isinstance(value, Decimal) else value


class ComparisonTable(tables.Table):
    organization = tables.Column(verbose_name=_("機關"), order_by=("code",))
    roc_year = tables.Column(verbose_name=_("年度"))
    d1 = ScoreColumn(
        verbose_name=_("構面一"), attrs={"td": {"class": "num"}, "th": {"class": "num"}}
    )
    d2 = ScoreColumn(
        verbose_name=_("構面二"), attrs={"td": {"class": "num"}, "th": {"class": "num"}}
    )
    d3 = ScoreColumn(
        verbose_name=_("構面三"), attrs={"td": {"class": "num"}, "th": {"class": "num"}}
    )
    d4 = ScoreColumn(
        verbose_name=_("構面四"), attrs={"td": {"class": "num"}, "th": {"class": "num"}}
    )
    d5 = ScoreColumn(
        verbose_name=_("構面五"), attrs={"td": {"class": "num"}, "th": {"class": "num"}}
    )
    total = ScoreColumn(
        verbose_name=_("總分"), attrs={"td": {"class": "num"}, "th": {"class": "num"}}
    )
    grade = tables.Column(verbose_name=_("等第"), order_by=("grade_rank",))
    round = tables.Column(verbose_name=_("評分階段"))
    status = tables.Column(verbose_name=_("年度狀態"))

    class Meta:
        template_name = "scoring/hq_table.html"
        attrs = {"class": "hq-table", "id": "hq-table"}
        empty_text = _("尚無任何機關的分數。")


# --- the chart ------------------------------------------------------------------------------

GRADE_COLOURS = {
    "優": "#1e6b2f",
    "甲": "#0b5394",
    "乙": "#8a4b00",
    "丙": "#6d3a8c",
    "丁": "#a4161a",
}
FONT = "AR PL UKai TW, AR PL UMing TW, Noto Sans CJK TC, sans-serif"


def distribution_svg(data: Comparison) -> str:
    """Stacked bars: per year, how many organizations got each grade."""
    years = data.years
    width, left, top, bar_h, gap = 680, 90, 44, 26, 14
    height = top + len(years) * (bar_h + gap) + 6
    most = max((sum(data.distribution[y].values()) for y in years), default=1) or 1
    scale = (width - left - 40) / most
    parts = [f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>']
    x = left
    for grade in GRADES:  # legend
        parts.append(f'<rect x="{x}" y="10" width="14" height="14" fill="{GRADE_COLOURS[grade]}"/>')
        parts.append(f'<text x="{x + 18}" y="22" font-size="13" fill="#1b1b1b">{grade}</text>')
        x += 56
    for row, roc_year in enumerate(years):
        y = top + row * (bar_h + gap)
        parts.append(
            f'<text x="{left - 8}" y="{y + bar_h - 8}" font-size="13" text-anchor="end" '
            f'fill="#1b1b1b">{roc_year} 年度</text>'
        )
        bar_x = float(left)
        counts = data.distribution[roc_year]
        for grade in GRADES:
            n = counts.get(grade, 0)
            if not n:
                continue
            w = n * scale
            parts.append(
                f'<rect x="{bar_x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" '
                f'fill="{GRADE_COLOURS[grade]}"><title>{roc_year} 年度 {grade}：{n}</title></rect>'
            )
            parts.append(
                f'<text x="{bar_x + w / 2:.1f}" y="{y + bar_h - 8}" font-size="13" text-anchor="middle" '
                f'fill="#ffffff">{grade} {n}</text>'
            )
            bar_x += w
        if not counts:
            parts.append(
                f'<text x="{left}" y="{y + bar_h - 8}" font-size="13" fill="#4a4a4a">尚無完整分數</text>'
            )
    title = "各年度等第分布"
    desc = "；".join(
        f"{y} 年度：" + "、".join(f"{g} {data.distribution[y].get(g, 0)}" for g in GRADES)
        for y in years
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="hq-chart-title hq-chart-desc" '
        f"font-family={quoteattr(FONT)}>"
        f'<title id="hq-chart-title">{escape(title)}</title><desc id="hq-chart-desc">{escape(desc)}</desc>'
        + "".join(parts)
        + "</svg>"
    )


# --- the workbook ---------------------------------------------------------------------------


def comparison_xlsx(data: Comparison) -> tuple[str, str, bytes]:
    """(filename, content type, bytes): the comparison table and the grade distribution."""
    header = ["機關", "年度", *data.dimension_names, "總分", "等第", "評分階段", "年度狀態"]
    table = Sheet(name="各機關比較", widths=[14.0] * len(header), header_rows=1)
    for column, text in enumerate(header, start=1):
        table.put(1, column, text, "header")
    for number, row in enumerate(data.rows, start=2):
        values = [
            row.organization,
            row.roc_year,
            *row.scores,
            row.total,
            row.grade,
            row.round,
            row.status,
        ]
        for column, value in enumerate(values, start=1):
            table.put(number, column, value, "text" if isinstance(value, str) else "number")
    dist = Sheet(name="等第分布", widths=[14.0] * (len(GRADES) + 2), header_rows=1)
    for column, text in enumerate(["年度", *GRADES, "合計"], start=1):
        dist.put(1, column, text, "header")
    for number, roc_year in enumerate(data.years, start=2):
        counts = data.distribution[roc_year]
        values = [roc_year, *[counts.get(g, 0) for g in GRADES], sum(counts.values())]
        for column, value in enumerate(values, start=1):
            dist.put(number, column, value, "number")
    content = write_xlsx(
        [table, dist], Properties(title="各機關提升服務效能考核比較", organization="")
    )
    return "hq-comparison.xlsx", XLSX, content
