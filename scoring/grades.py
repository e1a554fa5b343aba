"""The grade rule: a pure function from a total and the year's bands to a grade (等第).

Bands are half-open: [優 min, 1000] 優, [甲 min, 優 min) 甲, ... [0, 丙 min) 丁.
With the seed's bands 899.5 is 甲 and 900 is 優.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from strategies import number_format

MAX_TOTAL = Decimal(1000)


class Grade(models.TextChoices):
    EXCELLENT = "優", _("優")
    A = "甲", _("甲")
    B = "乙", _("乙")
    C = "丙", _("丙")
    D = "丁", _("丁")


@dataclass(frozen=True)
class Bands:
    """Lower bounds of 優, 甲, 乙, 丙; 丁 is everything below 丙's lower bound."""

    excellent_min: Decimal = Decimal(900)
    a_min: Decimal = Decimal(800)
    b_min: Decimal = Decimal(700)
    c_min: Decimal = Decimal(600)

    def __post_init__(self) -> None:
        if not (MAX_TOTAL >= self.excellent_min > self.a_min > self.b_min > self.c_min > 0):
            raise ValueError("等第區間必須由高到低遞減，且落在 0 至 1000 分之間")

    def ranges(self) -> list[tuple[Grade, Decimal, Decimal]]:
        """(grade, lower inclusive, upper exclusive); 優's upper bound 1000 is inclusive."""
        return [
            (Grade.EXCELLENT, self.excellent_min, MAX_TOTAL),
            (Grade.A, self.a_min, self.excellent_min),
            (Grade.B, self.b_min, self.a_min),
            (Grade.C, self.c_min, self.b_min),
            (Grade.D, Decimal(0), self.c_min),
        ]

    def legend(self) -> str:
        """The seed's legend line: 優=900 分以上；甲=899-800 分；… 丁=599 分以下."""

        n = number_format.plain
        one = Decimal(1)
        return gettext(
            "優=%(excellent)s 分以上；甲=%(a_high)s-%(a)s 分；乙=%(b_high)s-%(b)s 分；"
            "丙=%(c_high)s-%(c)s 分；丁=%(d)s 分以下"
        ) % {
            "excellent": n(self.excellent_min),
            "a_high": n(self.excellent_min - one),
            "a": n(self.a_min),
            "b_high": n(self.a_min - one),
            "b": n(self.b_min),
            "c_high": n(self.b_min - one),
            "c": n(self.c_min),
            "d": n(self.c_min - one),
        }


SEED_BANDS = Bands()


def grade_for(total: Decimal | int | float | str, bands: Bands = SEED_BANDS) -> Grade:
    """The grade of a total between 0 and 1000 under the given bands."""
    value = Decimal(str(total))
    if value < 0 or value > MAX_TOTAL:
        raise ValueError(f"總分必須介於 0 與 1000 之間，收到 {value}")
    if value >= bands.excellent_min:
        return Grade.EXCELLENT
    if value >= bands.a_min:
        return Grade.A
    if value >= bands.b_min:
        return Grade.B
    if value >= bands.c_min:
        return Grade.C
    return Grade.D
