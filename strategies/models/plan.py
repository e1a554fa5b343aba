"""The year's plan: year, dimension (構面), strategy (執行策略), method (執行方法), item, indicator."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from strategies import numbering
from strategies.models.audit import RecordsHistory
from strategies.models.organization import Organization, Unit


class Year(RecordsHistory, models.Model):
    """An organization's assessment year, in ROC years (112 = 2023)."""

    class Status(models.TextChoices):
        PLANNING = "planning", _("規劃中")
        OPEN = "open", _("填報中")
        CLOSED = "closed", _("已結束填報")
        LOCKED = "locked", _("已鎖定")

    organization = models.ForeignKey(
        Organization, verbose_name=_("機關"), on_delete=models.PROTECT, related_name="years"
    )
    roc_year = models.PositiveSmallIntegerField(_("年度（民國）"))
    status = models.CharField(
        _("狀態"), max_length=20, choices=Status.choices, default=Status.PLANNING
    )
    deadline_day = models.PositiveSmallIntegerField(
        _("填報期限（次月幾日）"),
        default=10,
        help_text=_("每月填報的期限：次月的這一天（預設 10 日）。"),
    )
    copied_from = models.ForeignKey(
        "self",
        verbose_name=_("複製自"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="copies",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("年度")
        verbose_name_plural = _("年度")
        ordering = ["organization", "-roc_year"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "roc_year"], name="year_unique"),
            models.CheckConstraint(
                condition=models.Q(deadline_day__gte=1, deadline_day__lte=28),
                name="year_deadline_day_1_28",
            ),
            models.CheckConstraint(condition=models.Q(roc_year__gte=1), name="year_roc_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.roc_year} 年度"


class Dimension(models.Model):
    year = models.ForeignKey(
        Year, verbose_name=_("年度"), on_delete=models.CASCADE, related_name="dimensions"
    )
    number = models.PositiveSmallIntegerField(_("編號"))
    name = models.CharField(_("構面名稱"), max_length=50)
    max_score = models.DecimalField(_("配分"), max_digits=5, decimal_places=1)

    class Meta:
        verbose_name = _("構面")
        verbose_name_plural = _("構面")
        ordering = ["year", "number"]
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="dimension_unique_number"),
            models.CheckConstraint(
                condition=models.Q(number__gte=1, number__lte=5), name="dimension_number_1_5"
            ),
            models.CheckConstraint(
                condition=models.Q(max_score__gt=0, max_score__lte=1000),
                name="dimension_max_score_range",
            ),
        ]

    def __str__(self) -> str:
        return gettext("構面%(label)s：%(name)s") % {"label": self.label, "name": self.name}

    @property
    def label(self) -> str:
        return numbering.dimension_label(self.number)


class Strategy(models.Model):
    dimension = models.ForeignKey(
        Dimension, verbose_name=_("構面"), on_delete=models.CASCADE, related_name="strategies"
    )
    order = models.PositiveSmallIntegerField(_("排序"))
    title = models.CharField(_("執行策略"), max_length=200)
    is_retired = models.BooleanField(_("已停用"), default=False)

    class Meta:
        verbose_name = _("執行策略")
        verbose_name_plural = _("執行策略")
        ordering = ["dimension", "order"]
        constraints = [
            models.UniqueConstraint(fields=["dimension", "order"], name="strategy_unique_order"),
        ]

    def __str__(self) -> str:
        return self.title


class Method(models.Model):
    strategy = models.ForeignKey(
        Strategy, verbose_name=_("執行策略"), on_delete=models.CASCADE, related_name="methods"
    )
    order = models.PositiveSmallIntegerField(_("排序"))
    title = models.CharField(_("執行方法"), max_length=200)
    description = models.TextField(_("說明"), blank=True)
    is_retired = models.BooleanField(_("已停用"), default=False)

    class Meta:
        verbose_name = _("執行方法")
        verbose_name_plural = _("執行方法")
        ordering = ["strategy", "order"]
        constraints = [
            models.UniqueConstraint(fields=["strategy", "order"], name="method_unique_order"),
        ]

    def __str__(self) -> str:
        return self.title


class Item(RecordsHistory, models.Model):
    """The reportable row: host units, planned actions (具體作法) and results (執行績效與成果).

    `results` is the year-end text as it stands (the report prints it); `results_draft` is what
    the approved months say now, and `results_base` the draft the text was last reconciled with,
    so a stale text can show what changed in the months since. Its lifecycle is the state
    machine in strategies.year_end.
    """

    class ResultsState(models.TextChoices):
        DRAFT = "draft", _("草稿")
        EDITED = "edited", _("已修改")
        STALE = "stale", _("待更新")
        SUBMITTED = "submitted", _("待核定")
        APPROVED = "approved", _("已核定")
        ACCEPTED = "accepted", _("管理者接受")
        IMPORTED = "imported", _("沿用原報告")

    method = models.ForeignKey(
        Method, verbose_name=_("執行方法"), on_delete=models.CASCADE, related_name="items"
    )
    order = models.PositiveSmallIntegerField(_("排序"))
    title = models.TextField(
        _("項目"), blank=True, help_text=_("執行方法下的 (1)(2)… 子項；沒有子項時留空。")
    )
    host_label = models.CharField(
        _("主辦單位（原文）"),
        max_length=200,
        help_text=_("報告上顯示的主辦單位寫法，例如「各科、辦事處」。"),
    )
    host_units = models.ManyToManyField(
        Unit, verbose_name=_("主辦單位"), related_name="hosted_items"
    )
    planned_actions = models.TextField(_("具體作法"), blank=True)
    results = models.TextField(_("執行績效與成果"), blank=True)
    shortfall_note = models.TextField(
        _("未達目標說明"), blank=True, help_text=_("年度總計未達目標時，結算前必須說明原因。")
    )
    results_state = models.CharField(
        _("執行績效與成果狀態"),
        max_length=20,
        choices=ResultsState.choices,
        default=ResultsState.DRAFT,
    )
    results_draft = models.TextField(_("由月填報彙整的草稿"), blank=True)
    results_base = models.TextField(_("上次確認時的草稿"), blank=True)
    results_edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("執行績效與成果最後修改者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    results_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("執行績效與成果核定者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    results_approved_at = models.DateTimeField(_("執行績效與成果核定時間"), null=True, blank=True)
    results_state_reason = models.TextField(
        _("退回或接受原因"), blank=True, help_text=_("主管退回或管理者接受時寫下的原因。")
    )
    copied_from = models.ForeignKey(
        "self",
        verbose_name=_("複製自"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="copies",
    )
    is_retired = models.BooleanField(_("已停用"), default=False)
    history = HistoricalRecords(m2m_fields=[host_units])

    class Meta:
        verbose_name = _("填報項目")
        verbose_name_plural = _("填報項目")
        ordering = ["method", "order"]
        constraints = [
            models.UniqueConstraint(fields=["method", "order"], name="item_unique_order"),
        ]

    def __str__(self) -> str:
        return (self.title or self.method.title)[:40]


class Indicator(RecordsHistory, models.Model):
    """A countable measure of an item: its target and how months add up."""

    class Aggregation(models.TextChoices):
        SUM = "sum", _("逐月加總")
        LATEST = "latest", _("取最新值（累計數）")

    item = models.ForeignKey(
        Item, verbose_name=_("填報項目"), on_delete=models.CASCADE, related_name="indicators"
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=1)
    name = models.CharField(_("指標名稱"), max_length=100)
    measure = models.CharField(_("單位"), max_length=10, help_text=_("場次、件、家、人次…"))
    target = models.DecimalField(
        _("目標值"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    aggregation = models.CharField(
        _("彙總方式"), max_length=10, choices=Aggregation.choices, default=Aggregation.SUM
    )
    allows_decimals = models.BooleanField(_("可填小數"), default=False)
    reported_actual = models.DecimalField(
        _("年度實績（原報告）"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("沿用既有報告的年度實績；留空時由核定的月填報彙總。"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("量化指標")
        verbose_name_plural = _("量化指標")
        ordering = ["item", "order"]
        constraints = [
            models.UniqueConstraint(fields=["item", "order"], name="indicator_unique_order"),
            models.CheckConstraint(
                condition=models.Q(target__isnull=True) | models.Q(target__gte=0),
                name="indicator_target_non_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(reported_actual__isnull=True) | models.Q(reported_actual__gte=0),
                name="indicator_actual_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.measure}）"
