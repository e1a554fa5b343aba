"""Directory (LDAP / Active Directory) groups that give a first-time directory user a role."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from strategies.models.organization import Membership, Organization, Unit


class DirectoryGroupMapping(models.Model):
    """Members of `group_dn` get `role` (in `unit`) when they first sign in from the directory.

    Only a user without a membership is given one: once an admin has set a member's role, the
    directory never changes it. A user in several mapped groups gets the most powerful role.
    """

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("機關"),
        on_delete=models.CASCADE,
        related_name="directory_groups",
    )
    group_dn = models.CharField(
        _("目錄群組 DN"),
        max_length=255,
        help_text=_("例如 cn=perf-staff,ou=groups,dc=example,dc=gov,dc=tw（不分大小寫）。"),
    )
    role = models.CharField(_("角色"), max_length=20, choices=Membership.Role.choices)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("單位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="directory_groups",
    )

    class Meta:
        verbose_name = _("目錄群組對應")
        verbose_name_plural = _("目錄群組對應")
        ordering = ["group_dn"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "group_dn"], name="directory_group_once_per_org"
            ),
            models.CheckConstraint(
                condition=~models.Q(role__in=["staff", "head"]) | models.Q(unit__isnull=False),
                name="directory_group_unit_for_staff_and_head",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.group_dn} → {self.get_role_display()}"
