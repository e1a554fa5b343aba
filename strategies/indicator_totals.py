"""An indicator's year-to-date total from monthly entries, by its aggregation rule, and its
achievement against the target. Pure reads over entries already loaded: the entry form, My
work, the dashboards and the year-end results (strategies.services.results) all use it.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from strategies.models import Indicator, MonthlyEntry


@dataclass
class IndicatorTotal:
    indicator: Indicator
    actual: Decimal | None
    months_reported: int = 0

    @property
    def target(self) -> Decimal | None:
        return self.indicator.target

    @property
    def achievement(self) -> int | None:
        """Whole percent, rounded half up: 11 of 9 -> 122."""
        return achievement_percent(self.actual, self.target)

    @property
    def is_short(self) -> bool:
        return self.target is not None and self.target > 0 and (self.actual or 0) < self.target


def achievement_percent(actual: Decimal | None, target: Decimal | None) -> int | None:
    if actual is None or target is None or target <= 0:
        return None
    return int((Decimal(actual) * 100 / Decimal(target)).quantize(Decimal(1), ROUND_HALF_UP))


def total_for(indicator: Indicator, entries: Sequence[MonthlyEntry]) -> IndicatorTotal:
    """The indicator's total over the entries, by its rule. Sum: every month of every unit.
    Latest: each unit's latest reported month (a running total), added across units."""
    per_unit: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    for entry in entries:
        for value in entry.values.all():
            if value.indicator_id == indicator.pk:
                per_unit[entry.unit_id].append((entry.month, value.value))
    months = sum(len(v) for v in per_unit.values())
    if not months:
        return IndicatorTotal(indicator=indicator, actual=None, months_reported=0)
    if indicator.aggregation == Indicator.Aggregation.LATEST:
        actual = sum((max(v)[1] for v in per_unit.values()), Decimal(0))
    else:
        actual = sum((val for v in per_unit.values() for _, val in v), Decimal(0))
    return IndicatorTotal(indicator=indicator, actual=actual, months_reported=months)
