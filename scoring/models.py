"""Grade bands per year, the score sheet (考核結果統計表) and each dimension's scores per round."""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from scoring.grades import Bands
from strategies.models import Dimension, Year
from strategies.models.audit import RecordsHistory


class GradeBands(RecordsHistory, models.Model):
    """The year's bands as four descending lower bounds: they cover 0-1000 with no gap or overlap
    by construction, and the check constraint keeps them descending inside 0-1000."""

    year = models.OneToOneField(
        Year, verbose_name=_("年度"), on_delete=models.CASCADE, related_name="grade_bands"
    )
    excellent_min = models.DecimalField(
        _("優（以上）"), max_digits=5, decimal_places=1, default=Decimal(900)
    )
    a_min = models.DecimalField(
        _("甲（以上）"), max_digits=5, decimal_places=1, default=Decimal(800)
    )
    b_min = models.DecimalField(
        _("乙（以上）"), max_digits=5, decimal_places=1, default=Decimal(700)
    )
    c_min = models.DecimalField(
        _("丙（以上）"), max_digits=5, decimal_places=1, default=Decimal(600)
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("等第區間")
        verbose_name_plural = _("等第區間")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(excellent_min__lte=1000)
                & models.Q(excellent_min__gt=models.F("a_min"))
                & models.Q(a_min__gt=models.F("b_min"))
                & models.Q(b_min__gt=models.F("c_min"))
                & models.Q(c_min__gt=0),
                name="grade_bands_descending_within_0_1000",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} 等第區間"

    def as_bands(self) -> Bands:
        return Bands(self.excellent_min, self.a_min, self.b_min, self.c_min)


class ScoreSheet(RecordsHistory, models.Model):
    """考核結果統計表 of one organization-year: who assessed it, when, and the sign-off."""

    year = models.OneToOneField(
        Year, verbose_name=_("年度"), on_delete=models.CASCADE, related_name="score_sheet"
    )
    assessed_by = models.CharField(_("實施考核機關"), max_length=100, blank=True)
    assessed_roc_year = models.PositiveSmallIntegerField(_("考核年（民國）"), null=True, blank=True)
    assessed_month = models.PositiveSmallIntegerField(_("考核月"), null=True, blank=True)
    signed_off_at = models.DateTimeField(_("複評完成時間"), null=True, blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("複評完成者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("考核結果統計表")
        verbose_name_plural = _("考核結果統計表")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(assessed_month__isnull=True)
                | models.Q(assessed_month__gte=1, assessed_month__lte=12),
                name="score_sheet_month_1_12",
            ),
            models.CheckConstraint(
                condition=models.Q(assessed_month__isnull=True, assessed_roc_year__isnull=True)
                | models.Q(assessed_month__isnull=False, assessed_roc_year__isnull=False),
                name="score_sheet_month_and_year_together",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} 考核結果統計表"

    @property
    def assessed_month_label(self) -> str:
        if self.assessed_roc_year is None or self.assessed_month is None:
            return ""
        return f"{self.assessed_roc_year}.{self.assessed_month}"


class DimensionScore(RecordsHistory, models.Model):
    """A dimension's score in one round: the self-assessment (自評) or the auditor's review (複評)."""

    class Round(models.TextChoices):
        SELF = "self", _("自評")
        REVIEW = "review", _("複評")

    dimension = models.ForeignKey(
        Dimension, verbose_name=_("構面"), on_delete=models.CASCADE, related_name="scores"
    )
    round = models.CharField(_("評分階段"), max_length=10, choices=Round.choices)
    score = models.DecimalField(_("分數"), max_digits=5, decimal_places=1)
    # The dimension's maximum, copied so the database itself can hold score <= maximum.
    maximum = models.DecimalField(_("配分"), max_digits=5, decimal_places=1, editable=False)
    comment = models.TextField(_("評語"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("評分者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("評分時間"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("構面分數")
        verbose_name_plural = _("構面分數")
        ordering = ["dimension", "round"]
        constraints = [
            models.UniqueConstraint(fields=["dimension", "round"], name="score_unique_round"),
            models.CheckConstraint(
                condition=models.Q(score__gte=0) & models.Q(score__lte=models.F("maximum")),
                name="score_between_0_and_maximum",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dimension} {self.get_round_display()} {self.score}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.maximum = self.dimension.max_score
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        maximum = self.maximum = self.dimension.max_score
        if self.score is not None and not (0 <= self.score <= maximum):
            raise ValidationError(
                {
                    "score": _("%(name)s的分數必須介於 0 與 %(max)s 分之間")
                    % {
                        "name": _("構面%(label)s（%(name)s）")
                        % {"label": self.dimension.label, "name": self.dimension.name},
                        "max": maximum,
                    }
                }
            )
