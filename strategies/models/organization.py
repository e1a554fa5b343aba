"""Organizations (分局, 總局), their units (單位) and who belongs where (membership and role)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from strategies.models.audit import RecordsHistory


class Organization(models.Model):
    code = models.SlugField(_("代碼"), max_length=20, unique=True)
    name = models.CharField(_("機關全銜"), max_length=100)
    short_name = models.CharField(_("簡稱"), max_length=30)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上級機關"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="branches",
    )
    is_headquarters = models.BooleanField(_("總局"), default=False)
    # Headquarters reads its branches' entries; whether it also writes in their review threads
    # is the branch's choice (strategies.access.check_comment_access).
    headquarters_may_comment = models.BooleanField(
        _("總局人員可留言"),
        default=False,
        help_text=_("開啟後，總局的考核人員與管理者可以對本機關的月填報留下審核意見。"),
    )

    class Meta:
        verbose_name = _("機關")
        verbose_name_plural = _("機關")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.short_name


class Unit(RecordsHistory, models.Model):
    """A section or office inside an organization; the host of reportable items."""

    class Kind(models.TextChoices):
        SECTION = "section", _("科")
        OFFICE = "office", _("辦事處")
        SECRETARIAT = "secretariat", _("室")
        OTHER = "other", _("其他")

    organization = models.ForeignKey(
        Organization, verbose_name=_("機關"), on_delete=models.PROTECT, related_name="units"
    )
    name = models.CharField(_("名稱"), max_length=50)
    kind = models.CharField(_("類別"), max_length=20, choices=Kind.choices)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("使用中"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("單位")
        verbose_name_plural = _("單位")
        ordering = ["organization", "order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="unit_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(RecordsHistory, models.Model):
    """Every user belongs to one organization, with one role (and a unit for staff and heads)."""

    class Role(models.TextChoices):
        STAFF = "staff", _("承辦人")
        HEAD = "head", _("主管")
        AUDITOR = "auditor", _("考核人員")
        ADMIN = "admin", _("管理者")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("使用者"),
        on_delete=models.CASCADE,
        related_name="membership",
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("機關"), on_delete=models.PROTECT, related_name="members"
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("單位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    language = models.CharField(
        _("介面語言"),
        max_length=10,
        choices=settings.LANGUAGES,
        default="zh-hant",
        help_text=_("登入後使用的介面語言。"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("成員")
        verbose_name_plural = _("成員")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role__in=["staff", "head"]) | models.Q(unit__isnull=False),
                name="membership_unit_for_staff_and_head",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"
