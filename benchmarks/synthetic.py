"""A synthetic year shaped like the 112 report, at any multiple of its size.

Used by the report tests (query counts must not grow with the plan) and by the benchmark.
At scale 1: 5 dimensions, 11 strategies, 23 methods, 47 items, as the seed; scale 10 repeats
every dimension's strategies ten times (470 items)."""

from decimal import Decimal

from django.db import transaction

from scoring.models import DimensionScore, GradeBands, ScoreSheet
from strategies import tallies
from strategies.models import (
    Dimension,
    Indicator,
    IndicatorValue,
    Item,
    Method,
    MonthlyEntry,
    Organization,
    Strategy,
    Unit,
    Year,
)

DIMENSIONS = [
    (1, "基礎服務", 200, 184),
    (2, "服務遞送", 300, 284),
    (3, "服務量能", 200, 182),
    (4, "服務評價", 200, 186),
    (5, "開放創新", 100, 84),
]
# Per dimension, per strategy: the number of items of each method (the seed's shape).
SHAPE = {
    1: [[1, 1, 1], [6, 8, 2, 3]],
    2: [[1, 3, 1, 5], [1, 1, 1], [1, 1]],
    3: [[1], [1]],
    4: [[2, 1], [3]],
    5: [[1], [1]],
}
UNITS = [
    ("秘書室", Unit.Kind.SECRETARIAT),
    ("度量衡科", Unit.Kind.SECTION),
    ("報驗發證科", Unit.Kind.SECTION),
    ("金門辦事處", Unit.Kind.OFFICE),
    ("澎湖辦事處", Unit.Kind.OFFICE),
    ("研考", Unit.Kind.OTHER),
]
RESULTS = (
    "辦理各類專業教育訓練，強化服務流程及相關法規之專業與熟悉程度，計 {n} 場次。\n"
    "參加能力試驗比對等 4 場次，結果均為滿意。"
)
PLANNED = (
    "辦理各類專業教育訓練，預計舉辦 9 場次教育訓練；實驗室參加能力比對計畫，年度預計參加 3 場次。"
)


@transaction.atomic
def build_year(
    organization: Organization,
    roc_year: int,
    *,
    scale: int = 1,
    status: str = Year.Status.CLOSED,
    with_entries: bool = False,
    score_round: str = DimensionScore.Round.SELF,
) -> Year:
    """Create the year with its plan, one indicator per item, scores 184/284/182/186/84 in
    `score_round`, seed bands and a score sheet assessed by the organization in 113.1."""
    units = []
    for order, (name, kind) in enumerate(UNITS, start=1):
        unit, _created = Unit.objects.get_or_create(
            organization=organization, name=name, defaults={"kind": kind, "order": order}
        )
        units.append(unit)
    year = Year.objects.create(organization=organization, roc_year=roc_year, status=status)
    GradeBands.objects.create(year=year)
    ScoreSheet.objects.create(
        year=year,
        assessed_by=organization.short_name,
        assessed_roc_year=roc_year + 1,
        assessed_month=1,
    )
    counter = 0
    for number, name, max_score, score in DIMENSIONS:
        dimension = Dimension.objects.create(
            year=year, number=number, name=name, max_score=max_score
        )
        DimensionScore.objects.create(dimension=dimension, round=score_round, score=Decimal(score))
        shape = SHAPE[number] * scale
        strategies = Strategy.objects.bulk_create(
            Strategy(dimension=dimension, order=s, title=f"服務策略{number}-{s}")
            for s in range(1, len(shape) + 1)
        )
        methods = Method.objects.bulk_create(
            Method(
                strategy=strategy,
                order=m,
                title=f"執行方法{number}-{strategy.order}-{m}",
                description="瞭解民眾需求，檢討既有服務措施，並運用多元策略，提升服務便捷度。",
            )
            for strategy, items in zip(strategies, shape, strict=True)
            for m in range(1, len(items) + 1)
        )
        method_items = [count for items in shape for count in items]
        new_items = []
        for method, count in zip(methods, method_items, strict=True):
            for i in range(1, count + 1):
                counter += 1
                new_items.append(
                    Item(
                        method=method,
                        order=i,
                        title=f"網站應以使用者為導向設計之子項 {i}" if count > 1 else "",
                        host_label="各科、辦事處",
                        planned_actions=PLANNED,
                        results=RESULTS.format(n=counter),
                    )
                )
        items = Item.objects.bulk_create(new_items)
        Through = Item.host_units.through
        Through.objects.bulk_create(
            Through(item_id=item.pk, unit_id=unit.pk) for item in items for unit in units[1:5]
        )
        indicators = Indicator.objects.bulk_create(
            Indicator(item=item, order=1, name="教育訓練", measure="場次", target=Decimal(9))
            for item in items
        )
        if with_entries:
            entries = MonthlyEntry.objects.bulk_create(
                MonthlyEntry(
                    item=item,
                    unit=units[1],
                    month=1,
                    narrative="1 月辦理 1 場次。",
                    status=MonthlyEntry.Status.APPROVED,
                )
                for item in items
            )
            IndicatorValue.objects.bulk_create(
                IndicatorValue(entry=entry, indicator=indicator, value=Decimal(1))
                for entry, indicator in zip(entries, indicators, strict=True)
            )
    tallies.mark_stale([year.pk])  # written in bulk: the dashboards recount when read
    return year


# A full year's statuses by month: most months approved, the recent ones still in the flow.
FILL_STATUSES = {
    **dict.fromkeys(range(1, 9), MonthlyEntry.Status.APPROVED),
    9: MonthlyEntry.Status.SUBMITTED,
    10: MonthlyEntry.Status.RETURNED,
    11: MonthlyEntry.Status.DRAFT,
}


def fill_entries(
    year: Year, *, months: tuple[int, ...] = tuple(range(1, 13)), batch: int = 5000
) -> int:
    """An entry with a value per indicator for every (item, host unit, month) of `months` that
    has none yet, written in bulk (no history rows): statuses by `FILL_STATUSES`, the months
    not in it left empty. Returns the number of entries created."""
    items = list(
        Item.objects.filter(method__strategy__dimension__year=year).prefetch_related(
            "host_units", "indicators"
        )
    )
    taken = set(
        MonthlyEntry.objects.filter(item__method__strategy__dimension__year=year).values_list(
            "item_id", "unit_id", "month"
        )
    )
    slots = [
        (item, unit, month)
        for item in items
        for unit in item.host_units.all()
        for month in months
        if month in FILL_STATUSES and (item.pk, unit.pk, month) not in taken
    ]
    created = 0
    with transaction.atomic():
        for start in range(0, len(slots), batch):
            chunk = slots[start : start + batch]
            entries = MonthlyEntry.objects.bulk_create(
                MonthlyEntry(
                    item=item,
                    unit=unit,
                    month=month,
                    narrative=f"{month} 月辦理 1 場次。",
                    status=FILL_STATUSES[month],
                    return_reason="請補充佐證。"
                    if FILL_STATUSES[month] == MonthlyEntry.Status.RETURNED
                    else "",
                )
                for item, unit, month in chunk
            )
            IndicatorValue.objects.bulk_create(
                IndicatorValue(entry=entry, indicator=indicator, value=Decimal(1))
                for entry, (item, _unit, _month) in zip(entries, chunk, strict=True)
                for indicator in item.indicators.all()
            )
            created += len(entries)
        # Written past the model: the year's stored dashboard counts are recounted when read.
        tallies.mark_stale([year.pk])
    return created
