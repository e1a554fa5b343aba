"""What mail a member wants: reminder mail can be turned off from the notification settings."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class MailPreference(models.Model):
    """A member's mail settings; no row means the defaults (reminder mail on)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("使用者"),
        on_delete=models.CASCADE,
        related_name="mail_preference",
    )
    reminders = models.BooleanField(
        _("寄送填報提醒信"),
        default=True,
        help_text=_("預催、稽催與待核定提醒。"),
    )
    updated_at = models.DateTimeField(_("更新時間"), auto_now=True)

    class Meta:
        verbose_name = _("通知設定")
        verbose_name_plural = _("通知設定")

    def __str__(self) -> str:
        return f"{self.user}: {'on' if self.reminders else 'off'}"
