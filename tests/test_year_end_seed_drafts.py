"""The draft reads like the seed's results column.

Each of the seed's 47 items gets approved months whose narratives are the seed's own
paragraphs (month-prefixed, the first one repeated every month, as people write) and whose
values add up to the seed's figures; the draft must give back the seed's paragraphs, word for
word, and each figure as the seed writes it, with the indicator's own measure word.
"""

import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import User

from strategies.models import IndicatorValue, Item, MonthlyEntry, Year
from strategies.number_format import grouped
from strategies.services import entries as entry_services
from strategies.services import results

Aggregation = "latest"


def seed_figure(text: str) -> str:
    return re.sub(r"[\s,]", "", text)


def month_values(actual: Decimal, months: int, aggregation: str) -> list[Decimal]:
    """Split the year's figure over the months: sums add up to it, a running count ends on it."""
    if aggregation == Aggregation:
        return [actual * m // months for m in range(1, months)] + [actual]
    share = (actual // months).to_integral_value()
    return [actual - share * (months - 1)] + [share] * (months - 1)


def feed_months(item: Item) -> int:
    """Approved months for the item's first host unit, built from the seed's own text."""
    paragraphs = item.results.split("\n")
    months = max(len(paragraphs), 3)
    unit = item.host_units.order_by("order").first()
    indicators = list(item.indicators.all())
    values = {i.pk: month_values(i.reported_actual, months, i.aggregation) for i in indicators}
    for month in range(1, months + 1):
        text = paragraphs[month - 1] if month <= len(paragraphs) else ""
        if month > 1:
            text = f"{text}\n{paragraphs[0]}"  # said again: must not be written twice
        entry = MonthlyEntry.objects.create(
            item=item,
            unit=unit,
            month=month,
            narrative=f"{month} 月：{text}",
            status=MonthlyEntry.Status.APPROVED,
        )
        IndicatorValue.objects.bulk_create(
            IndicatorValue(entry=entry, indicator=i, value=values[i.pk][month - 1])
            for i in indicators
        )
    return months


@pytest.fixture
def drafts(seed):
    year = Year.objects.get(roc_year=112)
    items = list(Item.objects.filter(method__strategy__dimension__year=year).order_by("pk"))
    for item in items:
        feed_months(item)
    compiled = results.compile_items(results.compilable_items(year))
    return {c.item.pk: (c.item, c) for c in compiled}


def test_the_draft_gives_back_the_seed_paragraphs_and_figures(drafts):
    assert len(drafts) == 47
    for item, compiled in drafts.values():
        lines = compiled.text.split("\n")
        paragraphs = item.results.split("\n")
        # The seed's paragraphs, in order, each once, no month prefix.
        assert lines[: len(paragraphs)] == paragraphs, item.pk
        indicators = list(item.indicators.all())
        if not indicators:
            assert len(lines) == len(paragraphs)
            continue
        assert len(lines) == len(paragraphs) + 1
        figures = lines[-1]
        seed_cell = seed_figure(item.results)
        for total in compiled.totals:
            indicator = total.indicator
            assert total.actual == indicator.reported_actual, indicator.name
            written = f"{grouped(total.actual)} {indicator.measure}"
            # The figure as the seed writes it (its thousands commas and spaces aside) ...
            assert seed_figure(written) in seed_cell, (item.pk, written)
            # ... and the draft's sentence for it.
            assert f"{indicator.name}計 {written}" in figures


FIGURE_SENTENCES = [
    ("專業教育訓練", "專業教育訓練計 11 場次（目標 9 場次，達成率 122%）。"),
    ("能力試驗比對", "能力試驗比對計 4 場次（目標 3 場次，達成率 133%）。"),
    ("環境教育課程", "環境教育課程計 5 梯次。"),
    ("電話禮貌測試", "電話禮貌測試計 78 人次（目標 52 人次，達成率 150%）。"),
    ("電話聯繫業者檢定時間", "電話聯繫業者檢定時間計 1,910 家。"),
    # The seed: "獲證比率為150%(年度目標值2家)".
    (
        "取得優良計量管理標章量販商行",
        "取得優良計量管理標章量販商行計 3 家（目標 2 家，達成率 150%）。",
    ),
    ("TRACES 縮減時間", "TRACES 縮減時間計 36.5 小時。"),
    ("資訊公開專區資訊目錄", "資訊公開專區資訊目錄計 16 項。"),
    ("免附型式認可證書影本", "免附型式認可證書影本計 354 件。"),  # the seed's own sentence
]


def test_figure_sentences(drafts):
    for name, sentence in FIGURE_SENTENCES:
        texts = [
            c.text
            for _item, c in drafts.values()
            if any(t.indicator.name == name for t in c.totals)
        ]
        assert any(sentence in text for text in texts), name


def test_approving_a_seed_month_updates_the_report_text(seed):
    """Through the services, on the seed's own item 一(一)3, with the demo head and staff."""
    year = Year.objects.get(roc_year=112)
    Year.objects.filter(pk=year.pk).update(status=Year.Status.OPEN)
    staff = User.objects.get(username="metrology-staff")
    head = User.objects.get(username="metrology-head")
    item = Item.objects.get(
        method__strategy__dimension__number=1, method__strategy__order=1, method__order=3
    )
    training = item.indicators.get(name="專業教育訓練")
    for month, count in [(1, 5), (2, 6)]:
        entry = entry_services.save_entry(
            user=staff,
            item=item,
            unit=staff.membership.unit,
            month=month,
            version=0,
            narrative="辦理各類專業教育訓練,強化服務流程及相關法規之專業與熟悉程度。",
            values={training.pk: count},
            submit=True,
            confirm_outliers=True,
        )
        entry_services.approve_entry(user=head, entry=entry, version=entry.version)
    item.refresh_from_db()
    # The seed's text was imported; a person's text is never overwritten: it is marked stale.
    assert item.results_state == Item.ResultsState.STALE
    assert item.results.startswith("1.辦理各類專業教育訓練")
    assert item.results_draft.split("\n") == [
        "辦理各類專業教育訓練,強化服務流程及相關法規之專業與熟悉程度。",
        "專業教育訓練計 11 場次（目標 9 場次，達成率 122%）。",
    ]
