"""In-app notifications (通知): what needs a member, kept as a kind and its parameters.

The text is not stored: it is rendered in the reader's language when shown
(strategies.notifications), so a member who switches to English reads every notice in English.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    class Kind(models.TextChoices):
        ENTRY_RETURNED = "entry_returned", _("填報退回")
        ENTRY_SUBMITTED = "entry_submitted", _("待核定")
        ENTRY_APPROVED = "entry_approved", _("填報核定")
        ENTRY_COMMENTED = "entry_commented", _("填報意見")
        ENTRY_REOPENED = "entry_reopened", _("重新開放填報")
        MONTH_REOPENED = "month_reopened", _("月份重新開放")
        YEAR_REOPENED = "year_reopened", _("年度重新開放")
        DUE_SOON = "due_soon", _("預催")
        OVERDUE = "overdue", _("稽催")
        RESULTS_AWAITING = "results_awaiting", _("年度成果待處理")
        SIGNED_OFF = "signed_off", _("複評完成")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("收件人"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("類別"), max_length=30, choices=Kind.choices)
    # The event, named so that the same event never notifies the same member twice.
    key = models.CharField(_("事件代碼"), max_length=200)
    link = models.CharField(_("連結"), max_length=300, blank=True)
    params = models.JSONField(_("內容參數"), default=dict, blank=True)
    created_at = models.DateTimeField(_("時間"), auto_now_add=True)
    read_at = models.DateTimeField(_("已讀時間"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("寄送時間"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"], name="notification_once_per_event"
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient}"
