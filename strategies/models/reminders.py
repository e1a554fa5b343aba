"""The sent-reminder log (預催 / 稽催): what makes `send_reminders` idempotent."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from strategies.models.plan import Year


class ReminderLog(models.Model):
    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("預催")
        OVERDUE = "overdue", _("稽催")
        AWAITING_APPROVAL = "awaiting_approval", _("待核定")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("收件人"),
        on_delete=models.CASCADE,
        related_name="reminders",
    )
    kind = models.CharField(_("類別"), max_length=20, choices=Kind.choices)
    year = models.ForeignKey(
        Year, verbose_name=_("年度"), on_delete=models.CASCADE, related_name="reminders"
    )
    month = models.PositiveSmallIntegerField(_("填報月份"))
    sent_on = models.DateField(_("寄送日期"))
    entry_count = models.PositiveIntegerField(_("項目數"), default=0)
    sent_at = models.DateTimeField(_("寄送時間"), auto_now_add=True)

    class Meta:
        verbose_name = _("提醒紀錄")
        verbose_name_plural = _("提醒紀錄")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "year", "month", "sent_on"],
                name="reminder_once_per_day",
            ),
            models.CheckConstraint(
                condition=models.Q(month__gte=1, month__lte=12), name="reminder_month_1_12"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.recipient} {self.sent_on}"
