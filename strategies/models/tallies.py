"""Stored counts the auditor's and admin's home pages read instead of counting a year's entries.

They hold stored facts only (entry statuses, host pairs, approved values), never a month's state: overdue or not
depends on today and the year's status, and is decided when the page is read
(strategies.month_state). strategies.tallies keeps them and says how.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from strategies.models.organization import Unit
from strategies.models.plan import Indicator, Item, Year


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


class IndicatorTally(models.Model):
    """One unit's approved values of an indicator, compiled by both aggregation rules
    (strategies.indicator_totals.unit_share): the indicator's figure is the sum over units of
    `total` or `latest`, whichever its rule says. Every unit that reported, host or not, as the
    figure compiled from the entries themselves counts it."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("量化指標"), on_delete=models.CASCADE, related_name="+"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("單位"), on_delete=models.CASCADE, related_name="+"
    )
    months = models.IntegerField(_("已核定月數"), default=0)
    total = models.DecimalField(_("已核定合計"), max_digits=16, decimal_places=2, default=0)
    latest = models.DecimalField(_("最新已核定值"), max_digits=12, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("指標已核定統計")
        verbose_name_plural = _("指標已核定統計")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "unit"], name="indicator_tally_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}/{self.unit_id}: {self.total} / {self.latest}"


class PairMonthsTally(models.Model):
    """The submitted or approved months of an (item, host unit) pair in use, as bits (January
    1, February 2, … December 2048): overdue months run from January, so a pair is overdue
    unless its bits cover every one of them, a count without reading entries."""

    year = models.ForeignKey(
        Year, verbose_name=_("年度"), on_delete=models.CASCADE, related_name="+"
    )
    item = models.ForeignKey(
        Item, verbose_name=_("填報項目"), on_delete=models.CASCADE, related_name="+"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("單位"), on_delete=models.CASCADE, related_name="+"
    )
    done_months = models.IntegerField(_("已送出或已核定月份"), default=0)

    class Meta:
        verbose_name = _("項目填報完成月份")
        verbose_name_plural = _("項目填報完成月份")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "item", "unit"], name="pair_months_tally_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year_id}/{self.item_id}/{self.unit_id}: {self.done_months:012b}"
