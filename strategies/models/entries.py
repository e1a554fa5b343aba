"""Monthly entries (月填報): what a unit reports for an item in one month, and what hangs on it."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxLengthValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from strategies.models.audit import RecordsHistory
from strategies.models.organization import Unit
from strategies.models.plan import Indicator, Item, Year

NARRATIVE_MAX_LENGTH = 4000


class MonthlyEntry(RecordsHistory, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已送出")
        RETURNED = "returned", _("退回")
        APPROVED = "approved", _("已核定")

    item = models.ForeignKey(
        Item, verbose_name=_("填報項目"), on_delete=models.PROTECT, related_name="entries"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("填報單位"), on_delete=models.PROTECT, related_name="entries"
    )
    month = models.PositiveSmallIntegerField(_("月份"))
    narrative = models.TextField(
        _("執行情形"),
        blank=True,
        validators=[MaxLengthValidator(NARRATIVE_MAX_LENGTH)],
    )
    status = models.CharField(
        _("狀態"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    return_reason = models.TextField(_("退回原因"), blank=True)
    # Optimistic locking: a save names the version it started from.
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("建立者"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("最後修改者"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("最後修改時間"), auto_now=True)
    submitted_at = models.DateTimeField(_("送出時間"), null=True, blank=True)
    # Four-eyes: whoever last submitted the entry may not approve or return it.
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("送出者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("核定時間"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("核定者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_as_deputy = models.BooleanField(_("管理者代理核定"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("月填報")
        verbose_name_plural = _("月填報")
        ordering = ["item", "unit", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "unit", "month"], name="entry_unique_item_unit_month"
            ),
            models.CheckConstraint(
                condition=models.Q(month__gte=1, month__lte=12), name="entry_month_1_12"
            ),
        ]
        # The admin's home page reads the oldest submitted entries first, whatever the year's size.
        indexes = [models.Index(fields=["status", "submitted_at"], name="entry_status_submitted")]

    def __str__(self) -> str:
        return f"{self.item} / {self.unit} / {self.month} 月"


class IndicatorValue(RecordsHistory, models.Model):
    entry = models.ForeignKey(
        MonthlyEntry, verbose_name=_("月填報"), on_delete=models.CASCADE, related_name="values"
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("量化指標"), on_delete=models.PROTECT, related_name="values"
    )
    value = models.DecimalField(
        _("數值"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("指標數值")
        verbose_name_plural = _("指標數值")
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "indicator"], name="indicator_value_unique_entry_indicator"
            ),
            models.CheckConstraint(
                condition=models.Q(value__gte=0), name="indicator_value_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.value}"


class EntryComment(models.Model):
    """A reviewer's note on an entry: a short thread per entry."""

    entry = models.ForeignKey(
        MonthlyEntry, verbose_name=_("月填報"), on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("留言者"), on_delete=models.PROTECT
    )
    body = models.TextField(_("內容"), validators=[MaxLengthValidator(2000)])
    created_at = models.DateTimeField(_("時間"), auto_now_add=True)

    class Meta:
        verbose_name = _("審核意見")
        verbose_name_plural = _("審核意見")
        ordering = ["entry", "created_at", "pk"]

    def __str__(self) -> str:
        return self.body[:30]


def evidence_path(instance: "Evidence", filename: str) -> str:
    # Stored under MEDIA_ROOT, which is never served directly: downloads go through a view.
    entry = instance.entry
    return f"evidence/{entry.item.method.strategy.dimension.year_id}/{entry.pk}/{filename}"


class Evidence(RecordsHistory, models.Model):
    """佐證資料: a file attached to an entry."""

    entry = models.ForeignKey(
        MonthlyEntry, verbose_name=_("月填報"), on_delete=models.PROTECT, related_name="evidence"
    )
    file = models.FileField(_("檔案"), upload_to=evidence_path, max_length=300)
    original_name = models.CharField(_("原檔名"), max_length=200)
    content_type = models.CharField(_("檔案類型"), max_length=100)
    size = models.PositiveIntegerField(_("大小（位元組）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上傳者"), on_delete=models.PROTECT
    )
    uploaded_at = models.DateTimeField(_("上傳時間"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("佐證資料")
        verbose_name_plural = _("佐證資料")
        ordering = ["entry", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class MonthLock(RecordsHistory, models.Model):
    """A month closed for entry; only an admin can reopen it, with a reason (kept in history)."""

    year = models.ForeignKey(
        Year, verbose_name=_("年度"), on_delete=models.CASCADE, related_name="month_locks"
    )
    month = models.PositiveSmallIntegerField(_("月份"))
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("鎖定者"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    locked_at = models.DateTimeField(_("鎖定時間"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("月份鎖定")
        verbose_name_plural = _("月份鎖定")
        ordering = ["year", "month"]
        constraints = [
            models.UniqueConstraint(fields=["year", "month"], name="month_lock_unique"),
            models.CheckConstraint(
                condition=models.Q(month__gte=1, month__lte=12), name="month_lock_month_1_12"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.month} 月"
