"""Year-end results (執行績效與成果 1-12 月) compiled from approved monthly entries.

The compiled text reads like the seed's results column: per host unit, the approved narratives
merged in month order (no month prefixes, no sentence twice), then each indicator's total by its
rule (sum of the months, or the latest value of a running total) as the seed writes figures,
with the achievement against the target (專業教育訓練計 11 場次（目標 9 場次，達成率 122%）。).
Nothing here writes: strategies.services.year_end keeps each item's draft current and decides
what happens to a text a person edited.
"""

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal, TypedDict

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from django_stubs_ext import WithAnnotations

from strategies import number_format
from strategies.errors import DomainError
from strategies.indicator_totals import IndicatorTotal, total_for
from strategies.models import IndicatorValue, Item, MonthlyEntry, Unit, Year

RESULTS_MAX_LENGTH = 20000


@dataclass
class CompiledResults:
    item: Item
    text: str
    totals: list[IndicatorTotal] = field(default_factory=list)
    entry_count: int = 0

    @property
    def shortfalls(self) -> list[IndicatorTotal]:
        return [t for t in self.totals if t.is_short]


# A sentence ends at 。；;！!？? (several in a row stay together: "時間。;").
_SENTENCE = re.compile(r"[^。；;！!？?]*[。；;！!？?]+|[^。；;！!？?]+")
# "3 月：" / "3月份:" written at the start of a line: a label, not part of the narrative.
_MONTH_PREFIX = re.compile(r"^\s*\d{1,2}\s*月份?\s*[：:]\s*")


def _sentence_key(sentence: str) -> str:
    return re.sub(r"\s+", "", sentence).rstrip("。；;！!？?")


def merge_narratives(narratives: Iterable[str], seen: set[str] | None = None) -> list[str]:
    """The months' narratives as paragraphs, in the order given, without month prefixes and
    without a sentence already written earlier (compared without spaces and end marks).

    >>> merge_narratives(["1 月：訂定計畫。辦理 2 場次。", "訂定計畫。辦理 3 場次。"])
    ['訂定計畫。辦理 2 場次。', '辦理 3 場次。']
    """
    seen = set() if seen is None else seen
    paragraphs = []
    for narrative in narratives:
        for line in narrative.replace("\r\n", "\n").split("\n"):
            kept = []
            for sentence in _SENTENCE.findall(_MONTH_PREFIX.sub("", line)):
                key = _sentence_key(sentence)
                if not key or key in seen:
                    continue
                seen.add(key)
                kept.append(sentence)
            text = "".join(kept).strip()
            if text:
                paragraphs.append(text)
    return paragraphs


def indicator_sentence(total: IndicatorTotal) -> str:
    """The seed's way of writing a figure, with the indicator's own measure word:
    專業教育訓練計 11 場次（目標 9 場次，達成率 122%）。"""
    measure = total.indicator.measure
    assert total.actual is not None
    sentence = f"{total.indicator.name}計 {number_format.grouped(total.actual)} {measure}"
    if total.achievement is not None and total.target is not None:
        sentence += (
            f"（目標 {number_format.grouped(total.target)} {measure}，達成率 {total.achievement}%）"
        )
    return sentence + "。"


def compose_text(
    *, entries: Sequence[MonthlyEntry], units: Iterable[Unit], totals: Sequence[IndicatorTotal]
) -> str:
    """Per host unit (in the units' order), the approved narratives merged in month order
    (no repeated sentence, no month prefix), then one paragraph with each indicator's figure."""
    by_unit: dict[int, list[MonthlyEntry]] = defaultdict(list)
    for entry in entries:
        by_unit[entry.unit_id].append(entry)
    paragraphs: list[str] = []
    seen: set[str] = set()
    for unit in units:
        months = sorted(by_unit.get(unit.pk, []), key=lambda e: e.month)
        paragraphs += merge_narratives((e.narrative for e in months), seen)
    figures = "".join(indicator_sentence(t) for t in totals if t.actual is not None)
    if figures:
        paragraphs.append(figures)
    return "\n".join(paragraphs)


class ApprovedEntries(TypedDict):
    approved_entries: list[MonthlyEntry]


# An item with its approved months prefetched (`_approved_entries()`), as compile_items reads it
# (a lazy alias: WithAnnotations takes its second argument only under the type checker).
type CompilableItem = WithAnnotations[Item, ApprovedEntries]


def _approved_entries() -> Prefetch[
    Literal["entries"], QuerySet[MonthlyEntry], Literal["approved_entries"]
]:
    return Prefetch(
        "entries",
        queryset=MonthlyEntry.objects.filter(status=MonthlyEntry.Status.APPROVED)
        .order_by("month", "unit__order")
        .prefetch_related(Prefetch("values", queryset=IndicatorValue.objects.all())),
        to_attr="approved_entries",
    )


def compile_items(items: Iterable[CompilableItem]) -> list[CompiledResults]:
    """Compile each item (5 queries however many items: the items, their units, indicators,
    approved entries and their values; 4 while no entry is approved). Items must come from `compilable_items()` or a queryset like it."""
    compiled = []
    for item in items:
        entries = item.approved_entries
        totals = [total_for(ind, entries) for ind in item.indicators.all()]
        units = sorted(item.host_units.all(), key=lambda u: (u.order, u.name))
        compiled.append(
            CompiledResults(
                item=item,
                text=compose_text(entries=entries, units=units, totals=totals),
                totals=totals,
                entry_count=len(entries),
            )
        )
    return compiled


def compilable_items(year: Year) -> QuerySet[CompilableItem]:
    return (
        Item.objects.filter(method__strategy__dimension__year=year)
        .select_related("method__strategy__dimension")
        .prefetch_related("host_units", "indicators", _approved_entries())
        .order_by(
            "method__strategy__dimension__number",
            "method__strategy__order",
            "method__order",
            "order",
        )
    )


def compile_item(item: Item) -> CompiledResults:
    """The item's results as compiled now from its approved entries (nothing is written)."""
    fresh = (
        Item.objects.filter(pk=item.pk)
        .prefetch_related("host_units", "indicators", _approved_entries())
        .get()
    )
    return compile_items([fresh])[0]


def items_needing_explanation(year: Year) -> list[CompiledResults]:
    """Items of the year whose indicator total falls short of its target and that have no
    shortfall note yet: closing the year should require one (fixed query count)."""
    return [
        c
        for c in compile_items(compilable_items(year))
        if c.entry_count and c.shortfalls and not c.item.shortfall_note.strip()
    ]


def check_shortfalls_explained(year: Year) -> None:
    """Raise DomainError naming every item whose indicator total falls short of its target and
    that has no shortfall note: closing the year should call this first (fixed query count)."""
    # Imported here: the entry selectors import this module for their year-to-date totals.
    from strategies.selectors.entries import number_paths

    missing = items_needing_explanation(year)
    if not missing:
        return
    paths = number_paths(year)
    names = "、".join(paths.get(c.item.pk, str(c.item)) for c in missing)
    raise DomainError(
        _("下列項目的年度總計未達目標，結算前請先在「未達目標說明」寫明原因：%(names)s。")
        % {"names": names}
    )
