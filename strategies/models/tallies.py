"""Stored counts the auditor's and admin's home pages read instead of counting a year's entries.

They hold stored facts only (entry statuses, host pairs), never a month's state: overdue or not
depends on today and the year's status, and is decided when the page is read
(strategies.month_state). strategies.tallies keeps them and says how.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from strategies.models.organization import Unit
from strategies.models.plan import Year


class TallyState(models.Model):
    """A year whose tallies are complete. No row: recount before reading (after a plan change
    or a bulk write that does not go through a model's save)."""

    year = models.OneToOneField(
        Year, verbose_name=_("年度"), on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    counted_at = models.DateTimeField(_("計算時間"), auto_now=True)

    class Meta:
        verbose_name = _("填報統計狀態")
        verbose_name_plural = _("填報統計狀態")

    def __str__(self) -> str:
        return f"{self.year_id}"


class DoneTally(models.Model):
    """Submitted or approved entries of (item, host unit) pairs in use, per dimension, unit and
    month."""

    year = models.ForeignKey(
        Year, verbose_name=_("年度"), on_delete=models.CASCADE, related_name="+"
    )
    dimension_number = models.PositiveSmallIntegerField(_("構面"))
    unit = models.ForeignKey(
        Unit, verbose_name=_("單位"), on_delete=models.CASCADE, related_name="+"
    )
    month = models.PositiveSmallIntegerField(_("月份"))
    done = models.IntegerField(_("已送出或已核定"), default=0)

    class Meta:
        verbose_name = _("填報完成數")
        verbose_name_plural = _("填報完成數")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "dimension_number", "unit", "month"], name="done_tally_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year_id}/{self.dimension_number}/{self.unit_id}/{self.month}: {self.done}"


class PairTally(models.Model):
    """(item, host unit) pairs in use, per dimension and unit: each owes an entry a month."""

    year = models.ForeignKey(
        Year, verbose_name=_("年度"), on_delete=models.CASCADE, related_name="+"
    )
    dimension_number = models.PositiveSmallIntegerField(_("構面"))
    unit = models.ForeignKey(
        Unit, verbose_name=_("單位"), on_delete=models.CASCADE, related_name="+"
    )
    pairs = models.IntegerField(_("應填報項目數"))

    class Meta:
        verbose_name = _("應填報項目數")
        verbose_name_plural = _("應填報項目數")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "dimension_number", "unit"], name="pair_tally_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year_id}/{self.dimension_number}/{self.unit_id}: {self.pairs}"
